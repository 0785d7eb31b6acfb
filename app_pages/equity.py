"""Equity: gaps between groups and districts over time, with small counts suppressed."""

import streamlit as st

from metrics.charts import dashboards as charts
from metrics.domain import compare, equity, scoring
from ui import data
from ui.context import current
from ui.widgets import id_select

ctx = current()
measures = data.load("measures", ctx.version)
broken_down = data.load("disaggregated_measures", ctx.version)
if broken_down.empty:
    data.fail("No measure has a breakdown by group or district yet. Upload rows with a dimension and member "
              "(e.g. district=3) to see gaps here.")

ids = [i for i in measures["id"] if i in set(broken_down["measure_id"])]
names = dict(zip(measures["id"], measures["name"], strict=True))
if "measure" in st.query_params and st.query_params.get("measure") not in ids:
    st.warning("That measure has no breakdown or is not published; showing the first one instead.")
measure_id = id_select("Measure", ids, "measure", format_func=lambda i: f"{names[i]} ({i})")
m = measures.set_index("id").loc[measure_id]
unit = m["unit"] or ""
dims = broken_down[broken_down["measure_id"] == measure_id]["dimension"].tolist()
dimension = id_select("Breakdown", dims, "dimension")

threshold = ctx.settings.suppress_below

obs = data.load("measure_observations", ctx.version, measure_id=measure_id)
city = obs[obs["dimension"] == ""].sort_values("period_end")
groups = obs[obs["dimension"] == dimension].sort_values(["period_end", "member"])
counts = compare.rollup_method(unit, m["kind"]) == "sum"

st.title(f"Equity: {m['name']} by {dimension}")
st.caption(f"{m['kind'].title()} measure · unit: {unit or '—'} · {'higher' if m['direction'] == 'higher' else 'lower'}"
           f" is better · {groups['member'].nunique()} groups · {groups['period'].nunique()} periods")

shown = equity.suppress(groups, threshold if counts else 0)
n_sup = int(shown["suppressed"].sum())
if counts:
    st.info(f"Counts below {threshold} are shown as “suppressed”, never as the number (city setting "
            f"`suppress_below`). When only one group is suppressed in a period, the next smallest is "
            f"suppressed too, so it can't be worked out from the city total. "
            f"{n_sup} of {len(shown)} figures are suppressed on this page.")
else:
    st.caption(f"This is a rate or level ({unit}), not a count, so small-count suppression does not apply.")

gaps = equity.gaps(shown)
latest = gaps.dropna(subset=["value"]).tail(1)
if not latest.empty:
    row = latest.iloc[0]
    first = gaps.dropna(subset=["value"]).iloc[0]
    g1, g2, g3 = st.columns(3)
    g1.metric(f"Gap in {row['period']} (max − min, {unit})", charts.fmt(row["value"]),
              delta=f"{scoring.fmt_number(row['value'] - first['value'], signed=True)} since {first['period']}",
              delta_color="off")
    def group_name(member: object) -> str:
        text = str(member)
        return f"{dimension.title()} {text}" if text.isdigit() else text

    g2.metric(f"Highest in {row['period']}", group_name(row["high_member"]))
    g3.metric(f"Lowest in {row['period']}", group_name(row["low_member"]))
    st.plotly_chart(charts.gap_chart(gaps.dropna(subset=["value"]), m["name"], unit, dimension), width="stretch",
                    key="gap")
    st.caption("The gap is computed only from figures that are shown, so it never reveals a suppressed count.")
else:
    st.info("Too few groups are shown in any period to measure a gap.")

vs = equity.vs_city(shown, city, counts)
if counts:
    st.plotly_chart(charts.vs_city_chart(vs, m["name"], "Share of the city total (%)", dimension, "%",
                                         reference=None), width="stretch", key="vs_city")
else:
    st.plotly_chart(charts.vs_city_chart(vs, m["name"], f"Difference from the city figure ({unit})", dimension,
                                         f" {unit}"), width="stretch", key="vs_city")

st.subheader("Figures by group")
table = shown.assign(shown_text=equity.display_values(shown, 0 if counts else 2))
wide = table.pivot(index="period", columns="member", values="shown_text")
wide = wide.reindex(city["period"].tolist()[::-1]).dropna(how="all")
wide.insert(0, "City", city.set_index("period")["value"].reindex(wide.index).map(
    lambda v: charts.fmt(v) if v == v else "—"))
st.dataframe(wide.reset_index(), hide_index=True, width="stretch", height=320)

st.subheader("Track the gap as a measure")
series = equity.gap_series(shown, measure_id, dimension, value_col="shown")
gid = equity.gap_measure_id(measure_id, dimension)
st.markdown(f"The gap can be tracked like any other measure, with its own target: measure id `{gid}` "
            f"({len(series)} periods). Download it and upload it on the Upload page (with `--create-measures` "
            "from the command line) to give it a target.")
st.download_button("Download the gap series (CSV)", series.to_csv(index=False), file_name=f"{gid}.csv",
                   mime="text/csv")
