"""The Overview: the city score and its movement, movers, what is stale, every goal with its measures.

One snapshot (views.base.read) gives measures, goals and the stored score rows (schema v11,
kept by every write) of each measure from the first point of the movement chart on, as the
reader may see them: a goal-scoped share link gets only its goal's measures. The headline is the score
view's computation (views.score.scores) on the same reader, so the page and
`python -m metrics score` agree; the stale rule and the cap are the city's settings.
The priority / department / status filters narrow everything: the score, its chart, the status
counts, movers, the stale list and the goal cards are all of the measures the filters keep (with
no filter, every measure that counts, as `python -m metrics score` reports). Only published measures count (drafts, such as the ones an
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
    headline: Headline | None = None  # None: no outcome measure with data


@dataclass(frozen=True)
class Headline:
    """A goal card's headline outcome: its first outcome measure's latest figure against target."""
    measure_id: str
    name: str
    period: str
    actual: float | None
    target: float | None
    unit: str
    status: str


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
    filtered: bool = False  # a filter narrows what every figure covers
    pulled_down: tuple[tuple[str, str, float], ...] = ()  # (measure id, name, points below 100) worst first
    changes: tuple[str, ...] = ()  # what changed since the previous period, one sentence each


def points_below(pts: float) -> str:
    """'−0.3 pts', or '< 0.1 pts' when a measure's pull rounds to nothing (never '−0.0 pts')."""
    return f"−{pts:.1f} pts" if round(pts, 1) > 0 else "less than 0.1 pts"


def movement_words(delta: tuple[float, str] | None, digits: int = 1) -> tuple[str | None, int]:
    """('+1.2 pts since 2025-11', +1) as shown: rounded first, so a change that rounds to nothing
    reads "no change" (0) rather than "-0.0 pts" with a red arrow."""
    if delta is None:
        return None, 0
    pts, since = delta
    shown = round(pts, digits)
    if shown == 0:
        return f"no change since {since}", 0
    return f"{shown:+.{digits}f} pts since {since}", 1 if shown > 0 else -1


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


def _headlines(rows: pd.DataFrame) -> dict[str, Headline]:
    """Each goal's first outcome measure that has a figure (name order), as its card's headline."""
    outcomes = rows[(rows["kind"] == "outcome") & rows["actual"].notna()]
    firsts = outcomes.sort_values("name", kind="stable").drop_duplicates("goal_id")
    return {str(o.goal_id): Headline(
        measure_id=str(o.measure_id), name=str(o.name), period=str(o.period), actual=float(o.actual),
        target=None if pd.isna(o.target) else float(o.target), unit="" if pd.isna(o.unit) else str(o.unit),
        status=str(o.status)) for o in firsts.itertuples(index=False)}


def _sections(status: pd.DataFrame, goals: pd.DataFrame, shown: pd.DataFrame) -> tuple[PrioritySection, ...]:
    """Goal cards grouped by priority; one pass per table (not one filter per goal), so a city with
    hundreds of goals costs the same few operations."""
    rollup = overview.goal_rollup(shown, goals).set_index("id")
    rows = shown.assign(status_label=shown["status"].map(status_label))
    tables = {str(k): t.reset_index(drop=True) for k, t in rows[MEASURE_COLUMNS + ["goal_id"]].groupby(
        "goal_id", sort=False)}
    drafts = (rows["state"] == overview.DRAFT_STATE).groupby(rows["goal_id"]).sum()
    heads = _headlines(rows)
    order = rows[["priority_name", "goal_id"]].drop_duplicates()
    out: dict[str, list[GoalCard]] = {}
    for prio_name, goal_id in order.itertuples(index=False):
        if pd.isna(prio_name) or pd.isna(goal_id) or goal_id not in rollup.index:
            continue
        g = rollup.loc[goal_id]
        out.setdefault(str(prio_name), []).append(GoalCard(
            id=str(goal_id), name=str(g["name"]), statement="" if pd.isna(g["statement"]) else str(g["statement"]),
            target_date="" if pd.isna(g["target_date"]) else str(g["target_date"]),
            priority_name=str(prio_name),
            counts=tuple((s, int(g[s])) for s in STATUSES if g[s]),
            outcome_measures=int(g["outcome_measures"]),
            measures=tables[str(goal_id)][MEASURE_COLUMNS],
            drafts=int(drafts.get(goal_id, 0)), headline=heads.get(str(goal_id))))
    return tuple(PrioritySection(name, tuple(cards)) for name, cards in out.items())


def _changes(movers: scoring.Movers, counts: dict[str, int], n: int) -> tuple[str, ...]:
    """What changed since the previous period, in a few sentences a mayor can read aloud."""
    out = []
    better, worse = movers.improvers, movers.decliners
    if not better.empty:
        b = better.iloc[0]
        out.append(f"Most improved: {b['name']} ({b['improvement']:+.0f}% better, {b['period']}).")
    if not worse.empty:
        w = worse.iloc[0]
        out.append(f"Most worsened: {w['name']} ({-w['improvement']:.0f}% worse, {w['period']}).")
    if counts.get("stale"):
        out.append(f"{counts['stale']} of {n} measures are overdue with new data.")
    return tuple(out)


def build(conn_or_url: sa.Connection | str | None, actor: Actor | None, settings: Settings | None = None, *,
          today: date | None = None, priority: str | None = None, department: str | None = None,
          status: str | None = None, include_drafts: bool = False) -> OverviewView:
    """Everything the Overview draws for `actor` on `today` (default: the current date); published
    measures only unless a staff reader passes `include_drafts=True`."""
    day = today or date.today()
    code = status_code(status)
    with base.read(conn_or_url, actor, settings) as r:
        s = score_view.scores(r, day, include_drafts, since=overview.movement_since(day))
        goals = r.frame("goals")
        facts = r.frame("data_status")
        version, city, cap, staff = r.version, r.settings.city_name, r.settings.composite_cap, r.vis.staff
        grace = r.settings.grace_days
    kept = s.status
    if priority:
        kept = kept[(kept["priority_name"] == priority) | (kept["priority_id"] == priority)]
    if department:
        kept = kept[kept["department"] == department]
    if code:
        kept = kept[kept["status"] == code]
    filtered = len(kept) != len(s.status)
    if filtered:  # everything on the page is of the measures the filters keep
        measures = s.measures[s.measures["id"].isin(kept["measure_id"])]
        scored = (kept.reset_index(drop=True), scoring.composite_from_status(kept, cap=cap))
        rows = overview.of_measures(s.rows, measures)
    else:
        measures, scored, rows = s.measures, (s.status, s.composite), s.rows
    movement = overview.movement_from_rows(measures, rows, day, cap=cap, grace_days=grace)
    recent = rows[pd.to_datetime(rows["period_end"]) <= pd.Timestamp(day)]
    summ = overview.summary(measures, recent, recent, None, day, cap=cap, grace_days=grace, scored=scored,
                            movement=movement)
    every = summ.status
    counts = {k: int((every["status"] == k).sum()) for k in STATUSES}
    updated = facts["data_updated_at"].iloc[0] if not facts.empty else None
    contributions = summ.composite.contributions
    pulled = tuple((str(m), str(n), float(-100 * c)) for m, n, c in
                   zip(contributions["measure_id"], contributions["name"], contributions["contribution"],
                       strict=True) if c < 0)[:3]
    return OverviewView(
        version=version, city_name=city, today=day,
        data_as_of=_as_date(summ.latest_end), updated_at=None if updated is None or pd.isna(updated) else str(updated),
        composite=summ.composite, cap=cap, movement=summ.movement,
        movement_delta=overview.movement_delta(summ.movement), counts=counts, n_measures=len(every),
        improvers=summ.movers.improvers[MOVER_COLUMNS], decliners=summ.movers.decliners[MOVER_COLUMNS],
        stale=summ.stale[STALE_COLUMNS], status=every, filtered=filtered, pulled_down=pulled,
        changes=_changes(summ.movers, counts, len(every)),
        priorities=tuple(goals.drop_duplicates("priority_id")["priority_name"].tolist()),
        departments=tuple(sorted(s.measures["department"].dropna().unique().tolist())),
        priority=priority or None, department=department or None, status_filter=code,
        sections=_sections(every, goals, every), staff=staff, include_drafts=s.include_drafts,
        drafts=int((every["state"] == overview.DRAFT_STATE).sum()), drafts_left_out=s.drafts_left_out)
