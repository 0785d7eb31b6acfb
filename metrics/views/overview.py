"""The Overview: the city score and its movement, movers, what is stale, every goal with its measures.

One snapshot (views.base.read) gives measures, goals, the last few aggregate rows of each
measure, the short history the composite's movement needs, and targets, as the reader may
see them: a goal-scoped share link gets only its goal's measures. The headline is the score
view's computation (views.score.scores) on the same reader, so the page and
`python -m metrics score` agree; the stale rule and the cap are the city's settings.
The priority / department / status filters narrow the goal cards only; the headline always
covers every measure that counts. Only published measures count (drafts, such as the ones an
upload creates, stay out of the score, the counts, movers, stale list and goal cards until
published); staff may pass `include_drafts=True` to count them too, each row marked by its
`state`. For a public reader the filter is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa

from metrics.access import Actor
from metrics.domain import overview, scoring
from metrics.domain.settings import Settings
from metrics.domain.vocabulary import STATUSES, status_label
from metrics.views import base
from metrics.views import score as score_view

MEASURE_COLUMNS = ["measure_id", "name", "kind", "period", "actual", "target", "status", "status_label",
                   "change_prev_pct", "unit", "state"]
MOVER_COLUMNS = ["measure_id", "name", "period", "actual", "unit", "improvement", "state"]
STALE_COLUMNS = ["measure_id", "name", "period", "due", "department", "goal_name", "state"]


@dataclass(frozen=True)
class GoalCard:
    id: str
    name: str
    statement: str
    target_date: str
    priority_name: str
    counts: tuple[tuple[str, int], ...]  # (status code, measures) for the statuses present, vocabulary order
    outcome_measures: int  # 0: the goal counts activity, not results for residents
    measures: pd.DataFrame  # MEASURE_COLUMNS, the rows the filters keep
    drafts: int = 0  # draft measures counted in `counts` (only when include_drafts)


@dataclass(frozen=True)
class PrioritySection:
    name: str
    goals: tuple[GoalCard, ...]


@dataclass(frozen=True)
class OverviewView:
    version: int
    city_name: str
    today: date
    data_as_of: date | None  # end of the latest period this reader may see
    updated_at: str | None  # when data last changed
    composite: scoring.Composite
    cap: float  # the composite cap in force (Settings.composite_cap)
    movement: pd.DataFrame  # composite_series over the last 12 months
    movement_delta: tuple[float, str] | None  # (percentage points, since which label)
    counts: dict[str, int]  # measures per status code (every status present, zeros included)
    n_measures: int
    improvers: pd.DataFrame  # MOVER_COLUMNS
    decliners: pd.DataFrame
    stale: pd.DataFrame  # STALE_COLUMNS, earliest due first
    status: pd.DataFrame  # every measure's latest status, goal and priority attached
    priorities: tuple[str, ...]  # filter options: names of priorities with a visible goal
    departments: tuple[str, ...]
    priority: str | None  # the filters applied (None = all)
    department: str | None
    status_filter: str | None  # a status code
    sections: tuple[PrioritySection, ...]  # goal cards after the filters, grouped by priority
    staff: bool = False  # the reader may see drafts (and so may ask to count them)
    include_drafts: bool = False  # drafts are counted (staff asked; always False for the public)
    drafts: int = 0  # draft measures counted in the headline and counts (0 unless include_drafts)
    drafts_left_out: int = 0  # visible draft measures left out (0 when include_drafts)


def status_code(status: str | None) -> str | None:
    """A status filter given as a code ('on_track') or its label ('On track') -> the code."""
    if not status:
        return None
    if status in STATUSES:
        return status
    return next((k for k, s in STATUSES.items() if s.label == status), status)


def _as_date(value: object) -> date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _sections(status: pd.DataFrame, goals: pd.DataFrame, shown: pd.DataFrame) -> tuple[PrioritySection, ...]:
    rollup = overview.goal_rollup(status, goals).set_index("id")
    rows = shown.assign(status_label=shown["status"].map(status_label))
    out = []
    for prio_name, prio_rows in rows.groupby("priority_name", sort=False):
        cards = []
        for goal_id, part in prio_rows.groupby("goal_id", sort=False):
            if goal_id not in rollup.index:
                continue
            g = rollup.loc[goal_id]
            cards.append(GoalCard(
                id=str(goal_id), name=str(g["name"]), statement="" if pd.isna(g["statement"]) else str(g["statement"]),
                target_date="" if pd.isna(g["target_date"]) else str(g["target_date"]),
                priority_name=str(prio_name),
                counts=tuple((s, int(g[s])) for s in STATUSES if g[s]),
                outcome_measures=int(g["outcome_measures"]),
                measures=part[MEASURE_COLUMNS].reset_index(drop=True),
                drafts=int(((status["goal_id"] == goal_id) & (status["state"] == overview.DRAFT_STATE)).sum())))
        if cards:
            out.append(PrioritySection(str(prio_name), tuple(cards)))
    return tuple(out)


def build(conn_or_url: sa.Connection | str | None, actor: Actor | None, settings: Settings | None = None, *,
          today: date | None = None, priority: str | None = None, department: str | None = None,
          status: str | None = None, include_drafts: bool = False) -> OverviewView:
    """Everything the Overview draws for `actor` on `today` (default: the current date); published
    measures only unless a staff reader passes `include_drafts=True`."""
    day = today or date.today()
    code = status_code(status)
    with base.read(conn_or_url, actor, settings) as r:
        s = score_view.scores(r, day, include_drafts)
        goals = r.frame("goals")
        history = overview.of_measures(r.frame("composite_history", since=overview.movement_since(day)), s.measures)
        facts = r.frame("data_status")
        summ = overview.summary(s.measures, s.recent, history, s.targets, day, cap=r.settings.composite_cap,
                                grace_days=r.settings.grace_days, scored=(s.status, s.composite))
        version, city, cap, staff = r.version, r.settings.city_name, r.settings.composite_cap, r.vis.staff
    every = summ.status
    shown = every
    if priority:
        shown = shown[(shown["priority_name"] == priority) | (shown["priority_id"] == priority)]
    if department:
        shown = shown[shown["department"] == department]
    if code:
        shown = shown[shown["status"] == code]
    counts = {k: int((every["status"] == k).sum()) for k in STATUSES}
    updated = facts["data_updated_at"].iloc[0] if not facts.empty else None
    return OverviewView(
        version=version, city_name=city, today=day,
        data_as_of=_as_date(summ.latest_end), updated_at=None if updated is None or pd.isna(updated) else str(updated),
        composite=summ.composite, cap=cap, movement=summ.movement,
        movement_delta=overview.movement_delta(summ.movement), counts=counts, n_measures=len(every),
        improvers=summ.movers.improvers[MOVER_COLUMNS], decliners=summ.movers.decliners[MOVER_COLUMNS],
        stale=summ.stale[STALE_COLUMNS], status=every,
        priorities=tuple(goals.drop_duplicates("priority_id")["priority_name"].tolist()),
        departments=tuple(sorted(s.measures["department"].dropna().unique().tolist())),
        priority=priority or None, department=department or None, status_filter=code,
        sections=_sections(every, goals, shown), staff=staff, include_drafts=s.include_drafts,
        drafts=int((every["state"] == overview.DRAFT_STATE).sum()), drafts_left_out=s.drafts_left_out)
