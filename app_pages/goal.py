"""Goal: the outcome against its target path and projection, the outputs that feed it, and what they buy."""

from urllib.parse import quote

import pandas as pd
import streamlit as st

from metrics.charts import dashboards as charts
from metrics.domain import text
from metrics.views import goal as goal_view
from ui import auth
from ui.criteria_panel import show_goal_criteria
from ui.views import fail, show
from ui.widgets import id_select, verdict

wanted = st.query_params.get("goal")
v = show(goal_view.build, goal_id=wanted, outcome_id=st.query_params.get("outcome"))
if v.goal is None:
    fail(v.problem)
if v.notice:
    st.warning(text.md(v.notice))
goal_id = id_select("Goal", list(v.goals), "goal", format_func=lambda i: v.goals[i])
if goal_id != v.goal.id:  # the reader just picked another goal
    v = show(goal_view.build, goal_id=goal_id)
g = v.goal

st.title(text.md(g.name))
st.caption(text.md(" · ".join([text.shown(g.priority), *([f"owner {g.owner}"] if g.owner else []),
                                f"target date {text.shown(g.target_date)}"])))
if g.statement:
    st.markdown(f"**{text.md(g.statement)}**")
if g.narrative:
    st.markdown(text.md(g.narrative))

if v.no_outcome:
    st.warning(f"**{text.md(v.no_outcome)}**")
    if not v.goal_measures.empty:
        st.dataframe(v.goal_measures.assign(unit=v.goal_measures["unit"].map(text.shown)), hide_index=True, width="stretch")
    show_goal_criteria(v.criteria)
    st.stop()

if len(v.outcome_ids) > 1:
    outcome_id = id_select("Outcome measure", v.outcome_ids, "outcome", format_func=lambda i: v.outcome_names[i])
    if outcome_id != v.outcome.id:
        v = show(goal_view.build, goal_id=g.id, outcome_id=outcome_id)
om = v.outcome
unit = om.unit

j = v.judgement
if j is not None:  # the goal's own target, in its own words, before any measure's per-period target
    st.header("Will the goal be met?")
    verdict(None if j.projection is None else j.projection.will_meet, text.md(j.sentence))
    if j.target.cumulative and j.projection is not None and v.judged is not None:
        st.plotly_chart(charts.projection_chart(j.history, v.judged.targets.iloc[0:0], j.projection, v.judged_future,
                                                f"{v.judged.name}, running total since {j.target.start or 'the start'}",
                                                j.target.unit, "higher", g.target_date),
                        width="stretch", key="goal_projection")
        st.caption(text.md(f"Each period's {v.judged.name.lower()} added up since {j.target.start or 'the start'}; "
                           "the dotted line adds the recent average per period until the goal's date."))

st.header(text.md(f"Outcome: {om.name}"))
if v.latest is None:
    st.info("No figures have been reported for this outcome yet.")
else:
    k1, k2, k3 = st.columns(3)
    in_unit = f" ({unit})" if unit else ""
    k1.metric(text.md(f"Latest, {v.latest}{in_unit}"), charts.fmt(v.latest_value))
    k2.metric(text.md(f"This measure's target in force on {text.shown(g.target_date)}{in_unit}"),
              charts.fmt(v.goal_value))
    k3.markdown(text.md(v.key_number))
    proj = v.projection
    own = j is not None and not j.target.cumulative and j.target.measure_id == om.id
    if proj is not None:
        if not own:  # already said above, in the goal's words
            verdict(proj.will_meet, text.md(proj.sentence))
        st.caption(text.md(v.pace_note))
        st.plotly_chart(charts.projection_chart(om.history, om.targets, proj, v.future, om.name, unit, om.direction,
                                                g.target_date), width="stretch", key="projection")
    else:
        st.info("This outcome has no target or the goal no target date, so there is nothing to project toward.")
        st.plotly_chart(charts.narrow_legend(charts.history_chart(om.history, om.targets, om.name, unit,
                                                                  om.direction)), width="stretch")
    for other in v.other_outcomes:
        st.plotly_chart(charts.narrow_legend(charts.history_chart(other.history, other.targets, other.name,
                                                                  other.unit, other.direction)),
                        width="stretch", key=f"other_{other.id}")
    more = v.more_outcomes
    if not more.empty:  # a goal with dozens of outcomes: a table, each a link to its chart, not dozens of charts
        st.markdown(f"**{len(more)} more outcome measures of this goal**")
        st.dataframe(pd.DataFrame({
            "Outcome": more["name"], "Latest period": more["period"], "Latest": more["latest"],
            "Unit": more["unit"].map(text.shown),
            "Open": f"/goal?goal={quote(g.id)}&outcome=" + more["id"].map(quote) + auth.link_suffix()}),
            hide_index=True, width="stretch", height=min(38 + 35 * len(more), 320),
            column_config={"Latest": st.column_config.NumberColumn(format="localized"),
                           "Open": st.column_config.LinkColumn("Open", display_text="Chart ›")})

st.header("Outputs that feed it")
if v.outputs.empty:
    st.info("No output measures are linked to this outcome.")
else:
    outputs = v.outputs.assign(unit=v.outputs["unit"].map(text.shown))  # missing is "—", never nan/None
    st.dataframe(outputs[["name", "unit", "frequency", "lag_periods", "latest"]], hide_index=True, width="stretch",
                 column_config={"name": "Output", "unit": "Unit", "frequency": "Reported",
                                "lag_periods": st.column_config.NumberColumn("Expected lag (periods)"),
                                "latest": st.column_config.NumberColumn("Latest", format="localized")})
    if v.alignment_problem:
        st.info(text.md(v.alignment_problem))
    if v.aligned is not None:
        st.plotly_chart(charts.small_multiples(v.aligned[v.aligned_ids], v.output_measures,
                                               title=f"Linked outputs, per {v.aligned_grain}"),
                        width="stretch", key="multiples")

        if v.aligned_grain != om.frequency_word:
            st.caption(text.md(f"{om.name} is reported per {om.frequency_word}; it and its outputs are lined up "
                               f"per {v.aligned_grain}, the finer series rolled up (counts summed, rates "
                               "averaged, levels at the period's end)."))
        st.subheader(text.md(f"Conversion: {unit} per 100 units of output"))
        st.plotly_chart(charts.ratio_lines(v.conversion, f"{om.name} per 100 units of each output",
                                           f"{unit} per 100 units of output"), width="stretch", key="conversion")
        st.caption("A falling line means each unit of activity buys less outcome than before.")

        st.subheader("Lag: do outputs show up in the outcome later?")
        st.dataframe(v.lags, hide_index=True, width="stretch",
                     column_config={"output": "Output", "best_lag": "Strongest lag (periods)",
                                    "r": st.column_config.NumberColumn("r", format="%.2f"),
                                    "n_periods": "Periods used",
                                    **{f"r_lag_{k}": st.column_config.NumberColumn(f"r, lag {k}", format="%.2f")
                                       for k in range(5)}})
        st.caption("Correlations of period-to-period changes, which removes shared trends.")
        for c in v.cautions:
            st.caption(text.md(c))

if v.dimensions:
    st.header("Who is it reaching?")
    if len(v.dimensions) > 1:
        dim = st.selectbox("Breakdown", v.dimensions, index=v.dimensions.index(v.dimension),
                           key=f"goal_dim_{om.id}")
        if dim != v.dimension:
            v = show(goal_view.build, goal_id=g.id, outcome_id=om.id, dimension=dim)
    st.plotly_chart(charts.narrow_legend(charts.breakdown_chart(v.breakdown, om.name, unit, v.dimension),
                                         per_row=3), width="stretch", key="breakdown")
    if v.suppression_note:
        st.caption(text.md(v.suppression_note))
    st.page_link("app_pages/equity.py", label="Gaps between groups, with small counts suppressed ›",
                 query_params=auth.link_params(measure=om.id))

show_goal_criteria(v.criteria)
