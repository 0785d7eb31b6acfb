"""Open data: every observation the reader may see, and a data dictionary of the measures.

What `python -m metrics publish` writes as CSV, JSON and Parquet, read through the one
visibility rule like every other screen: for the public portal no draft, no measure of a
non-public goal, and a suppressed breakdown cell with no value (`suppressed` true). The
dictionary carries what a resident needs to use a figure (unit, direction, frequency,
methodology, source, when it last changed and when the next one is due) and leaves out
staff facts such as the owner's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa

from metrics.access import Actor
from metrics.domain import scoring
from metrics.domain.settings import Settings
from metrics.domain.vocabulary import DIRECTION_LABELS, FREQUENCY_LABELS
from metrics.views import base

ROW_COLUMNS = ["measure_id", "measure_name", "unit", "period", "period_end", "dimension", "member", "value",
               "suppressed"]
DICTIONARY_COLUMNS = ["measure_id", "name", "goal_id", "goal", "priority", "kind", "unit", "direction", "frequency",
                      "department", "data_source", "methodology", "first_period", "last_period", "covers_from", "covers_to",
                      "last_updated", "next_due", "periods"]
TARGET_COLUMNS = ["measure_id", "effective_from", "effective_to", "value", "tolerance"]
# The data dictionary's field list: what each column of the observations file means.
FIELDS: list[dict[str, str]] = [
    {"name": "measure_id", "type": "string", "description": "The measure's identifier (see the dictionary)."},
    {"name": "measure_name", "type": "string", "description": "The measure's name."},
    {"name": "unit", "type": "string", "description": "What the value counts or measures (households, %, USD...)."},
    {"name": "period", "type": "string",
     "description": "The reporting period: 2018-03 (month), 2018-Q1 (quarter), 2018 (year), FY2019 (fiscal year)."},
    {"name": "period_end", "type": "date", "description": "The last day of the period (ISO 8601)."},
    {"name": "dimension", "type": "string",
     "description": "The breakdown (district, race...); empty for the citywide figure."},
    {"name": "member", "type": "string", "description": "The group within the breakdown (district 3...); empty "
                                                        "for the citywide figure."},
    {"name": "value", "type": "number", "description": "The figure; empty where it is suppressed."},
    {"name": "suppressed", "type": "boolean",
     "description": "True where a small count (or the cell that would reveal one) is withheld to protect privacy."},
]


@dataclass(frozen=True)
class OpenData:
    version: int
    city_name: str
    updated_at: str | None  # when data last changed (ISO)
    data_as_of: date | None  # end of the latest period in `rows`
    suppress_below: int
    rows: pd.DataFrame  # ROW_COLUMNS, long form, oldest first per measure
    dictionary: pd.DataFrame  # DICTIONARY_COLUMNS, one row per measure (catalogue order)
    targets: pd.DataFrame  # TARGET_COLUMNS: each measure's targets over time (no who or why: staff facts)


def _iso(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date().isoformat()


def _stamp(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).isoformat(timespec="seconds")


def dictionary_frame(measures: pd.DataFrame, fresh: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """One row per measure: the metadata a reader needs and when the next figure is due."""
    f = fresh.set_index("measure_id") if not fresh.empty else pd.DataFrame()
    rows = []
    for m in measures.itertuples(index=False):
        mid = str(m.id)
        got = f.loc[mid] if mid in f.index else None
        last = None if got is None else str(got["last_period"])
        due = None
        if got is not None:
            try:
                due = scoring.due_date(last, got["last_period_end"], settings.grace_days).date().isoformat()
            except (ValueError, KeyError):
                due = None
        rows.append({
            "measure_id": mid, "name": m.name, "goal_id": m.goal_id, "goal": m.goal_name, "priority": m.priority_name,
            "kind": m.kind, "unit": m.unit, "direction": DIRECTION_LABELS.get(m.direction, m.direction),
            "frequency": FREQUENCY_LABELS.get(m.frequency, m.frequency), "department": m.department,
            "data_source": m.data_source, "methodology": m.methodology,
            "first_period": None if got is None else str(got["first_period"]), "last_period": last,
            "covers_from": None if got is None else _iso(got["first_period_start"]),
            "covers_to": None if got is None else _iso(got["last_period_end"]),
            "last_updated": None if got is None else _stamp(got["last_updated"]), "next_due": due,
            "periods": 0 if got is None else int(got["n_periods"])})
    return pd.DataFrame(rows, columns=DICTIONARY_COLUMNS)


def build(conn_or_url: sa.Connection | str | None, actor: Actor | None, settings: Settings | None = None
          ) -> OpenData:
    """The open-data files' content as `actor` may see them (the public portal for `publish`)."""
    with base.read(conn_or_url, actor, settings) as r:
        measures = r.frame("measures")
        obs = r.frame("open_observations")
        fresh = r.frame("measure_freshness")
        targets = r.frame("targets")[TARGET_COLUMNS]
        facts = r.frame("data_status")
        version, cfg, threshold = r.version, r.settings, r.vis.suppress_below
    names = measures.set_index("id")
    rows = obs[obs["measure_id"].isin(names.index)].assign(
        measure_name=lambda d: d["measure_id"].map(names["name"]),
        unit=lambda d: d["measure_id"].map(names["unit"]),
        period_end=lambda d: pd.to_datetime(d["period_end"]).dt.date.astype("string"),
        suppressed=lambda d: d["suppressed"].fillna(False).astype(bool),
        value=lambda d: d["value"].astype(float))
    if not r.vis.staff:  # the rule already emptied these cells; never let a number through to a file
        rows.loc[rows["suppressed"], "value"] = float("nan")
    updated = facts["data_updated_at"].iloc[0] if not facts.empty else None
    latest = fresh["last_period_end"].max() if not fresh.empty else None
    return OpenData(version=version, city_name=cfg.city_name,
                    updated_at=None if updated is None or pd.isna(updated) else str(updated),
                    data_as_of=None if latest is None or pd.isna(latest) else pd.Timestamp(latest).date(),
                    suppress_below=threshold, rows=rows[ROW_COLUMNS].reset_index(drop=True),
                    dictionary=dictionary_frame(measures, fresh, cfg), targets=targets.reset_index(drop=True))

