"""Overview: the city score and its movement, every goal with its status counts, movers, what is stale."""

from datetime import date
from urllib.parse import quote

import pandas as pd
import streamlit as st

from metrics.charts import dashboards as charts
from metrics.domain import text
from metrics.domain.vocabulary import STATUSES
from metrics.views import overview as overview_view
from ui import auth, live, views
from ui.widgets import status_legend

DRAFTS_PARAM = "drafts"  # ?drafts=1: a staff reader counts draft measures too (default off)


def _drafts_changed() -> None:
    """Keep the toggle in the URL, so a shared or reloaded link shows the same choice."""
    if st.session_state.get("include_drafts"):
        st.query_params[DRAFTS_PARAM] = "1"
    else:
        st.query_params.pop(DRAFTS_PARAM, None)  # the default stays out of the URL


today = date.today()
drafts_wanted = st.query_params.get(DRAFTS_PARAM) == "1"
v = views.show(overview_view.build, today=today, include_drafts=drafts_wanted)
st.session_state["overview_version"] = v.version  # what this render shows; the live check compares


LIVE_SECONDS = live.interval_seconds()


@st.fragment(run_every=LIVE_SECONDS)
def live_check() -> None:
    """A wall screen notices an upload (made through any app process) within a minute: one tiny
    read, a full rerun only on change."""
    version = views.status().version
    if version != st.session_state.get("overview_version", version):
        st.rerun()
    st.caption(f"Live · checks for new data every {LIVE_SECONDS} s · data version {version}")


st.title(f"{text.md(v.city_name)}: how are we doing?")
st.markdown(f"**Data as of {v.data_as_of or '—'}** · last update {v.updated_at or '—'} · statuses judged against "
            "the target in force for each period")
live_check()
if v.staff:  # the public never sees a draft, so only staff get the choice
    st.toggle("Include drafts", value=drafts_wanted, key="include_drafts", on_change=_drafts_changed,
              help="Off: only published measures count in the score, the status counts, movers, what is stale "
                   "and the goal cards. On: draft measures count too, marked “draft”.")
    if v.include_drafts:
        st.caption(f"Including {v.drafts} draft measures, marked “draft”: the public and the published "
                   "dashboard do not count them.")
    elif v.drafts_left_out:
        st.caption(f"{v.drafts_left_out} draft measures are left out until they are published.")

comp, delta, counts = v.composite, v.movement_delta, v.counts
c1, c2, c3, c4 = st.columns(4)
c1.metric(f"City score (actual ÷ target, capped at {v.cap:.0%})", "—" if comp.n_scored == 0 else f"{comp.score:.0%}",
          delta=None if delta is None else f"{delta[0]:+.1f} pts since {delta[1]}",
          help=f"Average of each measure's actual/target (inverted when lower is better), capped at {v.cap:g}. "
               f"Based on {comp.n_scored} measures; {comp.stale_excluded} stale and "
               f"{comp.no_target_excluded} without a target are left out.")
c2.metric("Measures on track", f"{counts['on_track']} of {v.n_measures}")
c3.metric("Stale (overdue data)", counts["stale"])
c4.metric("Without a target", counts["no_target"])
status_legend()

def marked(frame: pd.DataFrame) -> pd.DataFrame:
    """Draft rows (counted only when staff include drafts) say so next to their name."""
    if not v.include_drafts or "state" not in frame.columns:
        return frame
    return frame.assign(name=[f"{n} (draft)" if s == "draft" else n
                              for n, s in zip(frame["name"], frame["state"], strict=True)])


left, right = st.columns([3, 2])
with left:
    if v.movement["score"].notna().any():
        st.plotly_chart(charts.composite_chart(v.movement), width="stretch", key="composite_chart")
    else:
        st.info("No measure could be scored in the last 12 months, so there is no city score to chart.")
with right:
    st.subheader("What is stale")
    if v.stale.empty:
        st.caption("Every measure has reported on time.")
    else:
        st.dataframe(marked(v.stale)[["measure_id", "name", "period", "due"]], hide_index=True, width="stretch",
                     column_config={"measure_id": None,
                                    "name": st.column_config.TextColumn("Measure", width="medium"),
                                    "period": st.column_config.TextColumn("Latest", width="small"),
                                    "due": st.column_config.DateColumn("Next was due", width="small")})


def measure_links(ids: pd.Series) -> pd.Series:
    return "/measure?measure=" + ids.map(lambda i: quote(str(i))) + auth.link_suffix()


def movers_table(frame: pd.DataFrame, title: str) -> None:
    st.markdown(f"**{title}**")
    if frame.empty:
        st.caption("None this period.")
        return
    table = marked(frame).assign(Link=measure_links(frame["measure_id"]),
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
    movers_table(v.improvers, "Top improvers since the previous period")
with m2:
    movers_table(v.decliners, "Top decliners since the previous period")

ALL_PRIORITIES, ALL_DEPARTMENTS, ALL_STATUSES = "All priorities", "All departments", "All statuses"
f1, f2, f3 = st.columns(3)
priority = f1.selectbox("Priority", [ALL_PRIORITIES, *v.priorities], key="priority", bind="query-params")
department = f2.selectbox("Department", [ALL_DEPARTMENTS, *v.departments], key="department", bind="query-params")
status_pick = f3.selectbox("Status", [ALL_STATUSES, *[s.label for s in STATUSES.values()]], key="status",
                           bind="query-params")
filters = {"priority": None if priority == ALL_PRIORITIES else priority,
           "department": None if department == ALL_DEPARTMENTS else department,
           "status": None if status_pick == ALL_STATUSES else status_pick}
shown = v if not any(filters.values()) else views.show(overview_view.build, today=today,
                                                        include_drafts=drafts_wanted, **filters)
if not shown.sections:
    st.info("No measure matches these filters.")

for section in shown.sections:
    st.header(text.md(section.name))
    for g in section.goals:
        tally = " · ".join(f"{STATUSES[s].symbol} {n} {STATUSES[s].label.lower()}" for s, n in g.counts)
        if g.drafts:
            tally += f" (of which {g.drafts} draft)"
        with st.container(border=True):
            st.subheader(text.md(g.name))
            st.caption(f"{text.md(g.statement)} Target date {g.target_date}. {tally}")
            st.page_link("app_pages/goal.py", label="Open the goal ›", query_params=auth.link_params(goal=g.id))
            if g.outcome_measures == 0:
                st.warning("This goal has no outcome measure: it counts activity, not results for residents.")
            table = marked(g.measures).assign(Link=measure_links(g.measures["measure_id"]))[
                ["name", "Link", "kind", "period", "actual", "target", "status_label", "change_prev_pct", "unit"]]
            st.dataframe(
                table, hide_index=True, width="stretch",
                column_config={
                    "name": "Measure",
                    "Link": st.column_config.LinkColumn("Open", display_text="Details ›"),
                    "kind": "Kind", "period": "Latest period",
                    "actual": st.column_config.NumberColumn("Actual", format="localized"),
                    "target": st.column_config.NumberColumn("Target", format="localized"),
                    "status_label": "Status",
                    "change_prev_pct": st.column_config.NumberColumn("Change vs previous", format="%+.1f%%"),
                    "unit": "Unit",
                })
