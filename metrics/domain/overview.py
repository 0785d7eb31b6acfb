"""The mayor's one-screen read, assembled from measures, recent values and targets.

The Overview reads each measure's periods already judged at commit time (sql/measure_scores.sql,
from the first point of its movement chart on; see domain.rollup), so it costs the same on a city
with fifteen years of history as on one with two; `scorecard` and `summary` still take raw recent
rows for callers that have them. Pure pandas: the cap and the stale rule are the city's settings,
passed in by the view.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics.domain import periods, rollup, scoring
from metrics.domain.vocabulary import status_label  # noqa: F401 - the page's status column wording

RECENT_DEPTH = 13  # latest + previous + same period last year for monthly measures
COUNTED_STATES = frozenset({"published"})  # what the score, the composite, counts, movers and stale consider
DRAFT_STATE = "draft"


def counted_measures(measures: pd.DataFrame, include_drafts: bool = False) -> pd.DataFrame:
    """The measures that count: published ones, plus drafts when staff ask for them.

    A draft (e.g. one an upload created for an unknown id) never moves what the mayor sees
    until someone publishes it; a retired measure never counts. Rows without a `state`
    column (a hand-built frame) are taken as published.
    """
    if "state" not in measures.columns:
        return measures
    states = COUNTED_STATES | {DRAFT_STATE} if include_drafts else COUNTED_STATES
    return measures[measures["state"].fillna("published").isin(states)].reset_index(drop=True)


def of_measures(frame: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    """Rows of `frame` (observations, targets) that belong to one of `measures`."""
    if frame.empty or "measure_id" not in frame.columns:
        return frame
    return frame[frame["measure_id"].isin(measures["id"])].reset_index(drop=True)


def measure_status(measures: pd.DataFrame, recent: pd.DataFrame, targets: pd.DataFrame,
                   as_of: date | pd.Timestamp | str, *, cap: float = scoring.DEFAULT_CAP,
                   grace_days: int | Mapping[str, int] | None = None) -> pd.DataFrame:
    """Latest status per measure with goal/priority columns attached for grouping.

    `cap` and `grace_days` are the city's settings (Settings.composite_cap, Settings.grace_days):
    the Overview and the score CLI pass the same ones, so they agree on what is stale.
    """
    status = scoring.latest_status(measures, recent, targets, as_of, cap=cap, grace_days=grace_days)
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


def scorecard(measures: pd.DataFrame, recent: pd.DataFrame, targets: pd.DataFrame,
              as_of: date | pd.Timestamp | str, *, cap: float = scoring.DEFAULT_CAP,
              grace_days: int | Mapping[str, int] | None = None) -> tuple[pd.DataFrame, scoring.Composite]:
    """Every measure's status as of a day and the city composite: what the Overview headline and
    `python -m metrics score` both show (one computation, so the two can't differ)."""
    status = measure_status(measures, recent, targets, as_of, cap=cap, grace_days=grace_days)
    return status, scoring.composite_from_status(status, cap=cap)


def scorecard_from_rows(measures: pd.DataFrame, rows: pd.DataFrame, as_of: date | pd.Timestamp | str, *,
                        cap: float = scoring.DEFAULT_CAP, grace_days: int | Mapping[str, int] | None = None
                        ) -> tuple[pd.DataFrame, scoring.Composite]:
    """scorecard() from stored score rows (domain.rollup): the same frame and composite, without
    replaying each measure's history."""
    status = rollup.status_at(measures, rows, as_of, cap=cap, grace_days=grace_days)
    keep = ["id", "kind", "department", "goal_id", "goal_name", "priority_id", "priority_name", "state", "is_public"]
    status = status.merge(measures[keep].rename(columns={"id": "measure_id"}), on="measure_id", how="left")
    return status, scoring.composite_from_status(status, cap=cap)


def movement_from_rows(measures: pd.DataFrame, rows: pd.DataFrame, today: date | pd.Timestamp | str, *,
                       cap: float = scoring.DEFAULT_CAP, grace_days: int | Mapping[str, int] | None = None
                       ) -> pd.DataFrame:
    """The composite's movement (composite_series over movement_points) from stored score rows."""
    return rollup.series(measures, rows, movement_points(today), cap=cap, grace_days=grace_days)


MOVEMENT_MONTHS = 12


def movement_points(today: date | pd.Timestamp | str, months: int = MOVEMENT_MONTHS) -> list:
    """As-of points for the composite's movement: the last `months` month ends, then today."""
    this = periods.label_of(pd.Timestamp(today), "month")
    labels = periods.period_range(periods.shift(this, -months), periods.shift(this, -1))
    return [*labels, pd.Timestamp(today).normalize()]


def movement_since(today: date | pd.Timestamp | str, months: int = MOVEMENT_MONTHS) -> date:
    """The date the stored score rows (sql/measure_scores.sql) are needed from: the first as-of point."""
    return periods.parse(movement_points(today, months)[0]).end


@dataclass(frozen=True)
class Summary:
    status: pd.DataFrame
    composite: scoring.Composite
    movement: pd.DataFrame  # composite_series output
    movers: scoring.Movers
    stale: pd.DataFrame  # measure_id, name, period, due, department, goal_name, state
    latest_end: pd.Timestamp | None


def summary(measures: pd.DataFrame, recent: pd.DataFrame, history: pd.DataFrame, targets: pd.DataFrame,
            today: date | pd.Timestamp | str, n_movers: int = 5, *, cap: float = scoring.DEFAULT_CAP,
            grace_days: int | Mapping[str, int] | None = None,
            scored: tuple[pd.DataFrame, scoring.Composite] | None = None,
            movement: pd.DataFrame | None = None) -> Summary:
    """Everything the Overview shows, from the recent rows and the short composite history.

    `scored` is scorecard()'s result for the same rows and day when the caller has it already, and
    `movement` composite_series' (e.g. movement_from_rows); `history` and `targets` are then unused.
    """
    status, comp = scored or scorecard(measures, recent, targets, today, cap=cap, grace_days=grace_days)
    if movement is None:
        movement = scoring.composite_series(measures, history, targets, movement_points(today), cap=cap,
                                            grace_days=grace_days)
    mv = scoring.movers(status, n=n_movers)
    stale = status[status["status"] == "stale"].copy()
    stale["due"] = [scoring.due_date(p, e, grace_days).date()
                    for p, e in zip(stale["period"], stale["period_end"], strict=True)]
    stale = stale[["measure_id", "name", "period", "due", "department", "goal_name", "state"]].sort_values("due")
    ends = pd.to_datetime(recent["period_end"]) if not recent.empty else pd.Series(dtype="datetime64[ns]")
    return Summary(status, comp, movement, mv, stale.reset_index(drop=True),
                   None if ends.empty else ends.max())


def movement_delta(movement: pd.DataFrame) -> tuple[float, str] | None:
    """Change in the composite (percentage points) from the earliest scored as-of point to now."""
    scored = movement[movement["score"].notna()]
    if len(scored) < 2:
        return None
    first, last = scored.iloc[0], scored.iloc[-1]
    return 100 * (last["score"] - first["score"]), str(first["label"])
