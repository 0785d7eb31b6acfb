"""The Goal screen: the outcome against its target path and projection, the outputs that feed it,
what they buy, who it reaches and the WWC criteria it supports.

`build()` reads everything the page draws in one snapshot, as the reader may see it (a public
reader gets public goals only, a goal link its own goal only, breakdowns with small counts
suppressed). A goal that is unknown or not visible is not an error: the view falls back to the
first visible goal and says so in `notice`. Outputs that can't be lined up with the outcome are
not an error either: `alignment_problem` says why, and everything else is still there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from metrics.access import Actor
from metrics.domain import compare, goal_target, scoring, text
from metrics.domain import goal_story as story
from metrics.domain.settings import Settings
from metrics.views import base

NO_PUBLIC_GOALS = "There are no public goals to show here yet."
NO_GOALS = "There are no goals yet. Load the demo city (`python -m metrics demo`) or add goals."
NO_OUTCOME = ("This goal has no outcome measure. It reports activity (outputs and spending), not whether "
              "residents are better off. Seattle's homelessness contracts counted beds and case-management hours "
              "for years while the number of households housed stood still; adding an outcome measure is the "
              "first step.")
PRIVATE_CRITERIA = ("owner", "target_date")
OTHER_CHARTS = 3  # further outcomes charted under the chosen one; the rest are listed (a goal may have dozens)
MORE_OUTCOME_COLUMNS = ["id", "name", "period", "latest", "unit"]
BREAKDOWN_COLUMNS = ["measure_id", "period", "period_end", "dimension", "member", "value", "suppressed", "shown"]


@dataclass(frozen=True)
class Goal:
    id: str
    name: str
    statement: str | None
    narrative: str | None
    owner: str | None  # staff only: None for the public
    target_date: str | None  # ISO date
    priority: str | None
    target: goal_target.GoalTarget | None = None  # the goal's own target (not its measures' per-period ones)


@dataclass(frozen=True)
class Series:
    """One measure's history with its targets, ready for charts.history_chart / projection_chart."""

    id: str
    name: str
    unit: str
    direction: str
    frequency: str
    history: pd.DataFrame  # period, period_end, value (time order)
    targets: pd.DataFrame  # the targets query's rows for this measure

    @property
    def frequency_word(self) -> str:
        return self.frequency.replace("_", " ")


@dataclass(frozen=True)
class GoalView:
    version: int
    goals: dict[str, str]  # visible goal id -> name, in display order (the picker's options)
    goal: Goal | None  # None only when the reader can see no goal at all (`problem` says so)
    problem: str | None = None  # nothing to show at all
    notice: str | None = None  # the goal asked for is unknown or not visible: showing `goal` instead
    outcome_ids: list[str] = field(default_factory=list)  # the goal's outcomes, linked ones first
    outcome_names: dict[str, str] = field(default_factory=dict)
    no_outcome: str | None = None  # the Seattle callout, when the goal has no outcome measure
    goal_measures: pd.DataFrame = field(default_factory=pd.DataFrame)  # name, kind, unit, frequency
    outcome: Series | None = None  # the chosen outcome
    latest: str | None = None  # latest period label of the outcome
    latest_value: float | None = None
    goal_value: float | None = None  # the outcome measure's per-period target in force at the goal's date
    judgement: goal_target.Judgement | None = None  # the goal's own target: met or not, in the goal's words
    judged: Series | None = None  # the measure the goal's own target is tracked by
    judged_future: list[str] = field(default_factory=list)  # its periods still to come up to the goal's date
    key_number: str | None = None  # '2018-Q1: 3,024 households, +1,222 on 2017-Q1'
    projection: scoring.Projection | None = None
    pace_note: str | None = None  # how the pace was measured
    future: list[str] = field(default_factory=list)  # period labels from the latest to the target date
    other_outcomes: list[Series] = field(default_factory=list)  # charted under the default outcome (OTHER_CHARTS)
    more_outcomes: pd.DataFrame = field(  # the further outcomes with figures, listed: MORE_OUTCOME_COLUMNS
        default_factory=lambda: pd.DataFrame(columns=MORE_OUTCOME_COLUMNS))
    outputs: pd.DataFrame = field(default_factory=pd.DataFrame)  # name, unit, frequency, lag_periods, latest
    output_ids: list[str] = field(default_factory=list)
    output_measures: pd.DataFrame = field(default_factory=pd.DataFrame)  # id, name, unit (for small multiples)
    aligned: pd.DataFrame | None = None  # outcome and outputs on their coarsest calendar (compare.aligned)
    aligned_grain: str = ""  # that calendar's period word ('quarter', 'fiscal year')
    aligned_ids: list[str] = field(default_factory=list)  # the outputs in `aligned`
    alignment_problem: str | None = None  # which outputs can't be lined up with the outcome, and why
    conversion: pd.DataFrame | None = None  # outcome per 100 units of each output
    lags: pd.DataFrame | None = None
    cautions: list[str] = field(default_factory=list)
    dimensions: list[str] = field(default_factory=list)  # breakdowns of the outcome
    dimension: str | None = None  # the breakdown shown
    breakdown: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BREAKDOWN_COLUMNS))
    suppression_note: str | None = None  # how small counts are treated, when the breakdown has any
    criteria: pd.DataFrame = field(default_factory=pd.DataFrame)  # goal_criteria rows


def _str(value: object) -> str | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value) if str(value).strip() else None


def _notice(actor: Actor, wanted: str, first: Goal) -> str:
    if actor.goal_scope is not None:
        return (f"This link shows one goal only, “{first.name}”; the goal “{wanted}” is not part of it.")
    if actor.is_public:
        return f"The goal “{wanted}” does not exist or is not public; showing “{first.name}” instead."
    return f"There is no goal “{wanted}”; showing “{first.name}” instead."


def _series(measures: pd.DataFrame, targets: pd.DataFrame, obs: pd.DataFrame, measure_id: str,
            fsm: int) -> Series:
    m = measures.loc[measure_id]
    return Series(id=measure_id, name=str(m["name"]), unit=str(m["unit"] or "") if not pd.isna(m["unit"]) else "",
                  direction=str(m["direction"]), frequency=str(m["frequency"]),
                  history=story.history_frame(obs, measure_id, fsm),
                  targets=targets[targets["measure_id"] == measure_id].reset_index(drop=True))


def _breakdown(dis: pd.DataFrame, staff: bool, suppress_below: int) -> tuple[pd.DataFrame, str | None]:
    """The breakdown rows with `shown`: the value as a reader may see it ('suppressed' for the public,
    '3 (below 11)' for staff), and a sentence on suppression when any cell is affected."""
    dis = dis.reset_index(drop=True)
    flagged = dis["suppressed"].fillna(False).astype(bool)

    def shown(value: object, hidden: bool) -> str:
        if not hidden:
            return text.number(value)
        if not staff:
            return "suppressed"
        small = value is not None and not pd.isna(value) and float(value) < suppress_below
        return f"{text.number(value)} ({f'below {suppress_below}' if small else 'suppressed for the public'})"

    out = dis.assign(suppressed=flagged, shown=[shown(v, h) for v, h in zip(dis["value"], flagged, strict=True)])
    if not flagged.any():
        return out, None
    if staff:
        note = (f"{int(flagged.sum())} cells are counts below {suppress_below} (or the cell that would reveal one): "
                "you see their values marked, the public sees “suppressed”.")
    else:
        note = (f"Counts below {suppress_below} are shown as “suppressed” (together with a cell that would "
                "reveal them) to protect privacy.")
    return out, note


def _measure_target_phrase(outcome: Series, value: float, target_date: str) -> str:
    """The measure's own per-period target, named as such (never "the goal": the goal may count
    something else, such as a total over years)."""
    every = {"day": "daily", "month": "monthly", "quarter": "quarterly", "year": "yearly",
             "fiscal_year": "fiscal-year"}.get(outcome.frequency, "per-period")
    amount = text.number(value, outcome.unit) if outcome.unit else text.number(value)
    return f"this measure's {every} target of {amount} (the one in force on {target_date})"


def _judged(t: goal_target.GoalTarget, meta: pd.DataFrame, targets: pd.DataFrame, obs: pd.DataFrame,
            fsm: int) -> dict[str, object]:
    """The goal's own target judged against the measure that tracks it, if the reader can see it."""
    if t.measure_id not in meta.index:
        return {}
    judged = _series(meta, targets, obs, t.measure_id, fsm)
    series = story.series_of(obs, t.measure_id)
    if series.empty:
        return {"judged": judged}
    future = story.future_labels(str(series.index[-1]), t.target_date.isoformat(), fsm)
    judgement = goal_target.judge(t, series, story.recent_window(series), future, judged.direction, judged.unit,
                                  fsm)
    return {"judgement": judgement, "judged": judged, "judged_future": future}


def build(conn_or_url: sa.Connection | str | None, actor: Actor | None, settings: Settings | None = None, *,
          goal_id: str | None = None, outcome_id: str | None = None, dimension: str | None = None) -> GoalView:
    with base.read(conn_or_url, actor, settings) as r:
        fsm = r.settings.fiscal_start_month
        goals = r.frame("goals")
        if goals.empty:
            return GoalView(version=r.version, goals={}, goal=None,
                            problem=NO_PUBLIC_GOALS if r.vis.public else NO_GOALS)
        goals = goals.assign(id=goals["id"].astype(str))
        names = dict(zip(goals["id"], goals["name"].astype(str), strict=True))
        rows = goals.set_index("id")
        chosen = goal_id if goal_id in names else next(iter(names))
        g = rows.loc[chosen]
        goal = Goal(id=chosen, name=names[chosen], statement=_str(g["statement"]), narrative=_str(g["narrative"]),
                    owner=None if r.vis.public else _str(g["owner"]), target_date=_str(g["target_date"]),
                    priority=_str(g["priority_name"]),
                    target=goal_target.from_row(g, g["target_date"]))
        notice = _notice(r.actor, goal_id, goal) if goal_id and goal_id != chosen else None

        measures = r.frame("measures")
        links = r.frame("links")
        targets = r.frame("targets")
        criteria = r.frame("goal_criteria", goal_id=chosen)
        if r.vis.public:  # who works on a criterion and by when is internal work, as on Certification
            criteria = criteria.drop(columns=[c for c in PRIVATE_CRITERIA if c in criteria.columns])
        common = dict(version=r.version, goals=names, goal=goal, notice=notice, criteria=criteria)
        outcomes = story.outcome_ids(measures, chosen, links)
        if not outcomes:
            mine = measures[measures["goal_id"].astype(str) == chosen]
            return GoalView(**common, no_outcome=NO_OUTCOME,
                            goal_measures=mine[["name", "kind", "unit", "frequency"]].reset_index(drop=True))

        meta = measures.set_index("id")
        onames = {i: str(meta.at[i, "name"]) for i in outcomes}
        oid = outcome_id if outcome_id in outcomes else outcomes[0]
        linked = story.linked_outputs(measures, links, oid)
        out_ids = [str(i) for i in linked["id"]]
        goal_ids = sorted({chosen, *(str(x) for x in meta.loc[out_ids, "goal_id"].dropna())})
        obs = r.frame("goal_observations", goal_ids=goal_ids)
        dis = r.frame("goal_disaggregations", measure_ids=[oid])

        outcome = _series(meta, targets, obs, oid, fsm)
        series = story.series_of(obs, oid)
        found: dict[str, object] = {}
        if not series.empty:
            latest = str(series.index[-1])
            goal_value = story.goal_target(outcome.targets, oid, goal.target_date)
            found.update(latest=latest, latest_value=float(series.iloc[-1]), goal_value=goal_value,
                         key_number=story.key_number(series, latest, outcome.unit, fsm))
            own = goal.target is not None and goal.target.measure_id == oid
            if own:
                found.update(_judged(goal.target, meta, targets, obs, fsm))
                if found.get("judgement") is not None and not goal.target.cumulative:
                    found["projection"] = found["judgement"].projection
            if goal.target_date is not None and ("projection" in found or goal_value is not None):
                recent = story.recent_window(series)
                if "projection" not in found:
                    found["projection"] = scoring.projection(
                        recent, goal_value, goal.target_date, outcome.direction, outcome.unit,
                        goal_phrase=_measure_target_phrase(outcome, goal_value, goal.target_date))
                found["pace_note"] = (f"The pace is a straight line through the last {len(recent)} "
                                      f"{outcome.frequency_word}s ({recent.index[0]} to {recent.index[-1]}); "
                                      "the shaded range widens toward the target date.")
                found["future"] = story.future_labels(latest, goal.target_date, fsm)
        if goal.target is not None and "judgement" not in found:
            found.update(_judged(goal.target, meta, targets, obs, fsm))
        if oid == outcomes[0]:  # full series (history, targets) only for the ones charted
            reported = [(o, s) for o in outcomes[1:] if not (s := story.series_of(obs, o)).empty]
            found["other_outcomes"] = [_series(meta, targets, obs, o, fsm) for o, _ in reported[:OTHER_CHARTS]]
            rest = reported[OTHER_CHARTS:]
            found["more_outcomes"] = pd.DataFrame({
                "id": [o for o, _ in rest], "name": [str(meta.at[o, "name"]) for o, _ in rest],
                "period": [str(s.index[-1]) for _, s in rest], "latest": [float(s.iloc[-1]) for _, s in rest],
                "unit": [meta.at[o, "unit"] for o, _ in rest]}, columns=MORE_OUTCOME_COLUMNS)

        if out_ids:
            latest_of = {i: story.series_of(obs, i) for i in out_ids}
            found["outputs"] = pd.DataFrame({
                "name": [str(meta.at[i, "name"]) for i in out_ids],
                "unit": [meta.at[i, "unit"] for i in out_ids],
                "frequency": [meta.at[i, "frequency"] for i in out_ids],
                "lag_periods": linked["lag_periods"].tolist(),
                "latest": [float(s.iloc[-1]) if not s.empty else None for s in latest_of.values()]})
            found["output_measures"] = measures[measures["id"].isin(out_ids)][["id", "name", "unit"]] \
                .reset_index(drop=True)
            mnames = {i: str(meta.at[i, "name"]) for i in [oid, *out_ids]}
            aligned, kept, problem = story.align_outputs(obs, oid, out_ids, measures, mnames, fsm)
            found.update(alignment_problem=problem, aligned_ids=kept)
            if aligned is not None:
                lags, cautions = story.lag_table(aligned, oid, kept, mnames)
                found.update(aligned=aligned, aligned_grain=compare.grain_word(aligned.index),
                             conversion=story.conversion_table(aligned, oid, kept, mnames),
                             lags=lags, cautions=cautions)

        if not dis.empty:
            dims = sorted(str(d) for d in dis["dimension"].unique())
            dim = dimension if dimension in dims else dims[0]
            rows_of, note = _breakdown(dis[dis["dimension"] == dim], r.vis.staff, r.settings.suppress_below)
            found.update(dimensions=dims, dimension=dim, breakdown=rows_of, suppression_note=note)

        return GoalView(**common, outcome_ids=outcomes, outcome_names=onames, outcome=outcome, output_ids=out_ids,
                        **found)
