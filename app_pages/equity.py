"""Equity: gaps between groups and districts over time, with small counts suppressed.

Thin: widgets -> metrics.views.equity (suppression comes from the visibility rule) -> render.
"""

import streamlit as st

from metrics.charts import dashboards as charts
from metrics.domain import text
from metrics.domain.text import md
from metrics.views import equity as equity_view
from ui.views import fail, show
from ui.widgets import id_select, long_id_select

wanted = st.query_params.get("measure")
probe = show(equity_view.build, measure_id=wanted)
if probe.empty_notice:
    fail(probe.empty_notice)
names = dict(zip(probe.measures["id"], probe.measures["name"], strict=True))
ids = probe.measures["id"].tolist()
if probe.notice:
    st.warning(probe.notice)
if probe.note:
    st.info(md(probe.note))
measure_id = long_id_select("Measure", ids, "measure", format_func=lambda i: f"{names[i]} ({i})", noun="measure")
v = probe if measure_id == probe.measure_id else show(equity_view.build, measure_id=measure_id)
dimension = id_select("Breakdown", list(v.dimensions), "dimension")
if dimension != v.dimension:
    v = show(equity_view.build, measure_id=measure_id, dimension=dimension)
unit = v.unit

st.title(f"Equity: {md(v.name)} by {md(v.dimension)}")
st.caption(f"{md(v.kind.title())} measure · unit: {md(unit) or '—'} · "
           f"{'higher' if v.direction == 'higher' else 'lower'} is better · {v.n_groups} groups · "
           f"{v.n_periods} periods")

if v.counts:
    seen = ("You are signed in as staff, so suppressed figures show their number marked “below "
            f"{v.threshold}” (or “complement”); the public sees “suppressed”. " if v.staff else "")
    st.info(f"Counts below {v.threshold} are shown as “suppressed”, never as the number (city setting "
            f"`suppress_below`). When only one group is suppressed in a period, the next smallest is "
            f"suppressed too, so it can't be worked out from the city total. {seen}"
            f"{v.n_suppressed} of {len(v.groups)} figures are suppressed on this page.")
else:
    st.caption(f"This is a rate or level ({md(unit)}), not a count, so small-count suppression does not apply.")

if v.latest_gap is not None:
    g = v.latest_gap
    g1, g2, g3 = st.columns(3)
    g1.metric(f"Gap in {g.period} (max − min, {md(text.shown(unit))})", charts.fmt(g.value),
              delta=f"{text.number(g.change, signed=True)} since {g.first_period}", delta_color="off")
    g2.metric(f"Highest in {g.period}", g.high)
    g3.metric(f"Lowest in {g.period}", g.low)
    st.plotly_chart(charts.gap_chart(v.gaps, v.name, unit, v.dimension), width="stretch", key="gap")
    st.caption("The gap is computed only from figures that are shown, so it never reveals a suppressed count.")
else:
    st.info("Too few groups are shown in any period to measure a gap.")

st.plotly_chart(charts.vs_city_chart(v.vs_city, v.name, v.vs_city_title, v.dimension, v.vs_city_unit,
                                     reference=v.vs_city_reference), width="stretch", key="vs_city")

st.subheader("Figures by group")
st.dataframe(v.table, hide_index=True, width="stretch", height=320)

st.subheader("Track the gap as a measure")
st.markdown(f"The gap can be tracked like any other measure, with its own target: measure id **{md(v.gap_id)}** "
            f"({len(v.gap_series)} periods). Download it and upload it on the Upload page (with `--create-measures` "
            "from the command line) to give it a target.")
st.download_button("Download the gap series (CSV)", v.gap_csv, file_name=f"{v.gap_id}.csv", mime="text/csv")
