"""What Works Cities certification: where the city stands, what the next level needs, and the work log.

Thin: widgets -> metrics.views.certification (build, detail, save) -> render with charts.certification.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import streamlit as st

from metrics.charts import certification as cc
from metrics.domain.text import md
from metrics.domain.vocabulary import WWC_STATUS_TEXT, WWC_STATUSES
from metrics.views import certification as cert_view
from ui import auth
from ui.views import actor, fail, show
from ui.widgets import id_select


def level_text(a) -> str:
    now = f"**{md(a.level)}**" if a.level else "**Not certified**"
    out = f"{now}: {a.met} of {a.total} criteria met ({a.share:.0%})."
    if a.core_missing:
        out += f" Core criteria missing: {md(', '.join(a.core_missing))}"
        out += f" (the share alone would earn {md(a.share_level)})." if a.share_level else "."
    if a.next_level:
        out += f" **{md(a.next_level)} needs {a.needed_for_next} more** criteria met."
    else:
        out += " The top level is held."
    return out


def write(code: str, **changes) -> bool:
    """One status update as this page's reader; problems are shown, never a traceback."""
    saved = cert_view.save(None, actor(), code, **changes)
    if not saved.ok:
        st.error("Nothing was saved:\n\n" + "\n".join(f"- {md(m)}" for m in saved.errors))
        return False
    st.session_state["cert_flash"] = saved.message
    return True


def app_link(link: object) -> object:
    """Links into the app keep a public reader's share token."""
    return f"{link}{auth.link_suffix()}" if isinstance(link, str) and link.startswith("/") else link


today = date.today()
v = show(cert_view.build, as_of=today)
if v.notice:
    fail(v.notice)
a = v.assessment
config = v.config
who = actor()
editable = cert_view.can_edit(who)  # per reader: cached views are shared by visibility

st.title("What Works Cities certification")
thresholds = ", ".join(f"{md(name)} {n}" for name, n in v.thresholds)
core = ", ".join(config.core)
st.caption(f"Standard {md(v.standard)} · criteria needed of {a.total}: {thresholds}; "
           f"every level also needs the {len(config.core)} core criteria ({md(core)}).")
if flash := st.session_state.pop("cert_flash", None):
    st.success(md(flash))

# --- level card ----------------------------------------------------------------------------------------
with st.container(border=True):
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Level now", a.level or "Not certified")
    c2.metric("Criteria met", f"{a.met} of {a.total}", help=f"{a.share:.1%} of the criteria")
    c3.metric("Core criteria met", f"{a.core_met} of {len(config.core)}",
              help=f"{md(core)} are required for any level.")
    if a.next_level:
        c4.metric(f"To reach {md(a.next_level)}", f"{a.needed_for_next} more",
                  help="Criteria still to meet, counting any missing core criterion.")
    else:
        c4.metric("Next level", "Top level held")
    st.markdown(level_text(a))

# --- criteria status next to goal progress -------------------------------------------------------------
left, right = st.columns(2)
with left:
    st.plotly_chart(cc.practice_progress_figure(a.by_practice), width="stretch", key="practice_chart")
with right:
    if v.goal_progress.empty:
        st.info("No measures yet, so there is no goal progress to show.")
    else:
        st.plotly_chart(cc.goal_progress_figure(v.goal_progress), width="stretch", key="goal_chart")

# --- what if -------------------------------------------------------------------------------------------
st.header("What if")
titles = v.titles
if v.path.empty:
    st.caption("The city holds the top level: there is no next level to project.")
else:
    st.caption(f"Shortest path to {md(a.next_level)}: meet these {len(v.path)} criteria, core and nearly-done "
               "first. Tick criteria below to see the projected level.")
    st.dataframe(v.path, hide_index=True, width="stretch",
                 column_config={"step": "Step", "code": "Code", "criterion": "Criterion", "status": "Status",
                                "owner": "Owner", "target_date": st.column_config.DateColumn("Due"),
                                "reaches": "Level once done"})


def _tick_path() -> None:
    st.session_state["whatif"] = list(v.path["code"])


picked = st.multiselect("Treat these criteria as met", v.unmet, key="whatif",
                        format_func=lambda c: f"{c} {titles.get(c, '')}",
                        placeholder="Choose criteria that are not met yet")
if not v.path.empty:
    st.button(f"Tick the shortest path to {a.next_level}", on_click=_tick_path)
projected = v.project(picked)
with st.container(border=True):
    p1, p2 = st.columns([1, 3])
    p1.metric("Projected level", projected.level or "Not certified",
              delta=None if projected.level == a.level else f"from {a.level or 'Not certified'}",
              delta_color="off")
    p2.markdown(("With " + f"{len(picked)} more met: " if picked else "Nothing ticked: ") + level_text(projected))

# --- next steps ----------------------------------------------------------------------------------------
st.header("Next steps")
if v.steps.empty:
    st.caption("Every criterion is met.")
else:
    lines = []
    for r in v.steps.itertuples():
        owner = ""
        if v.staff:
            owner = ", " + (md(r.owner) if isinstance(r.owner, str) and r.owner else "no owner yet")
        lines.append(f"{r.rank}. **[{md(r.code)}](?criterion={quote(str(r.code))}{auth.link_suffix()})** "
                     f"{md(r.criterion)} — {r.status_text}{owner}  \n   *{md(r.reason)}*")
    st.markdown("\n".join(lines))

# --- suggested evidence --------------------------------------------------------------------------------
if v.staff:
    st.header("Suggested evidence — confirm to attach")
    st.caption("Computed from the city's own measures and data. A suggestion never changes a status: a person "
               "confirms it, which attaches it as evidence; the status stays whatever the team sets.")
    for i, s in enumerate(v.suggestions.itertuples()):
        with st.container(border=True):
            col_a, col_b = st.columns([4, 1])
            col_a.markdown(f"**{md(s.code)}** · {md(s.title)} · {md(s.indicator)}: **{md(s.value_text)}** "
                           f"({s.verdict})  \n{md(s.detail)}")
            if editable and col_b.button("Confirm and attach", key=f"confirm_{i}_{s.code}",
                                           help=f"Attach this figure to {s.code} as evidence (status unchanged)"):
                if write(s.code, evidence=[{"kind": "document", "ref": s.evidence_ref, "note": s.evidence_note}]):
                    st.rerun()

# --- criteria table ------------------------------------------------------------------------------------
st.header("All criteria")
f1, f2 = st.columns(2)
practice = f1.selectbox("Practice", ["All practices", *v.practices], key="practice", bind="query-params")
status_pick = f2.selectbox("Status", ["All statuses", *WWC_STATUS_TEXT.values()], key="criteria_status",
                           bind="query-params")
status_key = next((k for k, label in WWC_STATUS_TEXT.items() if label == status_pick), None)
shown = v.table(practice=None if practice == "All practices" else practice, status=status_key)
shown.insert(0, "Link", "?criterion=" + shown["code"].map(quote) + auth.link_suffix())
st.dataframe(shown.drop(columns=["code"]), hide_index=True, width="stretch",
             column_config={"Link": st.column_config.LinkColumn("Code", display_text=r"\?criterion=([^&]*)",
                                                                help="Open the criterion's detail"),
                            "criterion": "Criterion",
                            "practice": "Practice", "status": "Status", "owner": "Owner",
                            "target_date": st.column_config.DateColumn("Due", format="YYYY-MM-DD", width=100),
                            "last_reviewed": st.column_config.DateColumn("Reviewed", format="YYYY-MM-DD"),
                            "evidence_count": st.column_config.NumberColumn("Evidence", width=75)})
st.caption(f"{len(shown)} of {len(v.criteria)} criteria shown.")
st.download_button("Download the assessment (CSV)", v.export_csv, file_name=v.export_name, mime="text/csv")

# --- one criterion -------------------------------------------------------------------------------------
st.header("Criterion detail")
codes = v.codes
if "criterion" in st.query_params and st.query_params["criterion"] not in codes:
    st.warning(f"No criterion {md(st.query_params['criterion'])} in the current standard.")
code = id_select("Criterion", ["", *codes], "criterion",
                 format_func=lambda c: f"{c} {titles[c]}" if c else "Choose a criterion")
if code:
    d = show(cert_view.detail, criterion=code)
    if d.notice:
        st.warning(md(d.notice))
    st.subheader(f"{md(d.code)} {md(d.title)}")
    st.markdown(f"*{md(d.practice)}*" + (" · **core criterion**" if d.is_core else "")
                + f"  \n{md(d.description)}")
    st.markdown(" · ".join(f"**{k}:** {md(val)}" for k, val in d.facts))
    if d.notes:
        st.markdown(f"**Notes:** {md(d.notes)}")

    st.markdown("**Evidence**")
    if d.evidence.empty:
        st.caption("No evidence attached yet.")
    else:
        st.dataframe(d.evidence.assign(link=d.evidence["link"].map(app_link)),
                     hide_index=True, width="stretch",
                     column_config={"kind": "Kind", "ref": "Evidence", "link": st.column_config.LinkColumn("Link"),
                                    "note": "Note", "added_by": "Added by",
                                    "added_at": st.column_config.DatetimeColumn("Added", format="YYYY-MM-DD")})
    st.markdown("**Linked goals**")
    if d.goals.empty:
        st.caption("No goals are linked to this criterion.")
    else:
        goals = d.goals.assign(Link="/goal?goal=" + d.goals["id"].map(quote) + auth.link_suffix())
        st.dataframe(goals[["name", "Link", *[c for c in ("priority_name", "owner", "target_date") if c in goals]]],
                     hide_index=True, width="stretch",
                     column_config={"name": "Goal", "Link": st.column_config.LinkColumn("Open", display_text="Goal ›"),
                                    "priority_name": "Priority", "owner": "Owner", "target_date": "Target date"})
    if v.staff:
        st.markdown("**History**")
        if d.history.empty:
            st.caption("No recorded changes.")
        else:
            st.dataframe(d.history[["changed_at", "changed_by", "field", "old_value", "new_value",
                                    "standard_version"]],
                         hide_index=True, width="stretch",
                         column_config={"changed_at": st.column_config.DatetimeColumn("When",
                                                                                      format="YYYY-MM-DD HH:mm"),
                                        "changed_by": "Who", "field": "Field", "old_value": "Old", "new_value": "New",
                                        "standard_version": "Standard"})

    if editable:
        with st.form(f"edit_{code}"):
            st.markdown(f"**Update {md(code)}**")
            e1, e2, e3 = st.columns(3)
            new_status = e1.selectbox("Status", list(WWC_STATUSES), index=list(WWC_STATUSES).index(d.status),
                                      format_func=lambda s: WWC_STATUS_TEXT[s], key=f"ed_status_{code}")
            new_owner = e2.text_input("Owner", value=d.owner or "", key=f"ed_owner_{code}")
            new_due = e3.date_input("Due date", value=d.target_date, format="YYYY-MM-DD", key=f"ed_due_{code}")
            new_notes = st.text_area("Notes", value=d.notes or "", max_chars=cert_view.NOTE_MAX_CHARS,
                                     key=f"ed_notes_{code}")
            new_links = st.text_area("Add evidence: one per line, an https:// link, measure:ID or goal:ID",
                                     key=f"ed_links_{code}")
            e4, e5 = st.columns(2)
            new_doc = e4.text_input("Or a document name (e.g. Data governance charter.pdf)", key=f"ed_doc_{code}")
            ev_note = e5.text_input("Note for the new evidence", key=f"ed_evnote_{code}")
            st.caption(f"Saved changes are recorded in the history as {md(who.name)}.")
            if st.form_submit_button("Save changes", type="primary"):
                items: list = [{"ref": line.strip(), "note": ev_note or None}
                               for line in new_links.splitlines() if line.strip()]
                if new_doc.strip():
                    items.append({"kind": "document", "ref": new_doc.strip(), "note": ev_note or None})
                if write(code, status=new_status, owner=new_owner, target_date=new_due or "", notes=new_notes,
                         evidence=items):
                    for key in (f"ed_links_{code}", f"ed_doc_{code}", f"ed_evnote_{code}"):
                        st.session_state.pop(key, None)
                    st.rerun()
    else:
        st.caption("Read-only view: sign in with editor rights to update criteria.")
