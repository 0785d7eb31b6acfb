"""Overview: the city score and its movement, every goal with its status counts, movers, what is stale."""

from datetime import date
from urllib.parse import quote

import pandas as pd
import streamlit as st

from metrics.charts import dashboards as charts
from metrics.domain import overview, scoring
from metrics.store import db
from ui import auth, data
from ui.context import current
from ui.widgets import status_legend

ctx = current()
st.session_state["overview_version"] = ctx.version  # what this render shows; the live check compares


@st.fragment(run_every="30s")
def live_check() -> None:
    """A wall screen notices an upload within a minute: one tiny query, a full rerun only on change."""
    version = data.data_status()["data_version"]
    if version != st.session_state.get("overview_version", version):
        st.rerun()
    st.caption(f"Live · checks for new data every 30 s · data version {version}")


@st.cache_data(show_spinner=False, max_entries=8)
def _summary(version: int, url: str, vis: object, today: date,
             _measures, _recent, _history, _targets):
    """Keyed by database, data version, day and who is looking (a goal-scoped public link must
    never be served a summary computed for staff): the frames are what that key holds, so
    they aren't hashed."""
    return overview.summary(_measures, _recent, _history, _targets, today)


today = date.today()
measures = data.load("measures", ctx.version)
goals = data.load("goals", ctx.version)
recent = data.load("recent_aggregates", ctx.version, depth=overview.RECENT_DEPTH)
history = data.load("composite_history", ctx.version,
                    since=overview.movement_since(today))
targets = data.load("targets", ctx.version)

st.title(f"{ctx.city_name}: how are we doing?")
summ = _summary(ctx.version, db.url_from_env(), ctx.visibility, today,
                measures, recent, history, targets)
status, comp = summ.status, summ.composite
latest_end = summ.latest_end.date() if summ.latest_end is not None else None
st.markdown(f"**Data as of {latest_end or '—'}** · last update {ctx.as_of or '—'} · statuses judged against "
            "the target in force for each period")
live_check()

delta = overview.movement_delta(summ.movement)
c1, c2, c3, c4 = st.columns(4)
c1.metric("City score (actual ÷ target, capped at 125%)", "—" if comp.n_scored == 0 else f"{comp.score:.0%}",
          delta=None if delta is None else f"{delta[0]:+.1f} pts since {delta[1]}",
          help="Average of each measure's actual/target (inverted when lower is better), capped at 1.25. "
               f"Based on {comp.n_scored} measures; {comp.stale_excluded} stale and "
               f"{comp.no_target_excluded} without a target are left out.")
c2.metric("Measures on track", f"{(status['status'] == 'on_track').sum()} of {len(status)}")
c3.metric("Stale (overdue data)", int((status["status"] == "stale").sum()))
c4.metric("Without a target", int((status["status"] == "no_target").sum()))
status_legend()

left, right = st.columns([3, 2])
with left:
    if summ.movement["score"].notna().any():
        st.plotly_chart(charts.composite_chart(summ.movement), width="stretch", key="composite_chart")
    else:
        st.info("No measure could be scored in the last 12 months, so there is no city score to chart.")
with right:
    st.subheader("What is stale")
    if summ.stale.empty:
        st.caption("Every measure has reported on time.")
    else:
        st.dataframe(summ.stale[["measure_id", "name", "period", "due"]], hide_index=True, width="stretch",
                     column_config={"measure_id": None,
                                    "name": st.column_config.TextColumn("Measure", width="medium"),
                                    "period": st.column_config.TextColumn("Latest", width="small"),
                                    "due": st.column_config.DateColumn("Next was due", width="small")})


def movers_table(frame: pd.DataFrame, title: str) -> None:
    st.markdown(f"**{title}**")
    if frame.empty:
        st.caption("None this period.")
        return
    table = frame.assign(Link="/measure?measure=" + frame["measure_id"] + auth.link_suffix(),
                         latest=[charts.fmt(a, u) for a, u in zip(frame["actual"], frame["unit"], strict=True)])
    st.dataframe(table[["name", "period", "latest", "improvement", "Link"]], hide_index=True,
                 width="stretch",
                 column_config={"name": st.column_config.TextColumn("Measure", width="medium"),
                                "period": st.column_config.TextColumn("Period", width="small"),
                                "latest": st.column_config.TextColumn("Latest", width="small"),
                                "improvement": st.column_config.NumberColumn(
                                    "Better/worse", format="%+.1f%%", width="small",
                                    help="Change on the previous period, + when it got better whatever the "
                                         "measure's direction"),
                                "Link": st.column_config.LinkColumn("Open", display_text="›", width="small")})


m1, m2 = st.columns(2)
with m1:
    movers_table(summ.movers.improvers, "Top improvers since the previous period")
with m2:
    movers_table(summ.movers.decliners, "Top decliners since the previous period")

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
            st.markdown(f"[Open the goal ›](/goal?goal={quote(str(goal_id))}{auth.link_suffix()})")
            if g["outcome_measures"] == 0:
                st.warning("This goal has no outcome measure: it counts activity, not results for residents.")
            table = rows.assign(
                Status=rows["status"].map(overview.status_label),
                Link="/measure?measure=" + rows["measure_id"] + auth.link_suffix(),
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
