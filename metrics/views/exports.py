"""Data leaving the product: canonical long CSV/JSON, safe to open in a spreadsheet.

A cell that starts with = + - @ (or a tab/CR) is a formula to Excel, so text cells get a
leading apostrophe. Numbers are left alone: a negative value is data, not a formula.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from metrics.access import Actor
from metrics.views import base

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


def canonical_rows(conn_or_url: sa.Connection | str | None, actor: Actor | None,
                   measure_id: str | None = None) -> pd.DataFrame:
    """Canonical long rows as `actor` may see them (suppressed counts have no value for the public)."""
    with base.read(conn_or_url, actor) as reader:
        return reader.frame("export", measure_id=measure_id or "")[CANONICAL_COLUMNS]
