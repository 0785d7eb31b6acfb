"""Reporting periods: canonical labels and the calendars behind them.

Every period in the product is a text label (`2018-03-31`, `2018-03`, `2018-Q1`, `2018`,
`FY2019`) so URLs, exports and the CLI agree. Dates are derived with pandas' Period
arithmetic rather than by hand, so fiscal years with any start month come out right.
A fiscal year is named by the calendar year in which it *ends* (US convention: with a
July start, FY2019 runs 2018-07-01 .. 2019-06-30).
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics.errors import InputError

GRAINS = ("day", "month", "quarter", "year", "fiscal_year")
DEFAULT_FISCAL_START_MONTH = 7

_CANONICAL = [
    ("day", re.compile(r"^\d{4}-\d{2}-\d{2}$")),
    ("month", re.compile(r"^\d{4}-\d{2}$")),
    ("quarter", re.compile(r"^\d{4}-Q[1-4]$")),
    ("year", re.compile(r"^\d{4}$")),
    ("fiscal_year", re.compile(r"^FY\d{4}$")),
]
# Labels as department systems write them; each maps to a canonical label.
_MESSY = [
    (re.compile(r"^(?:Q([1-4])[\s\-_/]*(\d{4}))$", re.I), lambda m: f"{m[2]}-Q{m[1]}"),
    (re.compile(r"^(\d{4})[\s\-_/]*Q([1-4])$", re.I), lambda m: f"{m[1]}-Q{m[2]}"),
    (re.compile(r"^FY[\s\-]?(\d{4})$", re.I), lambda m: f"FY{m[1]}"),
    (re.compile(r"^FY[\s\-]?(\d{2})$", re.I), lambda m: f"FY20{m[1]}"),
    # "2017-18", "2017-18 Actuals", "2017/2018": a fiscal year ending in the second year.
    (re.compile(r"^(\d{4})\s*[-/]\s*(\d{2}|\d{4})(?:\s+\D.*)?$"), lambda m: _fy_from_span(m[1], m[2])),
]


class PeriodError(InputError):
    """A label that cannot be read as a period of the expected grain."""


@dataclass(frozen=True)
class Period:
    label: str
    grain: str
    start: date
    end: date


def grain_of(label: str) -> str:
    """The grain a canonical label is written in; raises PeriodError otherwise."""
    for grain, pattern in _CANONICAL:
        if pattern.match(label):
            return grain
    raise PeriodError(f"'{label}' is not a canonical period label")


def _fiscal_freq(fiscal_start_month: int) -> str:
    end_month = (fiscal_start_month - 2) % 12 + 1
    return f"Y-{calendar.month_abbr[end_month].upper()}"


def _pandas_period(label: str, grain: str, fiscal_start_month: int) -> pd.Period:
    if grain == "day":
        return pd.Period(label, freq="D")
    if grain == "month":
        return pd.Period(label, freq="M")
    if grain == "quarter":
        return pd.Period(label.replace("-", ""), freq="Q")
    if grain == "year":
        return pd.Period(label, freq="Y")
    return pd.Period(label[2:], freq=_fiscal_freq(fiscal_start_month))


def parse(label: str, fiscal_start_month: int = DEFAULT_FISCAL_START_MONTH) -> Period:
    """Canonical label -> Period with start and end dates."""
    return _parse(str(label).strip(), int(fiscal_start_month))


@functools.lru_cache(maxsize=1 << 16)
def _parse(label: str, fiscal_start_month: int) -> Period:
    """Cached: a city has a few hundred distinct labels, and pages parse each once per row and series
    (pandas' Period construction was most of a 25-outcome Goal page). Period is frozen, so sharing is safe."""
    grain = grain_of(label)
    try:
        p = _pandas_period(label, grain, fiscal_start_month)
    except (ValueError, TypeError) as exc:  # e.g. 2018-13
        raise PeriodError(f"'{label}' is not a valid {grain.replace('_', ' ')}") from exc
    return Period(label, grain, p.start_time.date(), p.end_time.date())


def label_of(ts: pd.Timestamp | date | str, grain: str,
             fiscal_start_month: int = DEFAULT_FISCAL_START_MONTH) -> str:
    """The canonical label of the period of `grain` that contains a date."""
    ts = pd.Timestamp(ts)
    if grain == "day":
        return ts.strftime("%Y-%m-%d")
    if grain == "month":
        return ts.strftime("%Y-%m")
    if grain == "quarter":
        return f"{ts.year}-Q{ts.quarter}"
    if grain == "year":
        return str(ts.year)
    if grain == "fiscal_year":
        return f"FY{ts.to_period(_fiscal_freq(fiscal_start_month)).end_time.year}"
    raise PeriodError(f"unknown grain '{grain}'")


def shift(label: str, n: int, fiscal_start_month: int = DEFAULT_FISCAL_START_MONTH) -> str:
    """The label n periods after (negative: before) `label`, same grain."""
    grain = grain_of(label)
    p = _pandas_period(label, grain, fiscal_start_month) + n
    return label_of(p.start_time if grain != "fiscal_year" else p.end_time, grain, fiscal_start_month)


def periods_per_year(grain: str) -> int:
    return {"day": 365, "month": 12, "quarter": 4, "year": 1, "fiscal_year": 1}[grain]


def same_period_last_year(label: str, fiscal_start_month: int = DEFAULT_FISCAL_START_MONTH) -> str:
    grain = grain_of(label)
    if grain == "day":
        return (pd.Timestamp(label) - pd.DateOffset(years=1)).strftime("%Y-%m-%d")
    return shift(label, -periods_per_year(grain), fiscal_start_month)


def period_range(first: str, last: str, fiscal_start_month: int = DEFAULT_FISCAL_START_MONTH) -> list[str]:
    """All labels from first to last inclusive (same grain)."""
    grain = grain_of(first)
    a = _pandas_period(first, grain, fiscal_start_month)
    b = _pandas_period(last, grain_of(last), fiscal_start_month)
    return [label_of(p.end_time if grain == "fiscal_year" else p.start_time, grain, fiscal_start_month)
            for p in pd.period_range(a, b, freq=a.freq)]


def frame(labels: pd.Series, fiscal_start_month: int = DEFAULT_FISCAL_START_MONTH) -> pd.DataFrame:
    """Vectorised-by-unique: label column -> grain, period_start, period_end columns.

    Files repeat the same few periods over thousands of rows, so each distinct label is
    parsed once and the result is mapped back.
    """
    uniq = pd.unique(labels.astype("string"))
    parsed = {u: parse(u, fiscal_start_month) for u in uniq if u is not pd.NA}
    return pd.DataFrame({
        "grain": labels.map(lambda x: parsed[x].grain),
        "period_start": labels.map(lambda x: parsed[x].start),
        "period_end": labels.map(lambda x: parsed[x].end),
    }, index=labels.index)


def _fy_from_span(first: str, second: str) -> str:
    y1 = int(first)
    y2 = int(second) if len(second) == 4 else (y1 // 100) * 100 + int(second)
    if y2 < y1:
        y2 += 100
    if y2 != y1 + 1:
        raise PeriodError(f"'{first}-{second}' is not a one-year span")
    return f"FY{y2}"


_MONTH_NAMES = re.compile(
    r"^(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*[\s\-_/,]*(\d{4}|\d{2})$", re.I)


def normalise(raw: object, grain: str | None = None,
              fiscal_start_month: int = DEFAULT_FISCAL_START_MONTH) -> str:
    """A period as written in a department file -> canonical label.

    `grain` is the measure's frequency when known; a bare year then becomes `FY2019`
    for fiscal-year measures, and a date becomes the month/quarter that contains it.
    """
    text = str(raw).strip()
    if not text:
        raise PeriodError("empty period")
    m = _MONTH_NAMES.match(text)
    if m:
        year = int(m[2]) if len(m[2]) == 4 else 2000 + int(m[2])
        month = list(calendar.month_abbr).index(m[1][:3].title())
        text = f"{year}-{month:02d}"
    elif not any(p.match(text) for _, p in _CANONICAL):
        for pattern, fix in _MESSY:
            mm = pattern.match(text)
            if mm:
                text = fix(mm)
                break
    try:
        found = grain_of(text)
    except PeriodError:
        try:
            ts = pd.Timestamp(text)
        except (ValueError, TypeError) as exc:
            raise PeriodError(f"'{raw}' is not a period") from exc
        if ts is pd.NaT:
            raise PeriodError(f"'{raw}' is not a period") from None
        return label_of(ts, grain or "day", fiscal_start_month)
    if grain == "fiscal_year" and found == "year":
        return f"FY{text}"
    if grain and found == "day" and grain != "day":
        return label_of(pd.Timestamp(text), grain, fiscal_start_month)
    parse(text, fiscal_start_month)  # validates e.g. month 13
    return text
