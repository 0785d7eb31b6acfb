"""Outcomes vs outputs: did more activity buy more results? Told as a story, from the data."""

import streamlit as st

from metrics.charts import dashboards as charts
from metrics.domain import text
from metrics.views import outcomes as outcomes_view
from ui.views import fail, show
from ui.widgets import id_select

LAG_COLUMNS = {"output": "Output", "best_lag": "Strongest lag (periods)",
               "r": st.column_config.NumberColumn("r", format="%.2f"), "n_periods": "Periods used",
               **{f"r_lag_{k}": st.column_config.NumberColumn(f"r, lag {k}", format="%.2f") for k in range(5)}}
SHARE = {"outcome_share": st.column_config.ProgressColumn("Outcome share", format="percent", min_value=0,
                                                          max_value=1)}


def measurement_mix(v: outcomes_view.OutcomesView) -> None:
    st.header("Measurement mix: are we counting results or activity?")
    st.markdown("**By department**")
    st.dataframe(v.mix_by_department, hide_index=True, width="stretch", column_config=SHARE)
    st.markdown("**By goal**")
    st.dataframe(v.mix_by_goal, hide_index=True, width="stretch", column_config=SHARE)
    if not v.goals_without_outcome:
        st.success("Every goal has at least one outcome measure.")
    else:
        st.warning("Goals without an outcome measure (they report effort, not results): "
                   + text.md("; ".join(v.goals_without_outcome)))


v = show(outcomes_view.build, goal_id=st.query_params.get("goal"))
st.title("Outcomes vs outputs")
if v.goal_id is None:
    if v.mix_by_department.empty:
        fail(v.problem)
    st.info(text.md(v.problem))
    measurement_mix(v)
    st.stop()
if v.notice:
    st.warning(text.md(v.notice))
goal_id = id_select("Goal", list(v.goals), "goal", format_func=lambda i: v.goals[i])
if goal_id != v.goal_id:  # the reader just picked another goal
    v = show(outcomes_view.build, goal_id=goal_id)
unit = v.unit

st.markdown(f"**{text.md(v.goal_name)}.** Outcome: *{text.md(v.outcome_name)}* ({text.md(text.shown(unit))}, per "
            f"{text.md(v.frequency_word)}). Outputs: {text.md(', '.join(v.output_names)) or 'none linked'}.")
if v.story_problem:
    st.info(text.md(v.story_problem))
    measurement_mix(v)
    st.stop()
if v.alignment_problem:
    st.info(text.md(v.alignment_problem))

# ---- the story in numbers
st.header("The story")
if v.notes:
    st.markdown("**Noted along the way:** " + "; ".join(text.md(n) for n in v.notes))
if v.switch:
    if v.before_switch:
        st.markdown(text.md(v.before_switch))
    st.markdown(text.md(v.switch.sentence))
    if v.pace:
        st.markdown(text.md(v.pace))
    if v.milestone:
        st.markdown(f"**{text.md(v.milestone)}**")
else:
    st.markdown("The outcome shows no sustained shift: its movements are within normal variation.")
pick = id_select("Look up a period", list(v.period_lookup), "period")
st.markdown(f"**{text.md(v.period_lookup[pick])}**")

st.plotly_chart(charts.indexed_chart(v.indexed, v.measures, v.outcome_id, v.base or "", v.marks), width="stretch",
                key="indexed")
st.caption(text.md(f"Each line is divided by its own value in {v.base} and multiplied by 100, so beds, hours and "
                   f"{unit} share one axis: 150 means half as much again as in {v.base}. Every series is lined up per "
                   f"{v.aligned_grain}: finer ones are rolled up (counts summed, rates averaged, "
                   "levels taken at the period's end)."))

# ---- divergence
st.header("Where outputs and the outcome tell different stories")
if v.flags.empty:
    st.info("No period where outputs and the outcome diverged by more than the thresholds (10% vs 2% over a year).")
else:
    for line in v.divergence:
        st.markdown(f"- {text.md(line)}")
    with st.expander("Every flagged period"):
        st.dataframe(v.flags[["period", "output", "text"]], hide_index=True, width="stretch")
st.caption("“Outputs up, outcome flat”: activity grew more than 10% over four periods while the outcome "
           "improved less than 2%: more effort, no visible result.")

# ---- conversion and cost
st.header("What each unit of activity buys")
st.plotly_chart(charts.ratio_lines(v.conversion, f"{v.outcome_name} per 100 units of each output",
                                   f"{unit} per 100 units of output", hover_unit=f" {unit} per 100", marks=v.marks),
                width="stretch", key="conversion")
if v.spending_problem:
    st.info(text.md(v.spending_problem))
if v.cost is not None:
    st.plotly_chart(charts.ratio_lines(v.cost.frame, v.cost.title, v.cost.y_title, hover_unit=v.cost.hover_unit,
                                       marks=v.marks, fmt_spec=",.0f"), width="stretch", key="cost")
    if v.cost.sentence:
        st.markdown(text.md(v.cost.sentence))

# ---- lag
st.header("Do outputs show up in the outcome later?")
st.dataframe(v.lags, hide_index=True, width="stretch", column_config=LAG_COLUMNS)
st.info(text.md(v.cautions[0]) if v.cautions else "Correlation is not causation.", icon=":material/info:")
with st.expander("Cautions for every output"):
    for c in v.cautions:
        st.markdown(f"- {text.md(c)}")

measurement_mix(v)
