"""Goal: the outcome against its target path and projection, the outputs that feed it, and what they buy."""

from urllib.parse import quote

import streamlit as st

from metrics.charts import dashboards as charts
from metrics.domain import compare, scoring
from metrics.domain import goal_story as goal_view
from ui import auth, data
from ui.context import current
from ui.criteria_panel import show_goal_criteria
from ui.widgets import id_select

ctx = current()
goals = data.load("goals", ctx.version)
if goals.empty:
    data.fail("There are no goals yet. Load the demo city (`python -m metrics demo`) or add goals.")
ids = goals["id"].astype(str).tolist()
names = dict(zip(ids, goals["name"], strict=True))
if "goal" in st.query_params and st.query_params.get("goal") not in names:
    st.warning("That goal does not exist or is not public; showing the first goal instead.")
goal_id = id_select("Goal", ids, "goal", format_func=lambda i: names[i])
g = goals.set_index(goals["id"].astype(str)).loc[goal_id]

measures = data.load("measures", ctx.version)
links = data.load("links", ctx.version)
targets = data.load("targets", ctx.version)
obs = data.load("goal_observations", ctx.version, goal_ids=[goal_id])
meta = measures.set_index("id")
mnames = dict(zip(measures["id"], measures["name"], strict=True))

st.title(g["name"])
st.caption(f"{g['priority_name']} · owner {g['owner'] or '—'} · target date {g['target_date'] or '—'}")
if g["statement"]:
    st.markdown(f"**{g['statement']}**")
if g["narrative"]:
    st.write(g["narrative"])

outcomes = goal_view.outcome_ids(measures, goal_id, links)
if not outcomes:
    st.error("**This goal has no outcome measure.** It reports activity (outputs and spending), not whether "
             "residents are better off. Seattle's homelessness contracts counted beds and case-management hours "
             "for years while the number of households housed stood still; adding an outcome measure is the "
             "first step.")
    goal_measures = measures[measures["goal_id"].astype(str) == goal_id]
    if not goal_measures.empty:
        st.dataframe(goal_measures[["name", "kind", "unit", "frequency"]], hide_index=True, width="stretch")
    show_goal_criteria(goal_id, ctx.version)
    st.stop()

outcome_id = id_select("Outcome measure", outcomes, "outcome", format_func=lambda i: mnames[i]) \
    if len(outcomes) > 1 else outcomes[0]
om = meta.loc[outcome_id]
unit = om["unit"] or ""
series = goal_view.series_of(obs, outcome_id)
hist = goal_view.history_frame(obs, outcome_id)
otargets = targets[targets["measure_id"] == outcome_id]

st.header(f"Outcome: {om['name']}")
if series.empty:
    st.info("No figures have been reported for this outcome yet.")
else:
    goal_value = goal_view.goal_target(otargets, outcome_id, g["target_date"])
    latest = series.index[-1]
    k1, k2, k3 = st.columns(3)
    k1.metric(f"Latest, {latest} ({unit})", charts.fmt(series.iloc[-1]))
    k2.metric(f"Target for {g['target_date']} ({unit})", charts.fmt(goal_value))
    k3.markdown(goal_view.key_number(series, latest, unit))
    if goal_value is not None and g["target_date"] is not None:
        recent = goal_view.recent_window(series)
        proj = scoring.projection(recent, goal_value, str(g["target_date"]), om["direction"], unit)
        (st.success if proj.will_meet else st.warning if proj.will_meet is False else st.info)(proj.sentence)
        st.caption(f"The pace is a straight line through the last {len(recent)} {om['frequency'].replace('_', ' ')}s "
                   f"({recent.index[0]} to {recent.index[-1]}); the shaded range widens toward the target date.")
        future = goal_view.future_labels(latest, g["target_date"])
        st.plotly_chart(charts.projection_chart(hist, otargets, proj, future, om["name"], unit, om["direction"],
                                                str(g["target_date"])), width="stretch", key="projection")
    else:
        st.info("This outcome has no target or the goal no target date, so there is nothing to project toward.")
        st.plotly_chart(charts.narrow_legend(charts.history_chart(hist, otargets, om["name"], unit, om["direction"])),
                        width="stretch")
    for other in outcomes[1:] if len(outcomes) > 1 and outcome_id == outcomes[0] else []:
        oh = goal_view.history_frame(obs, other)
        if not oh.empty:
            st.plotly_chart(charts.narrow_legend(charts.history_chart(
                oh, targets[targets["measure_id"] == other], mnames[other], meta.at[other, "unit"],
                meta.at[other, "direction"])), width="stretch", key=f"other_{other}")

outputs = goal_view.linked_outputs(measures, links, outcome_id)
st.header("Outputs that feed it")
if outputs.empty:
    st.info("No output measures are linked to this outcome.")
else:
    out_ids = outputs["id"].tolist()
    table = outputs.assign(name=outputs["id"].map(mnames), unit=outputs["id"].map(meta["unit"]),
                           frequency=outputs["id"].map(meta["frequency"]),
                           latest=[goal_view.series_of(obs, i).iloc[-1] if not goal_view.series_of(obs, i).empty
                                   else None for i in out_ids])
    st.dataframe(table[["name", "unit", "frequency", "lag_periods", "latest"]], hide_index=True, width="stretch",
                 column_config={"name": "Output", "unit": "Unit", "frequency": "Reported",
                                "lag_periods": st.column_config.NumberColumn("Expected lag (periods)"),
                                "latest": st.column_config.NumberColumn("Latest", format="localized")})
    try:
        aligned = compare.aligned(obs, outcome_id, out_ids, measures)
    except ValueError as exc:
        data.fail(f"Outputs can't be lined up with the outcome: {exc}")
    st.plotly_chart(charts.small_multiples(aligned[out_ids], measures,
                                           title=f"Linked outputs, per {om['frequency'].replace('_', ' ')}"),
                    width="stretch", key="multiples")

    st.subheader(f"Conversion: {unit} per 100 units of output")
    conv = goal_view.conversion_table(aligned, outcome_id, out_ids, mnames)
    st.plotly_chart(charts.ratio_lines(conv, f"{om['name']} per 100 units of each output",
                                       f"{unit} per 100 units of output"), width="stretch", key="conversion")
    st.caption("A falling line means each unit of activity buys less outcome than before.")

    st.subheader("Lag: do outputs show up in the outcome later?")
    lags, cautions = goal_view.lag_table(aligned, outcome_id, out_ids, mnames)
    st.dataframe(lags, hide_index=True, width="stretch",
                 column_config={"output": "Output", "best_lag": "Strongest lag (periods)",
                                "r": st.column_config.NumberColumn("r", format="%.2f"),
                                "n_periods": "Periods used",
                                **{f"r_lag_{k}": st.column_config.NumberColumn(f"r, lag {k}", format="%.2f")
                                   for k in range(5)}})
    st.caption("Correlations of period-to-period changes, which removes shared trends.")
    for c in cautions:
        st.caption(c)

dis = data.load("goal_disaggregations", ctx.version, measure_ids=[outcome_id])
if not dis.empty:
    st.header("Who is it reaching?")
    dims = sorted(dis["dimension"].unique())
    dim = dims[0] if len(dims) == 1 else st.selectbox("Breakdown", dims, key="goal_dim")
    st.plotly_chart(charts.narrow_legend(charts.breakdown_chart(dis[dis["dimension"] == dim], om["name"], unit, dim),
                                         per_row=3), width="stretch", key="breakdown")
    st.markdown(f"[Gaps between groups, with small counts suppressed ›](/equity?measure={quote(outcome_id)}{auth.link_suffix()})")

show_goal_criteria(goal_id, ctx.version)
