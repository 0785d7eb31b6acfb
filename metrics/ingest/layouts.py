"""Source frame (strings) -> the canonical long frame, one function per layout.

Canonical columns (see `CANONICAL`): one row per measure x period x dimension/member x
value kind, values as floats. `*_raw` columns keep the original text only where a cell
could not be read, so validation can name the cell without re-reading the file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import settings
from .errors import BlankRow, DuplicateRow, IngestFailed, TotalsRow, UnknownColumn
from .mapping import Mapping, period_columns, slug
from .report import IngestReport
from .values import (
    as_str,
    clean_text,
    constant_str,
    distinct,
    fill_text,
    is_coded,
    is_missing,
    strip,
    text_in,
    to_number,
    to_period,
)

CANONICAL = ["measure_id", "measure_name", "period", "value_kind", "dimension", "member", "value", "target",
             "numerator", "denominator", "note", "unit", "direction", "department", "owner", "methodology",
             "row_number", "field_name"]
#: Text columns describing the measure (not the value): they fill the drafts an upload creates.
DETAILS = ("unit", "direction", "department", "owner", "methodology")
RAW = ["period_raw", "value_raw", "target_raw", "numerator_raw", "denominator_raw"]
KEY = ["measure_id", "period", "dimension", "member", "value_kind"]
#: Columns that may stay codes into their distinct texts (pandas categoricals, a byte or two a row):
#: they are compared and grouped, never edited. The other text columns are plain `str`.
CODED = (*KEY, "field_name")
_NUMERIC = ("value", "target", "numerator", "denominator")


def empty_frame() -> pd.DataFrame:
    """A canonical frame with no rows (what unreadable files produce)."""
    frame = pd.DataFrame({c: pd.Series(dtype="float64" if c in _NUMERIC else "object") for c in CANONICAL + RAW})
    frame["row_number"] = frame["row_number"].astype("int64")
    return frame


def drop_junk_rows(src: pd.DataFrame, mapping: Mapping, report: IngestReport) -> pd.DataFrame:
    """Skip blank rows and totals rows (no measure id, or a first cell saying Total), with warnings."""
    key = mapping.role("measure_id") or mapping.role("measure_name")
    if key is None or src.empty:
        return src
    junk = is_missing(src[key])
    first = src.columns[0]
    for col in {first, key, mapping.role("measure_name") or key}:
        junk |= text_in(src[col], settings.TOTAL_MARKERS, lower=True)
    if not junk.any():
        return src
    sub = src[junk]
    blank = np.logical_and.reduce([is_missing(sub[c]).to_numpy() for c in sub.columns])
    for row_number, is_blank in zip(sub.index, blank, strict=True):
        if is_blank:
            report.add_warning(BlankRow(row_number=int(row_number)))
        else:
            report.add_warning(TotalsRow(row_number=int(row_number), field_name=key,
                                         note="no measure id" if is_missing(sub.loc[[row_number], key]).iloc[0]
                                         else "first cell says total"))
    return src[~junk]


def _text(src: pd.DataFrame, col: str | None, default: str | None) -> pd.Series:
    if col is None:
        return constant_str(default, src.index)
    out = clean_text(src[col])
    return fill_text(out, default) if default is not None else out


def _ids(src: pd.DataFrame, mapping: Mapping) -> tuple[pd.Series, pd.Series]:
    id_col, name_col = mapping.role("measure_id"), mapping.role("measure_name")
    if id_col is None and name_col is None:
        raise IngestFailed(UnknownColumn(note="no measure id or name column; map one to measure_id"))
    names = as_str(_text(src, name_col, None))
    if id_col is None:
        ids = names.map(lambda n: slug(n) if n else "", na_action="ignore").fillna("")
    else:
        ids = strip(src[id_col])
    return ids, names


def _numbers(out: pd.DataFrame, src: pd.DataFrame, mapping: Mapping, roles: tuple[str, ...]) -> None:
    nan = pd.Series(np.full(len(src), np.nan), index=src.index, copy=False)  # shared (copy on write) by every absent role
    for role in roles:
        col = mapping.role(role)
        if col is None:
            out[role] = nan
            out[f"{role}_raw"] = constant_str(None, src.index)
        else:
            out[role], raw = to_number(src[col])
            out[f"{role}_raw"] = raw


def _percent_cells(src: pd.DataFrame, value_cols: list[str]) -> pd.Series:
    """True per row where a value cell is written as a percentage (Boston's `8.8%`)."""
    hit = np.zeros(len(src), dtype=bool)
    for col in value_cols:
        codes, uniques = distinct(src[col])
        found = uniques.str.contains("%", regex=False).to_numpy(dtype=bool, na_value=False)
        hit |= np.append(found, False)[codes]
    return pd.Series(hit, index=src.index, copy=False)


def _details(out: pd.DataFrame, src: pd.DataFrame, mapping: Mapping, value_cols: list[str]) -> None:
    """Unit, direction, department, owner, methodology as the file writes them (NA when not mapped).
    Without a unit column, values written `8.8%` give the unit `%`."""
    null = constant_str(None, src.index)  # one all-missing column shared by every detail the file lacks
    for role in DETAILS:
        col = mapping.role(role)
        out[role] = null if col is None else as_str(clean_text(src[col]))
    if mapping.role("unit") is None and value_cols and len(src):
        pct = _percent_cells(src, [c for c in value_cols if c in src.columns])
        if pct.any():
            out["unit"] = out["unit"].where(~pct, "%")


def to_long(src: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    """Long layout (also CityScore): one row per measure x period, columns mapped by role."""
    period_col, value_col = mapping.role("period"), mapping.role("value")
    missing = [r for r, c in (("period", period_col), ("value", value_col)) if c is None]
    if missing:
        raise IngestFailed(UnknownColumn(note=f"no column for {' and '.join(missing)}; map one in the mapping"))
    out = pd.DataFrame(index=src.index)
    out["measure_id"], out["measure_name"] = _ids(src, mapping)
    period, kind, praw = to_period(src[period_col], mapping.grain, mapping.fiscal_start_month, mapping.fiscal_year)
    out["period"], out["value_kind"], out["period_raw"] = period, kind, praw
    out["dimension"] = _text(src, mapping.role("dimension"), "")
    out["member"] = _text(src, mapping.role("member"), "")
    _numbers(out, src, mapping, _NUMERIC)
    out["note"] = as_str(_text(src, mapping.role("note"), None))
    _details(out, src, mapping, [value_col])
    out["row_number"] = src.index.to_numpy(dtype="int64")
    out["field_name"] = constant_str(value_col, src.index)
    frame = _finalise(out)
    frame.attrs["value_kinds"] = sorted(k for k in distinct(kind)[1].tolist() if isinstance(k, str) and k)
    return frame


def to_wide(src: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    """Wide layout: periods are columns. Melted one period column at a time (vectorised per
    column); `Target` columns fill `target`, a row-level target (NYC `Target.MMR`) applies
    to every actual value of its row."""
    pcols = period_columns(list(src.columns), mapping)
    if not pcols:
        raise IngestFailed(UnknownColumn(note="no period columns found (headers like 2019, FY2019, "
                                              "2017-18 Actuals, Q1 2018); list them in period_columns"))
    base = pd.DataFrame(index=src.index)
    base["measure_id"], base["measure_name"] = _ids(src, mapping)
    base["dimension"] = _text(src, mapping.role("dimension"), "")
    base["member"] = _text(src, mapping.role("member"), "")
    _numbers(base, src, mapping, ("target", "numerator", "denominator"))
    base["note"] = as_str(_text(src, mapping.role("note"), None))
    _details(base, src, mapping, list(pcols))
    base["row_number"] = src.index.to_numpy(dtype="int64")
    parts = []
    for order, (col, (period, kind)) in enumerate(pcols.items()):
        part = base.copy()
        part["value"], raw = to_number(src[col])
        part["value_raw"] = raw
        part["period"], part["period_raw"], part["value_kind"] = period, None, kind
        part["field_name"], part["_order"] = col, order
        parts.append(part)
    long = pd.concat(parts, ignore_index=True)
    is_target = long["value_kind"] == "target"
    if is_target.any():
        long = _fold_targets(long, is_target)
    long = long.sort_values(["row_number", "_order"], kind="stable")
    frame = _finalise(long)
    frame.attrs["value_kinds"] = sorted({kind for _, kind in pcols.values()})
    return frame


def _fold_targets(long: pd.DataFrame, is_target: pd.Series) -> pd.DataFrame:
    """Target columns become the `target` of the same measure/period's actual row."""
    tgt = long[is_target & (long["value"].notna() | long["value_raw"].notna())]
    tgt = tgt.assign(target=tgt["value"], target_raw=tgt["value_raw"], value=np.nan, value_raw=None,
                     value_kind="actual")
    rest = long[~is_target]
    keys = ["measure_id", "period", "dimension", "member", "value_kind", "row_number"]
    actual_keys = pd.MultiIndex.from_frame(rest[keys])
    hit = pd.MultiIndex.from_frame(tgt[keys]).isin(actual_keys)
    if hit.any():
        t = tgt[hit].set_index(keys)
        idx = rest.set_index(keys).index
        found = idx.isin(t.index)
        rest = rest.copy()
        rest.loc[found, "target"] = t["target"].reindex(idx[found]).to_numpy()
        rest.loc[found, "target_raw"] = t["target_raw"].reindex(idx[found]).to_numpy()
    return pd.concat([rest, tgt[~hit]], ignore_index=True)


def _finalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical column order, a fresh RangeIndex, pandas `str` dtype (missing = NaN) for text."""
    frame = frame[CANONICAL + RAW].reset_index(drop=True)
    for col in ("measure_id", "measure_name", "period", "value_kind", "dimension", "member", "note", *DETAILS,
                "field_name", *RAW):
        if frame[col].dtype != "str" and not (col in CODED and is_coded(frame[col])):  # codes stay codes
            frame[col] = frame[col].astype("str")
    return frame


def to_registry(src: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    """Measure-registry file: kept as rows of measure definitions, labels normalised."""
    from .mapping import norm_label

    src = src.astype({c: "str" for c in src.columns if is_coded(src[c])})  # a registry is small: plain text
    out = src.rename(columns={c: norm_label(c) for c in src.columns})
    id_col = mapping.role("measure_id")
    if id_col:
        out = out.rename(columns={norm_label(id_col): "measure_id"})
    out = out.apply(clean_text)
    out["row_number"] = src.index.to_numpy(dtype="int64")
    return out.reset_index(drop=True)


def key_ids(frame: pd.DataFrame, columns: list[str] = KEY) -> np.ndarray:
    """One int64 per row, equal iff the key columns are equal (missing counts as a value).

    pyarrow dictionary-encodes each column and the codes are combined arithmetically,
    which is several times faster than `DataFrame.duplicated` on string columns.
    """
    ids = np.zeros(len(frame), dtype="int64")
    for col in columns:
        codes, uniques = distinct(frame[col])
        ids *= len(uniques) + 1  # in place: no million-row temporaries per column
        ids += codes
        ids += 1
        if ids.size and ids.max() > 2**40:
            ids = pd.factorize(ids)[0].astype("int64")
    return ids


def has_repeats(ids: np.ndarray) -> bool:
    """Whether any id occurs twice: one sort of a copy, far less memory than a hash table of a
    million keys (the common case, a file without repeated keys, stops here)."""
    ordered = np.sort(ids)
    return bool(ordered.size > 1 and (ordered[1:] == ordered[:-1]).any())


def drop_exact_duplicates(frame: pd.DataFrame, report: IngestReport) -> pd.DataFrame:
    """Identical canonical rows (same key and same numbers) are kept once, with a warning.
    Only rows whose key repeats are compared in full, so clean files pay one `duplicated`."""
    ids = key_ids(frame)
    if not has_repeats(ids):
        return frame
    dup_key = pd.Series(ids).duplicated(keep=False).to_numpy()
    sub = frame[dup_key]
    cols = [c for c in CANONICAL if c not in ("row_number", "field_name")]
    exact = sub.duplicated(cols, keep="first")
    first = sub.groupby(cols, dropna=False, sort=False)["row_number"].transform("first")
    seen: set[int] = set()
    for row_number, first_row in zip(sub.loc[exact, "row_number"], first[exact], strict=True):
        if int(row_number) not in seen:
            seen.add(int(row_number))
            report.add_warning(DuplicateRow(row_number=int(row_number), note=f"row {int(first_row)}"))
    return frame.drop(index=sub.index[exact])
