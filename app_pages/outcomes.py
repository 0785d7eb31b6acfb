"""Outcomes vs outputs: did more activity buy more results? Told as a story, from the data."""

import streamlit as st

from metrics.charts import dashboards as charts
from metrics.domain import compare, periods
from metrics.domain import goal_story as goal_view
from ui import data
from ui.context import current
from ui.widgets import id_select

DEFAULT_GOAL = "reduce-homelessness"  # the seed example; any goal with an outcome works

ctx = current()
goals = data.load("goals", ctx.version)
measures = data.load("measures", ctx.version)
links = data.load("links", ctx.version)
targets = data.load("targets", ctx.version)
if goals.empty or measures.empty:
    data.fail("There are no goals yet. Load the demo city (`python -m metrics demo`) or upload a file.")

with_outcome = [str(i) for i in goals["id"] if goal_view.outcome_ids(measures, str(i), links)]
if not with_outcome:
    data.fail("No goal has an outcome measure yet, so there is no outcome to compare outputs with.")
ordered = sorted(with_outcome, key=lambda i: i != DEFAULT_GOAL)
gnames = dict(zip(goals["id"].astype(str), goals["name"], strict=True))
goal_id = id_select("Goal", ordered, "goal", format_func=lambda i: gnames[i])
mnames = dict(zip(measures["id"], measures["name"], strict=True))
meta = measures.set_index("id")
outcome_id = goal_view.outcome_ids(measures, goal_id, links)[0]
om = meta.loc[outcome_id]
unit = om["unit"] or ""
obs = data.load("goal_observations", ctx.version, goal_ids=[goal_id])
outputs = goal_view.linked_outputs(measures, links, outcome_id)
out_ids = outputs["id"].tolist()
series = goal_view.series_of(obs, outcome_id)

st.title("Outcomes vs outputs")
st.markdown(f"**{gnames[goal_id]}.** Outcome: *{om['name']}* ({unit}, per {om['frequency'].replace('_', ' ')}). "
            f"Outputs: {', '.join(mnames[i] for i in out_ids) or 'none linked'}.")
if series.empty or not out_ids:
    data.fail("This goal needs an outcome with data and at least one linked output for this comparison.")

try:
    aligned = compare.aligned(obs, outcome_id, out_ids, measures)
except ValueError as exc:
    data.fail(f"Outputs can't be lined up with the outcome: {exc}")

switch = goal_view.find_switch(series, targets, outcome_id, unit)
marks = [(switch.label, switch.target_change or "Trend breaks")] if switch else []

indexed, base = goal_view.index_to_base(aligned[[outcome_id, *out_ids]])

# ---- the story in numbers
st.header("The story")
if switch:
    before = goal_view.before_switch_sentence(indexed, outcome_id, switch.label, mnames)
    if before:
        st.markdown(before)
    st.markdown(switch.sentence)
    st.markdown(goal_view.pace_sentence(series, switch.label, unit))
    reached = goal_view.milestone(series, targets, outcome_id, om["direction"], switch.label)
    if reached:
        st.markdown(f"**First {periods.grain_of(reached).replace('_', ' ')} on target after the change — "
                    f"{goal_view.key_number(series, reached, unit)}.**")
else:
    st.markdown("The outcome shows no sustained shift: its movements are within normal variation.")
labels = list(series.index)[::-1]
pick = id_select("Look up a period", labels, "period")
st.markdown(f"**{goal_view.key_number(series, pick, unit)}**")

st.plotly_chart(charts.indexed_chart(indexed, measures, outcome_id, base or "", marks), width="stretch",
                key="indexed")
st.caption(f"Each line is divided by its own value in {base} and multiplied by 100, so beds, hours and "
           f"{unit} share one axis: 150 means half as much again as in {base}. Monthly outputs are summed "
           "(or averaged, for rates) into the outcome's periods.")

# ---- divergence
st.header("Where outputs and the outcome tell different stories")
flags = goal_view.divergence_flags(aligned, outcome_id, out_ids, mnames, om["direction"])
if flags.empty:
    st.info("No period where outputs and the outcome diverged by more than the thresholds (10% vs 2% over a year).")
else:
    for line in goal_view.divergence_summary(flags):
        st.markdown(f"- {line}")
    with st.expander("Every flagged period"):
        st.dataframe(flags[["period", "output", "text"]], hide_index=True, width="stretch")
st.caption("“Outputs up, outcome flat”: activity grew more than 10% over four periods while the outcome "
           "improved less than 2%: more effort, no visible result.")

# ---- conversion and cost
st.header("What each unit of activity buys")
conv = goal_view.conversion_table(aligned, outcome_id, out_ids, mnames)
st.plotly_chart(charts.ratio_lines(conv, f"{om['name']} per 100 units of each output",
                                   f"{unit} per 100 units of output", hover_unit=f" {unit} per 100", marks=marks),
                width="stretch",
                key="conversion")
inputs = goal_view.input_ids(measures, goal_id)
if inputs:
    spend_id = inputs[0]
    try:
        with_spend = compare.aligned(obs, outcome_id, [spend_id], measures)
    except ValueError as exc:
        with_spend = None
        st.info(f"Spending can't be lined up with the outcome: {exc}")
    if with_spend is not None:
        cost = compare.cost_per_outcome(with_spend, outcome_id, spend_id)
        spend_unit = meta.at[spend_id, "unit"] or ""
        st.plotly_chart(charts.ratio_lines(cost[["cost_per_outcome"]].rename(
            columns={"cost_per_outcome": f"{mnames[spend_id]} per {unit.rstrip('s') or 'unit'}"}),
            f"Cost per outcome: {mnames[spend_id]} ÷ {om['name']}",
            f"{spend_unit} per {unit.rstrip('s') or 'unit'}", hover_unit=f" {spend_unit} per {unit.rstrip('s') or 'unit'}",
            marks=marks, fmt_spec=",.0f"),
            width="stretch", key="cost")
        c = cost["cost_per_outcome"].dropna()
        if len(c) >= 2:
            before = c[[p for p in c.index if switch and periods.parse(p).start < periods.parse(switch.label).start]]
            st.markdown(f"Latest ({c.index[-1]}): **{charts.fmt(c.iloc[-1], spend_unit)}** per "
                        f"{unit.rstrip('s') or 'unit'}"
                        + (f", against {charts.fmt(before.mean(), spend_unit)} on average before {switch.label}."
                           if switch and not before.empty else "."))

# ---- lag
st.header("Do outputs show up in the outcome later?")
lags, cautions = goal_view.lag_table(aligned, outcome_id, out_ids, mnames)
st.dataframe(lags, hide_index=True, width="stretch",
             column_config={"output": "Output", "best_lag": "Strongest lag (periods)",
                            "r": st.column_config.NumberColumn("r", format="%.2f"), "n_periods": "Periods used",
                            **{f"r_lag_{k}": st.column_config.NumberColumn(f"r, lag {k}", format="%.2f")
                               for k in range(5)}})
st.warning(cautions[0] if cautions else "Correlation is not causation.")
with st.expander("Cautions for every output"):
    for c in cautions:
        st.markdown(f"- {c}")

# ---- measurement mix
st.header("Measurement mix: are we counting results or activity?")
mix = compare.measurement_mix(measures)
m1, m2 = st.container(), st.container()
with m1:
    st.markdown("**By department**")
    st.dataframe(mix.by_department.reset_index(), hide_index=True, width="stretch",
                 column_config={"outcome_share": st.column_config.ProgressColumn(
                     "Outcome share", format="percent", min_value=0, max_value=1)})
with m2:
    st.markdown("**By goal**")
    by_goal = mix.by_goal.reset_index()
    by_goal.insert(1, "goal", by_goal["goal_id"].map(gnames).fillna("(no goal)"))
    st.dataframe(by_goal.drop(columns=["goal_id"]), hide_index=True, width="stretch",
                 column_config={"outcome_share": st.column_config.ProgressColumn(
                     "Outcome share", format="percent", min_value=0, max_value=1)})
missing = compare.goals_without_outcome(measures, goals)
if missing.empty:
    st.success("Every goal has at least one outcome measure.")
else:
    st.error("Goals without an outcome measure (they report effort, not results): "
             + "; ".join(f"{n} ({k} other measure{'s' * (k != 1)})"
                         for n, k in zip(missing["name"], missing["n_measures"], strict=True)))
