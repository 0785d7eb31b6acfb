"""Data leaving the product: canonical long rows (export CLI, downloads), as the reader may see them.

The rows come from the one visibility rule (sql/export.sql selects from visible_observations):
the public gets no draft, no measure of a non-public goal, and a suppressed breakdown cell
with an empty value (CSV) / null (JSON), never the number; staff get the raw values.
Downloads are neutralised against spreadsheet formulas by domain.text.to_csv.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from metrics.access import Actor
from metrics.domain import text
from metrics.domain.settings import Settings
from metrics.views import base

CANONICAL_COLUMNS = ["measure_id", "period", "dimension", "member", "value"]
neutralise = text.neutralise  # one rule for every download (domain.text)
to_csv = text.to_csv


def canonical_rows(conn_or_url: sa.Connection | str | None, actor: Actor | None,
                   measure_id: str | None = None, settings: Settings | None = None) -> pd.DataFrame:
    """Canonical long rows as `actor` may see them (suppressed counts have no value for the public)."""
    with base.read(conn_or_url, actor, settings) as reader:
        return reader.frame("export", measure_id=measure_id or "")[CANONICAL_COLUMNS]


def to_json(rows: pd.DataFrame) -> str:
    """Rows as a JSON array of records; a missing (suppressed) value is null."""
    return rows.to_json(orient="records", date_format="iso")
