"""The mayor's one-screen read, assembled from measures, recent values and targets.

Only the last few periods of each measure are fetched (sql/recent_aggregates.sql), so
the Overview costs the same on a city with fifteen years of history as on one with two.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from metrics import scoring

RECENT_DEPTH = 13  # latest + previous + same period last year for monthly measures


def measure_status(measures: pd.DataFrame, recent: pd.DataFrame, targets: pd.DataFrame,
                   as_of: date | pd.Timestamp | str) -> pd.DataFrame:
    """Latest status per measure with goal/priority columns attached for grouping."""
    status = scoring.latest_status(measures, recent, targets, as_of)
    keep = ["id", "kind", "department", "goal_id", "goal_name", "priority_id", "priority_name", "state", "is_public"]
    return status.merge(measures[keep].rename(columns={"id": "measure_id"}), on="measure_id", how="left")


def goal_rollup(status: pd.DataFrame, goals: pd.DataFrame) -> pd.DataFrame:
    """Per goal: how many measures are in each status, and whether it has an outcome measure."""
    counts = (status.pivot_table(index="goal_id", columns="status", values="measure_id", aggfunc="count", fill_value=0)
              .reindex(columns=list(scoring.STATUSES), fill_value=0))
    outcomes = status[status["kind"] == "outcome"].groupby("goal_id")["measure_id"].count().rename("outcome_measures")
    out = goals.set_index("id").join(counts, how="left").join(outcomes, how="left").fillna(
        {s: 0 for s in scoring.STATUSES} | {"outcome_measures": 0})
    for col in [*scoring.STATUSES, "outcome_measures"]:
        out[col] = out[col].astype(int)
    out["measures"] = out[list(scoring.STATUSES)].sum(axis=1)
    return out.reset_index().rename(columns={"index": "id"})


def status_label(status: str) -> str:
    style = scoring.STATUSES.get(status)
    return f"{style.symbol} {style.label}" if style else status
