"""Data leaving the product: canonical long CSV/JSON, safe to open in a spreadsheet.

A cell that starts with = + - @ (or a tab/CR) is a formula to Excel, so text cells get a
leading apostrophe. Numbers are left alone: a negative value is data, not a formula.
"""

from __future__ import annotations

import pandas as pd

from metrics import queries

CANONICAL_COLUMNS = ["measure_id", "period", "dimension", "member", "value"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            s = out[col].astype("string")
            risky = s.str.startswith(_FORMULA_START).fillna(False)
            out[col] = s.where(~risky, "'" + s)
    return out


def to_csv(frame: pd.DataFrame) -> str:
    return neutralise(frame).to_csv(index=False, lineterminator="\n", float_format="%.15g")


def canonical_rows(measure_id: str | None = None, public_only: bool = False, url: str | None = None) -> pd.DataFrame:
    return queries.fetch("export", url=url, measure_id=measure_id or "", public_only=public_only)[CANONICAL_COLUMNS]
