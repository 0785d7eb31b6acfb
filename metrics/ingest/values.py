"""Vectorised cell cleaning shared by every reader.

Numbers: `3,000`, `$1,200.50`, `8.8%` and `(12)` are read in one vectorised pass;
texts that still fail keep their original text in a `*_raw` column so validation can
report them (a formula like `=HYPERLINK(...)` is never evaluated, only rejected).
Hostile numbers (`inf`, `NaN`, beyond ±`settings.MAX_ABS_VALUE`, more than
`settings.MAX_DIGITS` digits) are treated the same way: no value, the text kept, and
validation names the row, the column and why (`absurd_reason`).
Periods: files repeat a handful of labels over many rows, so each distinct label is
normalised once (`pd.factorize`) and mapped back.
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import settings
from .mapping import period_of_label

_STRIP = r"[\s$€£,%\u00a0]"


def is_missing(s: pd.Series, markers: tuple[str, ...] = settings.MISSING_MARKERS) -> pd.Series:
    """True where a cell is empty or a missing-value marker (`NA`, `No Data`, `-` ...)."""
    return s.isna() | s.str.strip().isin(markers)


def to_number(s: pd.Series, markers: tuple[str, ...] = settings.MISSING_MARKERS,
              ) -> tuple[pd.Series, pd.Series]:
    """(float values, raw text where a non-missing cell is not a number; else NA).

    Plain numbers go through `pd.to_numeric` directly; only the cells that fail are
    cleaned (thousands separators, currency, percent, accounting negatives) and retried,
    so a clean million-row column costs one pass.
    """
    s = s.astype("str") if s.dtype != "str" else s
    fast = _arrow_numbers(s, markers)
    if fast is not None:
        return fast, constant_str(None, s.index)
    values = pd.to_numeric(s, errors="coerce")
    failed = values.isna() & ~is_missing(s, markers)
    if failed.any():
        sub = s[failed].str.strip()
        neg = sub.str.match(r"^\(.*\)$")
        cleaned = sub.str.replace(r"^\((.*)\)$", r"\1", regex=True).str.replace(_STRIP, "", regex=True)
        # Only symbol-decorated numbers are rescued; "=1+2" or "1e5abc" stay errors.
        ok_shape = sub.str.match(r"^\(?\s*[-+]?\s*[$€£]?\s*[\d,]*\.?\d+\s*%?\s*\)?$")
        again = pd.to_numeric(cleaned.where(ok_shape), errors="coerce")
        again = again.where(~neg, -again)
        values = values.astype("float64")
        values.loc[again.index] = again
    values = values.astype("float64")
    missing = is_missing(s, markers)
    with np.errstate(invalid="ignore"):
        absurd = ~missing & (~np.isfinite(values) | (values.abs() > settings.MAX_ABS_VALUE))
    long = s.str.len() > settings.MAX_DIGITS
    if long.any():
        absurd |= (s[long].str.count(r"\d") > settings.MAX_DIGITS).reindex(s.index, fill_value=False)
    values = values.mask(absurd)
    raw = s.where(values.isna() & ~missing)
    return values, raw


def absurd_reason(text: object) -> str | None:
    """Why a number-looking cell can't be a value (not finite, too large, too many digits), or None.

    Only called for the few cells `to_number` kept as raw text, so plain Python is fine here.
    """
    t = str(text).strip()
    if sum(ch.isdigit() for ch in t) > settings.MAX_DIGITS:
        return f"more than {settings.MAX_DIGITS} digits"
    cleaned = t[1:-1] if t.startswith("(") and t.endswith(")") else t
    for ch in "$€£,% \u00a0":
        cleaned = cleaned.replace(ch, "")
    try:
        v = float(cleaned)
    except ValueError:
        return None
    if np.isnan(v):
        return "NaN is not a value; leave the cell empty (or NA) when there is no value"
    if np.isinf(v):
        return "not a finite number"
    if abs(v) > settings.MAX_ABS_VALUE:
        return f"beyond ±{settings.MAX_ABS_VALUE:,.0f}; no city measure is that large"
    return None


def _arrow_numbers(s: pd.Series, markers: tuple[str, ...]) -> pd.Series | None:
    """All cells plain numbers or missing markers: one pyarrow cast, no Python per cell."""
    arr = pa.array(s.array)
    trimmed = pc.utf8_trim_whitespace(arr)
    nulled = pc.if_else(pc.is_in(trimmed, value_set=pa.array(list(markers))), pa.scalar(None, pa.string()),
                        trimmed)
    try:
        out = pc.cast(nulled, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    hostile = pc.or_kleene(pc.invert(pc.is_finite(out)), pc.greater(pc.abs(out), settings.MAX_ABS_VALUE))
    if pc.any(hostile).as_py() or (pc.max(pc.utf8_length(trimmed)).as_py() or 0) > settings.MAX_DIGITS:
        return None  # the general path rejects them cell by cell
    return pd.Series(out.to_numpy(zero_copy_only=False), index=s.index, dtype="float64")


def to_period(s: pd.Series, grain: str | None = None,
              fiscal_start_month: int = settings.FISCAL_START_MONTH,
              fiscal_year: int | None = None) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(canonical period or NA, value kind from the label, raw text where unreadable).

    Each distinct label is parsed once; LA's `2017-18 Adopted` gives FY2018 and kind budget.
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    parsed = [period_of_label(str(u).strip(), grain, fiscal_start_month, fiscal_year) for u in uniques]
    codes = np.where(codes < 0, len(parsed), codes)
    period = take_str([p for p, _ in parsed] + [None], codes, s.index)
    kind = take_str([k for _, k in parsed] + ["actual"], codes, s.index)
    raw = s.fillna("").where(period.isna())
    return period, kind, raw


def take_str(labels: list[str | None], codes: np.ndarray, index: pd.Index) -> pd.Series:
    """`labels[codes]` as a pandas `str` Series, built by pyarrow `take` (no Python objects)."""
    return pd.Series(pd.array(pa.array(labels, pa.string()).take(pa.array(codes)), dtype="str"), index=index)


_CONSTANTS: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def constant_str(value: str | None, index: pd.Index) -> pd.Series:
    """A `str` column holding one value (or all missing), cheap for a million rows.

    Built as `large_string` (what pandas' `str` dtype stores, so no conversion copy) and shared:
    Arrow arrays are immutable, so the several all-missing columns of a canonical frame (name,
    note, unit, the raw-text columns) point at one buffer instead of 13 MB each per million rows.
    The cache holds them weakly: nothing outlives the frames that use it.
    """
    key = (value, len(index))
    arr = _CONSTANTS.get(key)
    if arr is None:
        arr = (pa.nulls(len(index), pa.large_string()) if value is None
               else pa.repeat(pa.scalar(value, pa.large_string()), len(index)))
        _CONSTANTS[key] = arr
    return pd.Series(pd.array(arr, dtype="str"), index=index)


def clean_text(s: pd.Series) -> pd.Series:
    """Trimmed text with missing markers as NA (names, units, notes)."""
    s = s.str.strip()
    return s.where(~s.isin(settings.MISSING_MARKERS))
