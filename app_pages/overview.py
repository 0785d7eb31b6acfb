"""Overview: every goal, its measures' latest value against target, and what is stale."""

from datetime import date

import streamlit as st

from metrics import overview, scoring
from ui import data
from ui.context import current
from ui.widgets import status_legend

ctx = current()
measures = data.load("measures", ctx.version, public_only=ctx.public_only)
goals = data.load("goals", ctx.version, public_only=ctx.public_only)
recent = data.load("recent_aggregates", ctx.version, public_only=ctx.public_only, depth=overview.RECENT_DEPTH)
targets = data.load("targets", ctx.version, public_only=ctx.public_only)

st.title(f"{ctx.city_name}: how are we doing?")
status = overview.measure_status(measures, recent, targets, date.today())
latest_end = recent["period_end"].max() if not recent.empty else None
st.caption(f"Data as of {latest_end or '—'} · last update {ctx.as_of or '—'} · statuses judged against "
           "the target in force for each period")

comp = scoring.composite_from_status(status)
c1, c2, c3, c4 = st.columns(4)
c1.metric("City score (actual ÷ target, capped at 125%)", "—" if comp.n_scored == 0 else f"{comp.score:.0%}",
          help="Average of each measure's actual/target (inverted when lower is better), capped at 1.25. "
               "Stale measures and measures without a target are left out and counted.")
c2.metric("Measures on track", f"{(status['status'] == 'on_track').sum()} of {len(status)}")
c3.metric("Stale (overdue data)", int((status["status"] == "stale").sum()))
c4.metric("Without a target", int((status["status"] == "no_target").sum()))
status_legend()

f1, f2, f3 = st.columns(3)
priority_names = ["All priorities", *goals.drop_duplicates("priority_id")["priority_name"].tolist()]
priority = f1.selectbox("Priority", priority_names, key="priority", bind="query-params")
departments = ["All departments", *sorted(measures["department"].dropna().unique().tolist())]
department = f2.selectbox("Department", departments, key="department", bind="query-params")
status_options = ["All statuses", *[s.label for s in scoring.STATUSES.values()]]
status_pick = f3.selectbox("Status", status_options, key="status", bind="query-params")

shown = status
if priority != "All priorities":
    shown = shown[shown["priority_name"] == priority]
if department != "All departments":
    shown = shown[shown["department"] == department]
if status_pick != "All statuses":
    code = next(k for k, s in scoring.STATUSES.items() if s.label == status_pick)
    shown = shown[shown["status"] == code]

rollup = overview.goal_rollup(status, goals).set_index("id")
for prio_name, prio_rows in shown.groupby("priority_name", sort=False):
    st.header(prio_name)
    for goal_id, rows in prio_rows.groupby("goal_id", sort=False):
        g = rollup.loc[goal_id]
        counts = " · ".join(f"{scoring.STATUSES[s].symbol} {int(g[s])} {scoring.STATUSES[s].label.lower()}"
                            for s in scoring.STATUSES if g[s])
        with st.container(border=True):
            st.subheader(g["name"])
            st.caption(f"{g['statement'] or ''} Target date {g['target_date']}. {counts}")
            if g["outcome_measures"] == 0:
                st.warning("This goal has no outcome measure: it counts activity, not results for residents.")
            table = rows.assign(
                Status=rows["status"].map(overview.status_label),
                Link="/measure?measure=" + rows["measure_id"],
            )[["name", "Link", "kind", "period", "actual", "target", "Status", "change_prev_pct", "unit"]]
            st.dataframe(
                table, hide_index=True, width="stretch",
                column_config={
                    "name": "Measure",
                    "Link": st.column_config.LinkColumn("Open", display_text="Details ›"),
                    "kind": "Kind", "period": "Latest period",
                    "actual": st.column_config.NumberColumn("Actual", format="localized"),
                    "target": st.column_config.NumberColumn("Target", format="localized"),
                    "change_prev_pct": st.column_config.NumberColumn("Change vs previous", format="%+.1f%%"),
                    "unit": "Unit",
                })
