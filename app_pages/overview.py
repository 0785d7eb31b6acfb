"""Overview: one screen that answers "how are we doing", the drill-down below it.

Above the fold: the filters (bound to the URL), the city score with a chart whose axis starts at
0, the status counts, what changed, and every priority and goal as a compact card. Below, folded
away: every measure in one table, the movers and the stale list. The filters apply to all of it.
"""

from datetime import date
from urllib.parse import quote

import pandas as pd
import streamlit as st

from metrics.charts import dashboards as charts
from metrics.domain import periods, text
from metrics.domain.vocabulary import STATUSES
from metrics.errors import MetricsError
from metrics.views import overview as overview_view
from metrics.views import report as report_view
from ui import auth, live, views
from ui.overview_cards import goal_cards, status_counts
from ui.widgets import page_of

DRAFTS_PARAM = "drafts"  # ?drafts=1: a staff reader counts draft measures too (default off)
ALL_PRIORITIES, ALL_DEPARTMENTS, ALL_STATUSES = "All priorities", "All departments", "All statuses"


def _drafts_changed() -> None:
    """Keep the toggle in the URL, so a shared or reloaded link shows the same choice."""
    if st.session_state.get("include_drafts"):
        st.query_params[DRAFTS_PARAM] = "1"
    else:
        st.query_params.pop(DRAFTS_PARAM, None)  # the default stays out of the URL


today = date.today()
drafts_wanted = st.query_params.get(DRAFTS_PARAM) == "1"
every = views.show(overview_view.build, today=today, include_drafts=drafts_wanted)  # the filters' options

st.title(f"{text.md(every.city_name)}: how are we doing?")
bar = st.container(horizontal=True, wrap=True, vertical_alignment="center")  # one row on a wall, two on a phone
with bar:  # the options name themselves ("All priorities"), so the labels stay for screen readers only
    priority = st.selectbox("Priority", [ALL_PRIORITIES, *every.priorities], key="priority", bind="query-params",
                            label_visibility="collapsed", width=280)
    department = st.selectbox("Department", [ALL_DEPARTMENTS, *every.departments], key="department",
                              bind="query-params", label_visibility="collapsed", width=280)
    status_pick = st.selectbox("Status", [ALL_STATUSES, *[s.label for s in STATUSES.values()]], key="status",
                               bind="query-params", label_visibility="collapsed", width=170)
    if every.staff:  # the public never sees a draft, so only staff get the choice
        st.toggle("Include drafts", value=drafts_wanted, key="include_drafts", on_change=_drafts_changed,
                  help="Off: only published measures count in the score, the counts, movers, what is stale and "
                       "the goal cards. On: draft measures count too, marked “draft”.")
filters = {"priority": None if priority == ALL_PRIORITIES else priority,
           "department": None if department == ALL_DEPARTMENTS else department,
           "status": None if status_pick == ALL_STATUSES else status_pick}
v = every if not any(filters.values()) else views.show(overview_view.build, today=today,
                                                        include_drafts=drafts_wanted, **filters)
st.session_state["overview_version"] = v.version  # what this render shows; the live check compares


LIVE_SECONDS = live.interval_seconds()


@st.fragment(run_every=LIVE_SECONDS)
def live_check() -> None:
    """A wall screen notices an upload (made through any app process) within a minute: one tiny
    read, a full rerun only on change."""
    version = views.status().version
    if version != st.session_state.get("overview_version", version):
        st.rerun()
    st.caption(f"**Data as of {v.data_as_of or '—'}** · last update {text.stamp(v.updated_at)} · Live: checks for "
               f"new data every {LIVE_SECONDS} s (version {version})")


live_check()
if v.include_drafts:
    st.caption(f"Including {v.drafts} draft measures, marked “draft”: the public and the published "
               "dashboard do not count them.")
elif v.drafts_left_out:
    st.caption(f"{v.drafts_left_out} draft measures are left out until they are published.")
if v.filtered:
    st.caption(f"Filtered: every figure below is of the {v.n_measures} measures these filters keep.")
comp = v.composite
moved, sign = overview_view.movement_words(v.movement_delta)
left, right = st.columns([1, 2], gap="medium")
with left:
    st.metric(f"City score (actual ÷ target, capped at {v.cap:.0%})",
              "—" if comp.n_scored == 0 else f"{comp.score:.0%}", delta=moved,
              delta_color="normal" if sign else "off", delta_arrow="auto" if sign else "off",
              help="Average of each measure's actual ÷ target (inverted when lower is better), capped. "
                   "100% means on target on average.")
    left_out = [f"{n} {w}" for n, w in ((comp.stale_excluded, "stale"), (comp.no_target_excluded, "without a target"))
                if n]
    st.caption(f"Average of **{comp.n_scored} measures**" + (f" ({', '.join(left_out)} left out)" if left_out else "")
               + ("." if not v.pulled_down else ". Pulled down most by " + "; ".join(
                   f"{text.md(name)} ({overview_view.points_below(pts)})" for _mid, name, pts in v.pulled_down) + "."))
    if v.movement["score"].notna().any():
        drawn = v.movement[["label", "score", "n_scored"]].to_csv(index=False)  # what the chart shows, as a key
        st.plotly_chart(views.built(("composite_chart", drawn), lambda: charts.composite_chart(v.movement, height=200)),
                        width="stretch", key="composite_chart", config={"displayModeBar": False})
    else:
        st.info("No measure could be scored in the last 12 months, so there is no city score to chart.")
    status_counts(v.counts, v.n_measures)
    if v.changes:
        st.markdown("**Since the last period**\n" + "\n".join(f"- {text.md(c)}" for c in v.changes))
with right:
    if not v.sections:
        st.info("No measure matches these filters.")
    goal_cards(v.sections, auth.link_suffix())


def marked(frame: pd.DataFrame) -> pd.DataFrame:
    """Draft rows (counted only when staff include drafts) say so next to their name."""
    if not v.include_drafts or "state" not in frame.columns:
        return frame
    return frame.assign(name=[f"{n} (draft)" if s == "draft" else n
                              for n, s in zip(frame["name"], frame["state"], strict=True)])


def measure_links(ids: pd.Series) -> pd.Series:
    return "/measure?measure=" + ids.map(lambda i: quote(str(i))) + auth.link_suffix()


def movers_table(frame: pd.DataFrame, title: str) -> None:
    st.markdown(f"**{title}**")
    if frame.empty:
        st.caption("None this period.")
        return
    table = marked(frame).assign(Link=measure_links(frame["measure_id"]),
                                 latest=[charts.fmt(a, u) for a, u in zip(frame["actual"], frame["unit"], strict=True)])
    st.dataframe(table[["name", "period", "latest", "improvement", "Link"]], hide_index=True, width="stretch",
                 column_config={"name": st.column_config.TextColumn("Measure", width="medium"),
                                "period": st.column_config.TextColumn("Period", width="small"),
                                "latest": st.column_config.TextColumn("Latest", width="small"),
                                "improvement": st.column_config.NumberColumn(
                                    "Better/worse", format="%+.1f%%", width="small",
                                    help="Change on the previous period, + when it got better whatever the "
                                         "measure's direction"),
                                "Link": st.column_config.LinkColumn("Open", display_text="›", width="small")})


def folded(label: str, key: str):
    """An expander whose contents are built only once it is opened: a closed one costs the browser
    nothing (a 1,000-row grid drawn inside a folded expander was most of a large city's page time).
    Its label must not change with the filters: Streamlit keys an expander's state on its label too,
    so a count in the label would fold it again on every filter change."""
    box = st.expander(label, key=key, on_change="rerun")
    return box, bool(box.open)


@st.fragment
def in_detail() -> None:
    """The drill-down, rerun on its own when a section is opened or paged (not the whole page)."""
    st.subheader("In detail")
    box, is_open = folded("Every measure, by goal", "detail_every")  # no count in a label: a new label closes it
    rows = [g.measures.assign(goal=g.name, priority=s.name) for s in v.sections for g in s.goals] if is_open else []
    if rows:
        with box:
            st.caption(f"{v.n_measures} measures.")
            table = page_of(pd.concat(rows, ignore_index=True), "every_measure_page")  # a page at a time
            table = marked(table).assign(Link=measure_links(table["measure_id"]))
            st.dataframe(
                table[["priority", "goal", "name", "Link", "kind", "period", "actual", "target", "status_label",
                       "change_prev_pct", "unit"]],
                hide_index=True, width="stretch", height=420,
                column_config={
                    "priority": "Priority", "goal": "Goal", "name": "Measure",
                    "Link": st.column_config.LinkColumn("Open", display_text="Details ›"),
                    "kind": "Kind", "period": "Latest period",
                    "actual": st.column_config.NumberColumn("Actual", format="localized"),
                    "target": st.column_config.NumberColumn("Target", format="localized"),
                    "status_label": "Status",
                    "change_prev_pct": st.column_config.NumberColumn("Change vs previous", format="%+.1f%%"),
                    "unit": "Unit",
                })
    box, is_open = folded("Biggest movers since the previous period", "detail_movers")
    if is_open:
        with box:
            m1, m2 = st.columns(2)
            with m1:
                movers_table(v.improvers, "Top improvers since the previous period")
            with m2:
                movers_table(v.decliners, "Top decliners since the previous period")
    box, is_open = folded("What is stale", "detail_stale")
    if is_open:
        with box:
            if v.stale.empty:
                st.caption("Every measure has reported on time.")
            else:
                st.caption(f"{len(v.stale)} measures are overdue with new data, earliest due first.")
                st.dataframe(marked(page_of(v.stale, "stale_page"))[["measure_id", "name", "period", "due"]],
                             hide_index=True, width="stretch",
                             column_config={"measure_id": None,
                                            "name": st.column_config.TextColumn("Measure", width="medium"),
                                            "period": st.column_config.TextColumn("Latest", width="small"),
                                            "due": st.column_config.DateColumn("Next was due", width="small")})


in_detail()
if v.staff:  # the council report counts every published measure, private goals included: staff only;
    # it sits with the drill-down so the mayor's one screen keeps every goal above the fold
    with st.expander("Council report (PDF or Excel)"):
        r1, r2, r3 = st.columns([2, 1, 1])
        default = periods.label_of(v.data_as_of, "quarter") if v.data_as_of else ""
        period = r1.text_input("Period", value=default, key="report_period",
                               help="A canonical period label: 2018-03, 2018-Q1, 2018 or FY2019.")
        fmt = r2.selectbox("Format", ["pdf", "xlsx"], key="report_format",
                           format_func=lambda f: {"pdf": "PDF", "xlsx": "Excel"}[f])
        if r3.button("Prepare report", key="report_prepare"):
            try:
                with st.spinner("Preparing the report (charts take a few seconds)..."):
                    st.session_state["report_file"] = report_view.council_report(
                        views.database_url(), views.actor(), period=period, fmt=fmt)
            except MetricsError as exc:
                st.error(text.md(str(exc)))
        made = st.session_state.get("report_file")
        if made is not None:
            st.download_button(f"Download {made.name}", made.data, file_name=made.name, mime=made.mime,
                               key="report_download")
