"""Measure: one KPI's history against its target, its breakdowns, data and methodology."""

from datetime import date

import streamlit as st

from metrics.charts import dashboards as charts
from metrics.domain import periods, scoring, spc
from metrics.views import exports as export
from ui import data
from ui.context import current
from ui.widgets import id_select, status_chip

ctx = current()
measures = data.load("measures", ctx.version)
if measures.empty:
    data.fail("There are no measures yet. Load the demo city (`python -m metrics demo`) or upload a file.")

ids = measures["id"].tolist()
names = dict(zip(measures["id"], measures["name"], strict=True))
if st.query_params.get("measure") not in names and "measure" in st.query_params:
    st.warning("That measure does not exist or is not published; showing the first measure instead.")
measure_id = id_select("Measure", ids, "measure", format_func=lambda i: f"{names[i]} ({i})")
m = measures.set_index("id").loc[measure_id]

obs = data.load("measure_observations", ctx.version, measure_id=measure_id)
targets = data.load("targets", ctx.version)
targets = targets[targets["measure_id"] == measure_id]
agg = obs[obs["dimension"] == ""].sort_values("period_end")

st.title(m["name"])
st.caption(f"{m['kind'].title()} measure · {'higher' if m['direction'] == 'higher' else 'lower'} is better · "
           f"{m['frequency'].replace('_', ' ')} · unit: {m['unit'] or '—'} · {m['department'] or ''} · "
           f"goal: {m['goal_name'] or '—'}" + (" · DRAFT" if m["state"] == "draft" else ""))

status = scoring.latest_status(measures[measures["id"] == measure_id], agg, targets, date.today())
row = status.iloc[0]
c1, c2, c3, c4 = st.columns(4)
unit_note = f" ({m['unit']})" if m["unit"] else ""
c1.metric(f"Latest, {row['period'] or '—'}{unit_note}", charts.fmt(row["actual"]),
          delta=None if row["change_prev"] != row["change_prev"] else f"{row['change_prev']:+,.2f} vs previous",
          delta_color="normal" if m["direction"] == "higher" else "inverse")
c2.metric(f"Target in force{unit_note}", charts.fmt(row["target"]))
c3.metric(f"Same period last year{unit_note}", charts.fmt(row["actual"] - row["change_yoy"])
          if row["change_yoy"] == row["change_yoy"] else "—")
with c4:
    st.markdown("**Status**")
    st.markdown(status_chip(row["status"]), unsafe_allow_html=True)

if agg.empty:
    st.info("No observations have been reported for this measure yet.")
else:
    limits = None
    if len(agg) >= spc.MIN_SPC_POINTS:
        cl = spc.control_limits(agg["value"].reset_index(drop=True))
        limits = (cl.mean, cl.lcl, cl.ucl)
        real, reason = spc.is_real_change(agg["value"].reset_index(drop=True))
        (st.success if real else st.info)(reason)
    st.plotly_chart(charts.history_chart(agg, targets, m["name"], m["unit"], m["direction"], limits),
                    width="stretch")

if not agg.empty:
    labels = agg["period"].tolist()[::-1]
    pick = id_select("Look up a period", labels, "period")
    values = dict(zip(agg["period"], agg["value"], strict=True))
    before = periods.same_period_last_year(pick)
    p1, p2 = st.columns(2)
    p1.metric(f"{pick}{unit_note}", charts.fmt(values[pick]),
              delta=f"{values[pick] - values[before]:+,.0f} vs {before}" if before in values else None,
              delta_color="normal" if m["direction"] == "higher" else "inverse")
    tp = scoring.target_for(targets, measure_id, agg.set_index("period").at[pick, "period_end"])
    p2.metric(f"Target in force in {pick}{unit_note}", charts.fmt(tp.value) if tp else "No target")

dims = sorted(d for d in obs["dimension"].unique() if d)
if dims:
    dim = st.selectbox("Breakdown", dims, key="dim", bind="query-params")
    part = obs[obs["dimension"] == dim]
    st.plotly_chart(charts.breakdown_chart(part, m["name"], m["unit"], dim), width="stretch")

left, right = st.columns([2, 1])
with left:
    st.subheader("Data")
    table = obs[["period", "dimension", "member", "value"]].sort_values(["period", "dimension", "member"],
                                                                         ascending=[False, True, True])
    st.dataframe(table, hide_index=True, width="stretch", height=300)
    st.download_button("Download CSV", export.to_csv(obs[["measure_id", "period", "dimension", "member", "value"]]),
                       file_name=f"{measure_id}.csv", mime="text/csv")
with right:
    st.subheader("Methodology")
    st.write(m["methodology"] or "No methodology recorded yet.")
    st.caption(f"Source: {m['data_source'] or '—'} · Owner: {m['owner'] or '—'}")
    if not targets.empty:
        st.subheader("Targets over time")
        st.dataframe(targets[["effective_from", "effective_to", "value", "tolerance", "reason"]], hide_index=True)
