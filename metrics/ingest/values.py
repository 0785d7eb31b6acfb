"""Vectorised cell cleaning shared by every reader.

Numbers: `3,000`, `$1,200.50`, `8.8%` and `(12)` are read in one vectorised pass;
texts that still fail keep their original text in a `*_raw` column so validation can
report them (a formula like `=HYPERLINK(...)` is never evaluated, only rejected).
Hostile numbers (`inf`, `NaN`, beyond ±`settings.MAX_ABS_VALUE`, more than
`settings.MAX_DIGITS` digits) are treated the same way: no value, the text kept, and
validation names the row, the column and why (`absurd_reason`).
Files repeat a handful of ids, labels and even values over many rows, so every cleaner here
works on each distinct cell once (`distinct`: pyarrow dictionary encoding, int32 codes) and
maps the result back; a column that needs no change is handed back as it is, sharing the
file's Arrow buffers instead of a copy (a 50 MB upload's dry run stays within its memory goal).
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


def arrow_text(s: pd.Series) -> pa.ChunkedArray:
    """A text column as Arrow `large_string`, without a copy when pandas already holds it so
    (the `str` dtype over the file's buffers)."""
    if is_coded(s):
        cats = pa.array(s.cat.categories.astype("object").to_numpy(), pa.large_string())
        codes = s.cat.codes.to_numpy()
        return pa.chunked_array([cats.take(pa.array(codes, pa.int32(), mask=codes < 0))])
    try:
        arr = pa.array(s.array) if s.dtype == "str" else None
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = None
    if arr is None:
        arr = pa.array(s.astype("object").to_numpy(dtype=object), pa.large_string(), from_pandas=True)
    if isinstance(arr, pa.Array):
        arr = pa.chunked_array([arr])
    return arr if arr.type == pa.large_string() else arr.cast(pa.large_string())


def is_coded(s: pd.Series) -> bool:
    """Whether a text column is held as codes into its distinct texts (a pandas categorical: how
    the reader keeps a file's cells, a few bytes a row instead of the text)."""
    return isinstance(s.dtype, pd.CategoricalDtype)


def distinct(s: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(int32 code per row, -1 where missing; the distinct texts as a `str` Series)."""
    if is_coded(s):
        cats = s.cat.categories
        return (s.cat.codes.to_numpy().astype("int32", copy=False),
                pd.Series(cats if cats.dtype == "str" else cats.astype("str")).reset_index(drop=True))
    s = s if s.dtype == "str" else s.astype("str")
    enc = pc.dictionary_encode(arrow_text(s))
    if enc.num_chunks == 0:
        return np.zeros(0, dtype="int32"), pd.Series([], dtype="str")
    dictionary = enc.chunk(enc.num_chunks - 1).dictionary  # chunked encoding shares one dictionary
    codes = pa.chunked_array([c.indices for c in enc.chunks], pa.int32()).fill_null(-1)
    codes = codes.combine_chunks().to_numpy(zero_copy_only=False) if codes.num_chunks else np.zeros(0, "int32")
    return codes, pd.Series(pd.array(dictionary, dtype="str"))


def _broadcast(per_unique: np.ndarray, codes: np.ndarray, missing: object) -> np.ndarray:
    """`per_unique[codes]`, `missing` where the code is -1."""
    return np.append(per_unique, np.asarray([missing], dtype=per_unique.dtype))[codes]


def is_missing(s: pd.Series, markers: tuple[str, ...] = settings.MISSING_MARKERS) -> pd.Series:
    """True where a cell is empty or a missing-value marker (`NA`, `No Data`, `-` ...)."""
    if s.dtype == "str" or is_coded(s):
        codes, uniques = distinct(s)
        hit = uniques.str.strip().isin(markers).to_numpy(dtype=bool)
        return pd.Series(_broadcast(hit, codes, True), index=s.index, copy=False)
    return s.isna() | s.str.strip().isin(markers)


def to_number(s: pd.Series, markers: tuple[str, ...] = settings.MISSING_MARKERS,
              ) -> tuple[pd.Series, pd.Series]:
    """(float values, raw text where a non-missing cell is not a number; else NA).

    Each distinct cell is read once (`_to_number_each`) and the results mapped back.
    """
    codes, uniques = distinct(s)
    values, raw = _to_number_each(uniques, markers)
    out = pd.Series(_broadcast(values.to_numpy(dtype="float64", na_value=np.nan), codes, np.nan),
                    index=s.index, dtype="float64", copy=False)  # pandas 3 would copy a fresh array
    bad = raw.notna().to_numpy()
    if not bad.any():
        return out, constant_str(None, s.index)
    return out, take_str(_texts(raw) + [None], np.where(codes < 0, len(raw), codes), s.index)


def _to_number_each(s: pd.Series, markers: tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    """`to_number` cell by cell (vectorised): plain numbers go through one pyarrow cast; only
    the cells that fail are cleaned (thousands separators, currency, percent, accounting
    negatives) and retried."""
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
    return pd.Series(out.to_numpy(zero_copy_only=False), index=s.index, dtype="float64", copy=False)


def to_period(s: pd.Series, grain: str | None = None,
              fiscal_start_month: int = settings.FISCAL_START_MONTH,
              fiscal_year: int | None = None) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(canonical period or NA, value kind from the label, raw text where unreadable).

    Each distinct label is parsed once; LA's `2017-18 Adopted` gives FY2018 and kind budget.
    """
    codes, uniques = distinct(s)
    texts = _texts(uniques)
    parsed = [period_of_label(str(u).strip(), grain, fiscal_start_month, fiscal_year) for u in texts]
    codes = np.where(codes < 0, len(parsed), codes)
    labels = [p for p, _ in parsed]
    missing = bool((codes == len(parsed)).any())
    coded = is_coded(s)
    if labels == texts and not missing and (s.dtype == "str" or coded):
        period = s  # every label already canonical: the file's own column, no copy
    else:
        period = remap(labels + [None], codes, s.index, coded)
    kinds = {k for _, k in parsed} | ({"actual"} if missing else set())
    kind = (constant_str(kinds.pop(), s.index) if len(kinds) == 1 else
            remap([k for _, k in parsed] + ["actual"], codes, s.index, coded))
    unread = [("" if u is None else u) if p is None else None for u, p in zip(texts, labels, strict=True)]
    if not missing and all(u is None for u in unread):
        raw = constant_str(None, s.index)
    else:
        raw = take_str(unread + [""], codes, s.index)
    return period, kind, raw


def remap(labels: list[str | None], codes: np.ndarray, index: pd.Index, coded: bool) -> pd.Series:
    """`labels[codes]`: codes again (a categorical) when the input was coded, else `str` text."""
    if not coded:
        return take_str(labels, codes, index)
    inv, cats = pd.factorize(pd.Series(labels, dtype="object"), use_na_sentinel=True)
    return pd.Series(pd.Categorical.from_codes(inv[codes], categories=pd.Index(list(cats), dtype="str")),
                     index=index)


def take_str(labels: list[str | None], codes: np.ndarray, index: pd.Index) -> pd.Series:
    """`labels[codes]` as a pandas `str` Series, built by pyarrow `take` (no Python objects)."""
    return pd.Series(pd.array(pa.array(labels, pa.large_string()).take(pa.array(codes)), dtype="str"), index=index)


_CONSTANTS: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def constant_str(value: str | None, index: pd.Index) -> pd.Series:
    """A `str` column holding one value (or all missing), cheap for a million rows.

    Built as `large_string` (what pandas' `str` dtype stores, so no conversion copy) and shared:
    Arrow arrays are immutable, so the several all-missing columns of a canonical frame (name,
    note, unit, the raw-text columns) point at one buffer instead of 13 MB each per million rows.
    The cache holds them weakly: nothing outlives the frames that use it.
    """
    if value is not None:  # one code per row (a byte), not a million copies of the text
        return pd.Series(pd.Categorical.from_codes(np.zeros(len(index), dtype="int8"),
                                                   categories=pd.Index([value], dtype="str")), index=index)
    key = (value, len(index))
    arr = _CONSTANTS.get(key)
    if arr is None:
        arr = _all_missing(len(index))
        _CONSTANTS[key] = arr
    return pd.Series(pd.array(arr, dtype="str"), index=index)


def _all_missing(n: int) -> pa.Array:
    """n missing texts over zeroed buffers from numpy (calloc): pages nobody writes cost no memory, so
    the dozen all-missing columns of a canonical frame (name, note, details, raw texts) are free
    instead of 8 bytes a row each."""
    offsets = pa.py_buffer(np.zeros(n + 1, dtype="int64"))
    validity = pa.py_buffer(np.zeros((n + 7) // 8, dtype="uint8"))
    return pa.LargeStringArray.from_buffers(n, offsets, pa.py_buffer(b""), validity, null_count=n)


def clean_text(s: pd.Series) -> pd.Series:
    """Trimmed text with missing markers as NA (names, units, notes); the column itself when
    no cell needs either (no copy of a million clean ids)."""
    if s.dtype != "str" and not is_coded(s):
        s = s.str.strip()
        return s.where(~s.isin(settings.MISSING_MARKERS))
    codes, uniques = distinct(s)
    cleaned = uniques.str.strip()
    cleaned = cleaned.where(~cleaned.isin(settings.MISSING_MARKERS))
    if cleaned.equals(uniques):
        return s
    return remap(_texts(cleaned) + [None], np.where(codes < 0, len(cleaned), codes), s.index, is_coded(s))


def strip(s: pd.Series) -> pd.Series:
    """Trimmed text (missing stays missing); the column itself when no cell has spaces to trim."""
    if s.dtype != "str" and not is_coded(s):
        return s.str.strip()
    codes, uniques = distinct(s)
    stripped = uniques.str.strip()
    if stripped.equals(uniques):
        return s
    return remap(_texts(stripped) + [None], np.where(codes < 0, len(stripped), codes), s.index, is_coded(s))


def as_str(s: pd.Series) -> pd.Series:
    """Codes back to plain `str` text, for columns whose consumers edit or format the text."""
    return s.astype("str") if is_coded(s) else s


def fill_text(s: pd.Series, value: str) -> pd.Series:
    """Missing cells set to `value`, codes kept as codes."""
    if is_coded(s):
        if not s.isna().any():
            return s
        if value not in s.cat.categories:
            s = s.cat.add_categories([value])
    return s.fillna(value)


def _texts(s: pd.Series) -> list[str | None]:
    return [None if pd.isna(v) else str(v) for v in s.tolist()]


def text_in(s: pd.Series, values: tuple[str, ...] | list[str] | set[str], lower: bool = False) -> pd.Series:
    """True where the trimmed (and, with `lower`, lower-cased) cell is one of `values`; decided once
    per distinct cell."""
    codes, uniques = distinct(s)
    u = uniques.str.strip()
    hit = (u.str.lower() if lower else u).isin(list(values)).to_numpy(dtype=bool)
    return pd.Series(_broadcast(hit, codes, False), index=s.index, copy=False)
