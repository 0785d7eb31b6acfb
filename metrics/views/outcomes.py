"""The Outcomes-vs-outputs screen: did more activity buy more results? Told as a story, from the data.

`build()` reads one snapshot as the reader may see it and returns the story: where the outcome's
trend switched (and whether a target change explains it), the outputs and the outcome indexed to
one base period, periods where they diverge, what each unit of activity and each dollar buys, the
lag between them, a lookup of any period's key number, and the city-wide measurement mix. A goal
whose outputs can't be compared with its outcome is not an error: `story_problem` says why and the
city-wide parts are still there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from metrics.access import Actor
from metrics.domain import compare, periods, text
from metrics.domain import goal_story as story
from metrics.domain.settings import Settings
from metrics.views import base

DEFAULT_GOAL = "reduce-homelessness"  # the seed example; any goal with an outcome works
NO_PUBLIC_GOALS = "There are no public goals to show here yet."
NO_GOALS = "There are no goals yet. Load the demo city (`python -m metrics demo`) or upload a file."
NO_OUTCOMES = "No goal has an outcome measure yet, so there is no outcome to compare outputs with."
NOT_COMPARABLE = "This goal needs an outcome with data and at least one linked output for this comparison."


@dataclass(frozen=True)
class Cost:
    """Spending per unit of outcome (the goal's first input measure against the outcome)."""

    frame: pd.DataFrame  # one column, named for the chart legend, indexed by period
    title: str
    y_title: str
    hover_unit: str
    sentence: str | None  # latest cost, against the average before the switch


@dataclass(frozen=True)
class OutcomesView:
    version: int
    goals: dict[str, str] = field(default_factory=dict)  # goals with an outcome, id -> name (the picker)
    goal_id: str | None = None
    goal_name: str | None = None
    problem: str | None = None  # nothing to show at all
    notice: str | None = None  # the goal asked for has no outcome or is not visible
    outcome_id: str | None = None
    outcome_name: str = ""
    unit: str = ""
    frequency_word: str = ""
    aligned_grain: str = ""  # the calendar outcome and outputs are compared on (the coarser side's)
    output_ids: list[str] = field(default_factory=list)
    output_names: list[str] = field(default_factory=list)
    story_problem: str | None = None  # why this goal's outputs can't be compared with its outcome at all
    alignment_problem: str | None = None  # outputs left out of the comparison, and why
    compared_ids: list[str] = field(default_factory=list)  # the outputs the story compares
    measures: pd.DataFrame = field(default_factory=pd.DataFrame)  # id, name, unit of the charted measures
    switch: story.Switch | None = None
    marks: list[tuple[str, str]] = field(default_factory=list)  # chart markers at the switch
    before_switch: str | None = None
    pace: str | None = None
    milestone: str | None = None  # 'First quarter on target after the change — …'
    period_lookup: dict[str, str] = field(default_factory=dict)  # label (newest first) -> key number
    indexed: pd.DataFrame | None = None
    base: str | None = None
    flags: pd.DataFrame = field(default_factory=pd.DataFrame)
    divergence: list[str] = field(default_factory=list)  # one sentence per output and flag
    conversion: pd.DataFrame | None = None
    cost: Cost | None = None
    spending_problem: str | None = None
    lags: pd.DataFrame | None = None
    cautions: list[str] = field(default_factory=list)
    mix_by_department: pd.DataFrame = field(default_factory=pd.DataFrame)
    mix_by_goal: pd.DataFrame = field(default_factory=pd.DataFrame)  # with a `goal` name column
    goals_without_outcome: list[str] = field(default_factory=list)  # 'Name (2 other measures)'
    notes: list[str] = field(default_factory=list)  # dated annotations of the outcome and its outputs, oldest first


def _mix(measures: pd.DataFrame, names: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Measure kinds per department and per goal (goal named, not numbered)."""
    mix = compare.measurement_mix(measures)
    by_goal = mix.by_goal.reset_index()
    by_goal.insert(1, "goal", by_goal["goal_id"].map(names).fillna("(no goal)"))
    return mix.by_department.reset_index(), by_goal.drop(columns=["goal_id"])


def _missing(measures: pd.DataFrame, goals: pd.DataFrame) -> list[str]:
    missing = compare.goals_without_outcome(measures, goals)
    return [f"{n} ({k} other measure{'s' * (k != 1)})"
            for n, k in zip(missing["name"], missing["n_measures"], strict=True)]


def _cost(obs: pd.DataFrame, measures: pd.DataFrame, outcome_id: str, spend_id: str, unit: str,
          switch: story.Switch | None, fsm: int) -> Cost:
    meta = measures.set_index("id")
    with_spend = compare.aligned(obs, outcome_id, [spend_id], measures, fiscal_start_month=fsm)
    cost = compare.cost_per_outcome(with_spend, outcome_id, spend_id)
    spend_name = str(meta.at[spend_id, "name"])
    spend_unit = "" if pd.isna(meta.at[spend_id, "unit"]) else str(meta.at[spend_id, "unit"] or "")
    per = unit.rstrip("s") or "unit"
    outcome_name = str(meta.at[outcome_id, "name"])
    c = cost["cost_per_outcome"].dropna()
    sentence = None
    if len(c) >= 2:
        start = periods.parse(switch.label, fsm).start if switch else None
        before = c[[p for p in c.index if start is not None and periods.parse(p, fsm).start < start]]
        sentence = (f"Latest ({c.index[-1]}): {text.number(c.iloc[-1], spend_unit)} per {per}"
                    + (f", against {text.number(before.mean(), spend_unit)} on average before {switch.label}."
                       if switch and not before.empty else "."))
    return Cost(frame=cost[["cost_per_outcome"]].rename(columns={"cost_per_outcome": f"{spend_name} per {per}"}),
                title=f"Cost per outcome: {spend_name} ÷ {outcome_name}", y_title=f"{spend_unit} per {per}",
                hover_unit=f" {spend_unit} per {per}", sentence=sentence)


def build(conn_or_url: sa.Connection | str | None, actor: Actor | None, settings: Settings | None = None, *,
          goal_id: str | None = None) -> OutcomesView:
    with base.read(conn_or_url, actor, settings) as r:
        fsm = r.settings.fiscal_start_month
        goals = r.frame("goals")
        measures = r.frame("measures")
        if goals.empty or measures.empty:
            return OutcomesView(version=r.version, problem=NO_PUBLIC_GOALS if r.vis.public else NO_GOALS)
        links = r.frame("links")
        targets = r.frame("targets")
        all_names = dict(zip(goals["id"].astype(str), goals["name"].astype(str), strict=True))
        with_outcome = [i for i in all_names if story.outcome_ids(measures, i, links)]
        by_dept, by_goal = _mix(measures, all_names)
        city = dict(mix_by_department=by_dept, mix_by_goal=by_goal,
                    goals_without_outcome=_missing(measures, goals))
        if not with_outcome:
            return OutcomesView(version=r.version, problem=NO_OUTCOMES, **city)
        ordered = sorted(with_outcome, key=lambda i: i != DEFAULT_GOAL)
        names = {i: all_names[i] for i in ordered}
        chosen = goal_id if goal_id in names else ordered[0]
        notice = None
        if goal_id and goal_id != chosen:
            notice = (f"The goal “{all_names[goal_id]}” has no outcome measure to compare outputs with"
                      if goal_id in all_names else f"There is no goal “{goal_id}” you can see") \
                + f"; showing “{names[chosen]}” instead."

        meta = measures.set_index("id")
        oid = story.outcome_ids(measures, chosen, links)[0]
        unit = "" if pd.isna(meta.at[oid, "unit"]) else str(meta.at[oid, "unit"] or "")
        retired = set(measures.loc[measures["state"] == "retired", "id"].astype(str))  # kept for history, not the story
        out_ids = [str(i) for i in story.linked_outputs(measures, links, oid)["id"] if str(i) not in retired]
        mnames = {i: str(meta.at[i, "name"]) for i in [oid, *out_ids]}
        inputs = story.input_ids(measures, chosen)
        goal_ids = sorted({chosen, *(str(x) for x in meta.loc[out_ids, "goal_id"].dropna())})
        obs = r.frame("goal_observations", goal_ids=goal_ids)
        dated = r.frame("annotations", measure_id="")
        dated = dated[dated["measure_id"].isin([oid, *out_ids])].sort_values("on_date")
        series = story.series_of(obs, oid)
        head = dict(version=r.version, goals=names, goal_id=chosen, goal_name=names[chosen], notice=notice,
                    outcome_id=oid, outcome_name=mnames[oid], unit=unit,
                    frequency_word=str(meta.at[oid, "frequency"]).replace("_", " "),
                    output_ids=out_ids, output_names=[mnames[i] for i in out_ids],
                    measures=measures[measures["id"].isin([oid, *out_ids])][["id", "name", "unit"]]
                    .reset_index(drop=True),
                    notes=[f"{pd.Timestamp(d):%Y-%m-%d} — {b} ({mnames[m]})"
                           for d, b, m in zip(dated["on_date"], dated["body"], dated["measure_id"], strict=True)],
                    **city)
        if series.empty or not out_ids:
            return OutcomesView(**head, story_problem=NOT_COMPARABLE)
        reported = set(obs.loc[obs["dimension"] == "", "measure_id"].astype(str)) if "dimension" in obs else set(obs["measure_id"])
        silent = [i for i in out_ids if i not in reported]  # linked, but no data yet: can't be indexed
        out_ids = [i for i in out_ids if i in reported]
        if not out_ids:
            return OutcomesView(**head, story_problem=NOT_COMPARABLE)
        aligned, kept, problem = story.align_outputs(obs, oid, out_ids, measures, mnames, fsm)
        if silent:
            problem = " ".join(filter(None, [problem, "No data reported yet for "
                                             + ", ".join(mnames[i] for i in silent) + ", so left out."]))
        if aligned is None:
            return OutcomesView(**head, story_problem=problem)
        out_ids = kept
        head.update(alignment_problem=problem, compared_ids=kept, aligned_grain=compare.grain_word(aligned.index))

        direction = str(meta.at[oid, "direction"])
        switch = story.find_switch(series, targets, oid, unit, fsm)
        found: dict[str, object] = {}
        if switch:
            reached = story.milestone(series, targets, oid, direction, switch.label, fsm)
            found.update(marks=[(switch.label, switch.target_change or "Trend breaks")],
                         pace=story.pace_sentence(series, switch.label, unit) or None,
                         milestone=(f"First {periods.grain_of(reached).replace('_', ' ')} on target after the "
                                    f"change — {story.key_number(series, reached, unit, fsm)}.") if reached else None)
        indexed, base_label = story.index_to_base(aligned[[oid, *out_ids]])
        on_axis = set(map(str, indexed.index))
        freq = str(meta.at[oid, "frequency"])
        noted = [(periods.label_of(d, freq, fsm), str(b)) for d, b in zip(dated["on_date"], dated["body"], strict=True)]
        found["marks"] = [*found.get("marks", []), *((p, b) for p, b in noted if p in on_axis)]
        if switch:
            found["before_switch"] = story.before_switch_sentence(indexed, oid, switch.label, mnames) or None
        flags = story.divergence_flags(aligned, oid, out_ids, mnames, direction)
        lags, cautions = story.lag_table(aligned, oid, out_ids, mnames)
        if inputs:
            try:
                found["cost"] = _cost(obs, measures, oid, inputs[0], unit, switch, fsm)
            except ValueError as exc:
                found["spending_problem"] = f"Spending can't be lined up with the outcome: {str(exc).rstrip('.')}."
        return OutcomesView(
            **head, switch=switch, indexed=indexed, base=base_label,
            period_lookup={p: story.key_number(series, p, unit, fsm) for p in list(series.index)[::-1]},
            flags=flags, divergence=story.divergence_summary(flags) if not flags.empty else [],
            conversion=story.conversion_table(aligned, oid, out_ids, mnames), lags=lags, cautions=cautions,
            **found)
