"""Validation of a canonical frame with pandera: one named check per rule.

Each rule is a `Rule` in `RULES`: an error class, the canonical column it concerns and a
vectorised function returning a pass mask. The rules become pandera `Check`s on a
`DataFrameSchema`, validated lazily, and `SchemaErrors.failure_cases` (index + check
name) are turned back into `IngestError` records with the file's row number, the
source column, the cell text and a reason. Adding a rule = one `Rule` and one test.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa

from metrics.domain import periods

from . import settings
from .errors import (
    AbsurdValue,
    BadPeriod,
    CellTypeError,
    DuplicateKey,
    FrequencyMismatch,
    FuturePeriod,
    IngestError,
    OutOfRange,
    UnknownMeasure,
)
from .layouts import KEY, has_repeats, key_ids
from .report import IngestReport
from .values import absurd_reason

#: How far past the as-of date an actual's period may start: one reporting cycle of its grain
#: (this month's figure may be filed on the 1st; 2099-Q1 is a typo or an attack). Targets may be future.
CYCLE = {"day": pd.DateOffset(days=1), "month": pd.DateOffset(months=1), "quarter": pd.DateOffset(months=3),
         "year": pd.DateOffset(years=1), "fiscal_year": pd.DateOffset(years=1)}
#: Characters of a cell quoted in an error message (a 128 KB cell is not repeated back whole).
CELL_SHOWN = 80


@dataclass
class Context:
    """Everything a rule may need, computed once per frame (per unique label where possible)."""

    frame: pd.DataFrame
    known: pd.DataFrame | None
    as_of: date | None
    fiscal_start_month: int
    cache: dict | None = None
    ids: tuple[np.ndarray, pd.Index] | None = None  # factorized measure_id (codes, uniques), computed once
    periods: tuple[np.ndarray, list] | None = None  # per-row period code, grain per distinct label
    starts: list | None = None  # start per distinct period label (same codes as `periods`)
    actual_kinds: tuple[str, ...] = ("actual",)  # value kinds loaded as observations

    def grain_at(self, i: int) -> object:
        """Grain of row i's period (None when unreadable), from the per-label facts: notes only."""
        codes, grains = self.periods
        return grains[codes[self.frame.index.get_loc(i)]]

    def start_at(self, i: int) -> pd.Timestamp:
        return self.starts[self.periods[0][self.frame.index.get_loc(i)]]


def _id_codes(ctx: Context) -> tuple[np.ndarray, pd.Index]:
    """measure_id factorized once per frame; NA gets the code len(uniques)."""
    if ctx.ids is None:
        codes, uniques = pd.factorize(ctx.frame["measure_id"], use_na_sentinel=True)
        codes[codes < 0] = len(uniques)
        codes = codes.astype("int32")
        ctx.ids = (codes, pd.Index(np.asarray(uniques, dtype=object), dtype=object))
    return ctx.ids


@dataclass(frozen=True)
class Rule:
    error: type[IngestError]
    column: str
    passes: Callable[[Context], pd.Series]
    note: Callable[[Context, int], str]
    cell: str | None = None  # column whose text is shown as the cell (defaults to `column`)


def _formula_note(text: object) -> str:
    t = str(text).strip()
    if t[:1] in ("=", "+", "@") and not t[1:2].isdigit():
        return "looks like a spreadsheet formula; formulas are never evaluated"
    return "expected a number such as 1200, 1,200, $1,200.50 or 8.8%"


def _absurd(ctx: Context, role: str) -> pd.Series:
    """True where the raw text is a number no measure can hold (inf, NaN, beyond ±1e15, 100+ digits)."""
    raw = ctx.frame[f"{role}_raw"]
    texts = raw[raw.notna()]
    out = pd.Series(False, index=ctx.frame.index)
    if len(texts):
        out[texts.index] = texts.map(absurd_reason).notna().to_numpy(dtype=bool)
    return out


def _type_rule(role: str) -> Rule:
    return Rule(CellTypeError, role, lambda c: c.frame[f"{role}_raw"].isna() | _absurd(c, role),
                lambda c, i: _formula_note(c.frame.at[i, f"{role}_raw"]), cell=f"{role}_raw")


def _absurd_rule(role: str) -> Rule:
    return Rule(AbsurdValue, role, lambda c: ~_absurd(c, role),
                lambda c, i: absurd_reason(c.frame.at[i, f"{role}_raw"]) or "", cell=f"{role}_raw")


def _unknown(ctx: Context) -> pd.Series:
    codes, uniques = _id_codes(ctx)
    ok = np.array([isinstance(u, str) and len(u) > 0 for u in uniques] + [False], dtype=bool)
    if ctx.known is not None:
        ok[:-1] &= np.asarray(uniques.isin(ctx.known.index), dtype=bool)
    return pd.Series(ok[codes], index=ctx.frame.index, copy=False)


def _frequency(ctx: Context) -> pd.Series:
    """Computed per distinct measure and per distinct period label, then broadcast as int codes."""
    codes, uniques = _id_codes(ctx)
    if ctx.known is None or "frequency" not in ctx.known:
        return pd.Series(True, index=ctx.frame.index)
    freq_u = ctx.known["frequency"].astype("object").reindex(uniques).to_numpy(dtype=object)
    p_codes, grain_u = ctx.periods if ctx.periods is not None else _period_codes(ctx.frame, ctx.fiscal_start_month)[:2]
    vocab: dict[object, int] = {}
    f_map = np.array([-1 if pd.isna(v) else vocab.setdefault(v, len(vocab)) for v in freq_u] + [-1], dtype="int64")
    g_map = np.array([-1 if v is None or pd.isna(v) else vocab.setdefault(v, len(vocab)) for v in grain_u],
                     dtype="int64")
    f, g = f_map[codes], g_map[p_codes]
    return pd.Series((f < 0) | (g < 0) | (f == g), index=ctx.frame.index, copy=False)


def _future(ctx: Context) -> pd.Series:
    """Actuals may start at most one reporting cycle after the as-of date; targets (a `target`
    cell, a target-kind row) and held-out kinds may be in the future. Decided per distinct
    period label, then broadcast."""
    f = ctx.frame
    if ctx.as_of is None:
        return pd.Series(True, index=f.index)
    codes, grains = ctx.periods if ctx.periods is not None else _period_codes(f, ctx.fiscal_start_month)[:2]
    starts = ctx.starts if ctx.starts is not None else _period_codes(f, ctx.fiscal_start_month)[2]
    as_of = pd.Timestamp(ctx.as_of)
    late = np.array([g is not None and not pd.isna(st) and st > as_of + CYCLE.get(g, pd.DateOffset(0))
                     for g, st in zip(grains, starts, strict=True)], dtype=bool)[codes]
    if not late.any():
        return pd.Series(True, index=f.index)
    kind = f["value_kind"].astype("object") if "value_kind" in f else pd.Series("actual", index=f.index)
    has = np.zeros(len(f), dtype=bool)
    for col in ("value", "numerator", "denominator"):
        if col in f:
            has |= f[col].notna().to_numpy()
    actual = kind.isin(list(ctx.actual_kinds)).to_numpy(dtype=bool, na_value=False) & has
    return pd.Series(~(late & actual), index=f.index, copy=False)


def _future_note(ctx: Context, i: int) -> str:
    grain = str(ctx.grain_at(i)).replace("_", " ")
    return (f"starts {ctx.start_at(i).date()}, more than one {grain} after {ctx.as_of}; "
            "only targets may be in the future")


def _duplicate(ctx: Context) -> pd.Series:
    f = ctx.frame
    ids = key_ids(f)
    if not has_repeats(ids):
        return pd.Series(True, index=f.index)
    dup = pd.Series(ids, index=f.index).duplicated(keep=False)
    return f["period"].isna() | ~dup


def _range(ctx: Context) -> pd.Series:
    v = ctx.frame["value"].to_numpy(dtype="float64", na_value=np.nan)
    if ctx.known is None:
        return pd.Series(True, index=ctx.frame.index)
    codes, uniques = _id_codes(ctx)

    def bound(col: str) -> np.ndarray:
        if col not in ctx.known:
            return np.full(len(uniques) + 1, np.nan)
        u = pd.to_numeric(ctx.known[col].astype("object").reindex(uniques), errors="coerce")
        return np.append(u.to_numpy(dtype="float64", na_value=np.nan), np.nan)[codes]

    lo, hi = bound("plausible_min"), bound("plausible_max")
    with np.errstate(invalid="ignore"):
        ok = np.isnan(v) | ((np.isnan(lo) | (v >= lo)) & (np.isnan(hi) | (v <= hi)))
    return pd.Series(ok, index=ctx.frame.index, copy=False)


def _range_note(ctx: Context, i: int) -> str:
    mid = ctx.frame.at[i, "measure_id"]
    return f"expected {ctx.known.at[mid, 'plausible_min']} .. {ctx.known.at[mid, 'plausible_max']}"


def _dup_note(ctx: Context, i: int) -> str:
    f = ctx.frame
    if ctx.cache is None:
        dups = f[f.duplicated(KEY, keep=False) & f["period"].notna()]
        ctx.cache = {k: list(v) for k, v in dups.groupby(KEY, sort=False)["row_number"]}
    row = tuple(f.loc[i, KEY])
    others = [str(int(r)) for r in ctx.cache.get(row, []) if r != f.at[i, "row_number"]][:5]
    return f"{row[0]} {row[1]} {row[4]} also on row {', '.join(others)}"


RULES: list[Rule] = [
    _type_rule("value"), _type_rule("target"), _type_rule("numerator"), _type_rule("denominator"),
    _absurd_rule("value"), _absurd_rule("target"), _absurd_rule("numerator"), _absurd_rule("denominator"),
    Rule(BadPeriod, "period", lambda c: c.frame["period"].notna(),
         lambda c, i: ("empty period" if not c.frame.at[i, "period_raw"] else
                       "expected e.g. 2018-03, 2018-Q1, 2018, FY2019, 2018-03-31, Q1 2018 or 2017-18"),
         cell="period_raw"),
    Rule(UnknownMeasure, "measure_id", _unknown,
         lambda c, i: "empty measure id" if not c.frame.at[i, "measure_id"] else "create it as a draft or fix the id"),
    Rule(FrequencyMismatch, "period", _frequency,
         lambda c, i: f"measure is {c.known.at[c.frame.at[i, 'measure_id'], 'frequency']}, "
                      f"period is {c.grain_at(i)}", cell="period"),
    Rule(FuturePeriod, "period", _future, _future_note),
    Rule(DuplicateKey, "measure_id", _duplicate, _dup_note),
    Rule(OutOfRange, "value", _range, _range_note),
]


def _period_codes(frame: pd.DataFrame, fiscal_start_month: int) -> tuple[np.ndarray, list, list]:
    """(per-row code into the lists, grain per distinct label, start per distinct label);
    the last entry of each list stands for a missing period."""
    codes, uniques = pd.factorize(frame["period"], use_na_sentinel=True)
    codes[codes < 0] = len(uniques)
    codes = codes.astype("int32")
    grains, starts = [], []
    for label in uniques:
        try:
            p = periods.parse(label, fiscal_start_month)
            grains.append(p.grain)
            starts.append(pd.Timestamp(p.start))
        except periods.PeriodError:
            grains.append(None)
            starts.append(pd.NaT)
    return codes, grains + [None], starts + [pd.NaT]


def _period_facts(frame: pd.DataFrame, fiscal_start_month: int,
                  parsed: tuple[np.ndarray, list, list] | None = None) -> tuple[pd.Series, pd.Series]:
    """Grain and start date per row, parsing each distinct label once."""
    codes, grains, starts = parsed or _period_codes(frame, fiscal_start_month)
    grain = pd.Series(np.array(grains, dtype=object)[codes], index=frame.index)
    start = pd.Series(pd.DatetimeIndex(starts)[codes], index=frame.index)
    return grain, start


def _known_frame(known: pd.DataFrame | None) -> pd.DataFrame | None:
    if known is None:
        return None
    k = known.rename(columns={"measure_id": "id"})
    return k.drop_duplicates("id").set_index(k.drop_duplicates("id")["id"].astype(str))


def build_schema(ctx: Context, rules: list[Rule]) -> pa.DataFrameSchema:
    """One pandera Column per checked canonical column, one named Check per rule."""
    columns: dict[str, list[pa.Check]] = {}
    for n, rule in enumerate(rules):
        check = pa.Check(lambda _s, r=rule: r.passes(ctx), name=f"{n}:{rule.error.code}", ignore_na=False)
        columns.setdefault(rule.column, []).append(check)
    return pa.DataFrameSchema({c: pa.Column(nullable=True, checks=ch) for c, ch in columns.items()})


def validate(frame: pd.DataFrame, known_measures: pd.DataFrame | None = None, as_of: date | str | None = None,
             fiscal_start_month: int = settings.FISCAL_START_MONTH,
             error_limit: int = settings.ERROR_LIMIT, rules: list[Rule] | None = None,
             actual_kinds: tuple[str, ...] | list[str] = ()) -> IngestReport:
    """Check a canonical frame; every failing cell becomes an error naming row and column.

    `as_of` (a date; None skips the rule) bounds actuals: a period starting more than one
    reporting cycle after it is rejected. `actual_kinds` are the value kinds besides `actual`
    the upload loads as observations (the mapping's actual_kinds).

    `known_measures` has columns id (or measure_id), frequency, plausible_min, plausible_max;
    without it the unknown-measure, frequency and range rules only check for empty ids.
    """
    started = time.perf_counter()
    report = IngestReport(error_limit=error_limit)
    known = _known_frame(known_measures)
    rules = rules or RULES
    if known is None:
        rules = [r for r in rules if r.error not in (FrequencyMismatch, OutOfRange)]
    parsed = _period_codes(frame, fiscal_start_month)
    as_of_date = pd.Timestamp(as_of).date() if as_of is not None else None
    ctx = Context(frame, known, as_of_date, fiscal_start_month, periods=parsed[:2], starts=parsed[2],
                  actual_kinds=("actual", *actual_kinds))
    schema = build_schema(ctx, rules)
    try:
        schema.validate(frame, lazy=True, inplace=True)  # no copy: nothing is coerced
        failures = pd.DataFrame(columns=["check", "index"])
    except pa.errors.SchemaErrors as exc:
        failures = exc.failure_cases
    finally:
        # pandera keeps the schema registered on the frame, and the schema's checks hold the
        # context: without this the frame and the per-row codes would live as long as the process.
        schema.columns = {}
    failures = failures[failures["index"].notna()].sort_values("index", kind="stable")
    by_code = {f"{n}:{r.error.code}": r for n, r in enumerate(rules)}
    fields = frame.attrs.get("fields", {})
    source_cols = frame.attrs.get("columns", [])
    failures = failures[failures["check"].isin(list(by_code))]
    report.rejected_index = set(failures["index"].astype("int64"))
    for check, idx in zip(failures["check"][:error_limit], failures["index"][:error_limit], strict=True):
        rule = by_code[check]
        idx = int(idx)
        field = _field_of(frame, idx, rule.column, fields)
        cell = frame.at[idx, rule.cell or rule.column]
        report.add_error(rule.error(
            note=rule.note(ctx, idx), row_number=int(frame.at[idx, "row_number"]), field_name=field,
            field_number=source_cols.index(field) + 1 if field in source_cols else None,
            cell=None if cell is None or (isinstance(cell, float) and np.isnan(cell)) else _shown_cell(cell)))
    report.error_count = len(failures)
    if len(failures) > error_limit:
        report.partial = True
        report.info["limit_note"] = f"{len(failures)} errors; the first {error_limit} are listed"
    report.errors.sort(key=lambda e: (e.row_number or 0, e.field_number or 0))
    report.stats.update(rows=len(frame), rejected=len(report.rejected_index),
                        accepted=len(frame) - len(report.rejected_index),
                        seconds=round(time.perf_counter() - started, 4))
    return report


def _shown_cell(cell: object) -> str:
    """The cell as quoted in a message: long texts cut, with their length (a 5,000-digit number)."""
    t = str(cell)
    return t if len(t) <= CELL_SHOWN else f"{t[:CELL_SHOWN // 2]}… ({len(t):,} characters)"


def _field_of(frame: pd.DataFrame, idx: int, column: str, fields: dict[str, str]) -> str:
    """The source column a canonical cell came from (wide files: the period header)."""
    if column == "value" or (column == "period" and frame.attrs.get("layout") == "wide"):
        return str(frame.at[idx, "field_name"])
    return fields.get(column, column)
