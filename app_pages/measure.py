"""Measure: one KPI's history against its target, its breakdowns, data and methodology."""

from datetime import date

import streamlit as st

from metrics.charts import dashboards as charts
from metrics.domain import text
from metrics.views import measure as measure_view
from ui import views
from ui.widgets import long_id_select, page_of, status_chip


def read(**changes) -> measure_view.MeasureView:
    """The view for what the URL asks, with the widget choices made on this run."""
    asked = {"measure_id": st.query_params.get("measure"), "period": st.query_params.get("period"),
             "dimension": st.query_params.get("dim"), "today": date.today()}
    return views.show(measure_view.build, **(asked | changes))


v = read()
if v.measure is None:
    views.fail(v.notice)
if v.notice:
    st.warning(v.notice)
names = v.names
chosen = long_id_select("Measure", list(v.measure_ids), "measure", format_func=lambda i: f"{names[i]} ({i})",
                        noun="measure")
if chosen != v.measure.id:
    v = read(measure_id=chosen)
m = v.measure
unit_note = f" ({text.md(m.unit)})" if m.unit else ""
sign = "normal" if m.direction == "higher" else "inverse"

st.title(text.md(m.name))
st.caption(" · ".join(text.md(p) for p in (
    f"{m.kind_label} measure", m.direction_label, m.frequency_label, f"unit: {m.unit or '—'}", m.department,
    f"goal: {m.goal_name or '—'}", "DRAFT" if m.state == "draft" else "") if p))

latest = v.latest
c1, c2, c3, c4 = st.columns(4)
c1.metric(f"Latest, {latest.period or '—'}{unit_note}", charts.fmt(latest.actual),
          delta=None if latest.change_prev != latest.change_prev else f"{latest.change_prev:+,.2f} vs previous",
          delta_color=sign)
c2.metric(f"Target in force{unit_note}", charts.fmt(latest.target))
c3.metric(f"Same period last year{unit_note}", charts.fmt(latest.last_year))
with c4:
    st.markdown("**Status**")
    st.markdown(status_chip(latest.status), unsafe_allow_html=True)

if v.history.empty:
    st.info("No observations have been reported for this measure yet.")
else:
    if v.spc_verdict is not None:
        real, reason = v.spc_verdict
        (st.success if real else st.info)(reason)
    st.plotly_chart(charts.history_chart(v.history, v.targets, m.name, m.unit, m.direction, v.spc_limits,
                                         annotations=v.annotations), width="stretch")

if v.lookup is not None:
    pick = long_id_select("Look up a period", list(v.period_labels), "period", noun="period")
    lk = v.lookup if pick == v.lookup.period else read(measure_id=m.id, period=pick).lookup
    p1, p2 = st.columns(2)
    p1.metric(f"{lk.period}{unit_note}", charts.fmt(lk.value),
              delta=None if lk.change_on_last_year is None else f"{lk.change_on_last_year:+,.0f} vs {lk.last_year_label}",
              delta_color=sign)
    p2.metric(f"Target in force in {lk.period}{unit_note}", "No target" if lk.target is None else charts.fmt(lk.target))

if not v.narratives.empty:
    asked = v.lookup.period if v.lookup is not None else None
    story = v.narratives[v.narratives["period"] == asked]
    story = story if not story.empty else v.narratives.head(1)
    st.subheader(f"Why it moved — {story['period'].iloc[0]}")
    st.markdown(story["shown"].iloc[0])  # domain.text.markdown: raw HTML and unsafe links already inert

if v.dimensions:
    dim = st.selectbox("Breakdown", list(v.dimensions), key="dim", bind="query-params")
    part = v.breakdown if dim == v.dimension else read(measure_id=m.id, dimension=dim).breakdown
    st.plotly_chart(charts.breakdown_chart(part, m.name, m.unit, dim, annotations=v.annotations), width="stretch")
    if v.n_suppressed:
        st.caption(f"Counts below {v.suppress_below} are suppressed (city setting `suppress_below`), with the next "
                   "smallest when only one group would be hidden, so a small count can't be worked out from the "
                   "total. Suppressed figures are left off the chart"
                   + (" and shown as “suppressed” in the data." if v.public
                      else "; you see them in the data, marked, because you are signed in as staff."))

left, right = st.columns([2, 1])
with left:
    st.subheader("Data")
    st.dataframe(page_of(v.table, "data_page"), hide_index=True, width="stretch", height=300)
    st.download_button("Download CSV", text.to_csv(v.download), file_name=f"{m.id}.csv", mime="text/csv",
                       help="Every row of every period, not only the page shown.")
with right:
    st.subheader("Methodology")
    st.markdown(text.md(m.methodology) or "No methodology recorded yet.")
    st.caption(f"Source: {text.md(m.data_source) or '—'}"
               + ("" if v.public else f" · Owner: {text.md(m.owner) or '—'}"))
    if not v.targets.empty:
        st.subheader("Targets over time")
        st.dataframe(v.targets[["effective_from", "effective_to", "value", "tolerance", "reason"]], hide_index=True)
