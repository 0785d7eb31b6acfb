"""What Works Cities certification: where the city stands, what the next level needs, and the work log.

Thin: read widgets -> call metrics (certification, wwc_store, certification_charts) -> render.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote, urlsplit

import pandas as pd
import streamlit as st

from metrics import access
from metrics.charts import certification as cc
from metrics.domain import certification, overview
from metrics.store import db
from metrics.views import exports as export
from metrics.wwc import store as wwc_store
from ui import auth, data
from ui.context import current
from ui.criteria_panel import STATUS_TEXT
from ui.widgets import id_select

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def md(text: object) -> str:
    """User or file text made inert for st.markdown: no links, no emphasis, no HTML."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def is_web_link(ref: object) -> bool:
    try:
        parts = urlsplit(str(ref))
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def evidence_link(ref: object) -> str | None:
    """Where an evidence item can be opened: http(s) links as given, measure:/goal: refs inside the app.
    Anything else (a document name, or a scheme such as javascript:) gets no link."""
    if is_web_link(ref):
        return str(ref)
    kind, _, ref_id = str(ref).partition(":")
    if kind in ("measure", "goal") and re.fullmatch(r"[A-Za-z0-9_.\-]+", ref_id):
        return f"/{kind}?{kind}={ref_id}"
    return None


def level_text(a: certification.Assessment) -> str:
    now = f"**{a.level}**" if a.level else "**Not certified**"
    text = f"{now}: {a.met} of {a.total} criteria met ({a.share:.0%})."
    if a.core_missing:
        text += f" Core criteria missing: {md(', '.join(a.core_missing))}"
        text += f" (the share alone would earn {a.share_level})." if a.share_level else "."
    if a.next_level:
        text += f" **{a.next_level} needs {a.needed_for_next} more** criteria met."
    else:
        text += " The top level is held."
    return text


def write(code: str, **kwargs) -> bool:
    """Run one status update in its own transaction; show problems, never a traceback."""
    try:
        with db.writer() as conn:
            result = wwc_store.set_status(conn, code, **kwargs)
    except wwc_store.CertificationError as exc:
        st.error("Nothing was saved:\n\n" + "\n".join(f"- {md(m)}" for m in exc.errors))
        return False
    except db.DatabaseError as exc:
        st.error(f"Nothing was saved: {md(exc)}")
        return False
    parts = [f"{f.replace('_', ' ')} changed" for f in result["changed"]]
    if result["evidence"]:
        parts.append(f"{result['evidence']} evidence item(s) attached")
    st.session_state["cert_flash"] = f"{code} saved: " + (", ".join(parts) if parts else "marked as reviewed")
    return True


ctx = current()
if ctx.actor.goal_scope:
    data.fail("This share link covers one goal; the certification tracker is not part of it.")
config = certification.load_levels()
crit = data.load("wwc_criteria_status", ctx.version)
if crit.empty:
    data.fail("No What Works Cities criteria are loaded yet: run `python -m metrics init`.")
a = certification.assess(crit, config)
today = date.today()
editable = access.allowed(ctx.actor, "edit-criteria")
actor = ctx.actor.name

st.title("What Works Cities certification")
thresholds = ", ".join(f"{name} {config.needed(name, a.total)}" for name, _ in config.levels)
st.caption(f"Standard {md(crit['standard_version'].iloc[0])} · criteria needed of {a.total}: {thresholds}; "
           f"every level also needs the {len(config.core)} core criteria ({md(', '.join(config.core))}).")
if flash := st.session_state.pop("cert_flash", None):
    st.success(flash)

# --- level card ----------------------------------------------------------------------------------------
with st.container(border=True):
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Level now", a.level or "Not certified")
    c2.metric("Criteria met", f"{a.met} of {a.total}", help=f"{a.share:.1%} of the criteria")
    c3.metric("Core criteria met", f"{a.core_met} of {len(config.core)}",
              help="LC-01, DM-01 and PA-01 are required for any level.")
    if a.next_level:
        c4.metric(f"To reach {a.next_level}", f"{a.needed_for_next} more",
                  help="Criteria still to meet, counting any missing core criterion.")
    else:
        c4.metric("Next level", "Top level held")
    st.markdown(level_text(a))

# --- criteria status next to goal progress -------------------------------------------------------------
measures = data.load("measures", ctx.version)
recent = data.load("recent_aggregates", ctx.version, depth=overview.RECENT_DEPTH)
targets = data.load("targets", ctx.version)
goal_progress = cc.goal_progress_by_priority(overview.measure_status(measures, recent, targets, today))
left, right = st.columns(2)
with left:
    st.plotly_chart(cc.practice_progress_figure(a.by_practice), width="stretch", key="practice_chart")
with right:
    if goal_progress.empty:
        st.info("No measures yet, so there is no goal progress to show.")
    else:
        st.plotly_chart(cc.goal_progress_figure(goal_progress), width="stretch", key="goal_chart")

# --- what if -------------------------------------------------------------------------------------------
st.header("What if")
path = certification.what_if(crit, config)
unmet = crit.loc[crit["status"] != "met"]
titles = dict(zip(crit["code"], crit["criterion"], strict=True))
if path.empty:
    st.caption("The city holds the top level: there is no next level to project.")
else:
    st.caption(f"Shortest path to {md(a.next_level)}: meet these {len(path)} criteria, core and nearly-done "
               "first. Tick criteria below to see the projected level.")
    st.dataframe(path.assign(status=path["status"].map(STATUS_TEXT))[
                     ["step", "code", "criterion", "status", "owner", "target_date", "reaches"]],
                 hide_index=True, width="stretch",
                 column_config={"step": "Step", "code": "Code", "criterion": "Criterion", "status": "Status",
                                "owner": "Owner", "target_date": st.column_config.DateColumn("Due"),
                                "reaches": "Level once done"})


def _tick_path() -> None:
    st.session_state["whatif"] = list(path["code"])


picked = st.multiselect("Treat these criteria as met", unmet["code"].tolist(), key="whatif",
                        format_func=lambda c: f"{c} {titles.get(c, '')}",
                        placeholder="Choose criteria that are not met yet")
if not path.empty:
    st.button(f"Tick the shortest path to {a.next_level}", on_click=_tick_path)
projected = certification.assess(crit.assign(status=crit["status"].where(~crit["code"].isin(picked), "met")),
                                 config)
with st.container(border=True):
    p1, p2 = st.columns([1, 3])
    p1.metric("Projected level", projected.level or "Not certified",
              delta=None if projected.level == a.level else f"from {a.level or 'Not certified'}",
              delta_color="off")
    p2.markdown(("With " + f"{len(picked)} more met: " if picked else "Nothing ticked: ") + level_text(projected))

# --- next steps ----------------------------------------------------------------------------------------
all_measures = data.load("measures", ctx.version)
suggestions = certification.suggest_evidence(
    all_measures, data.load("goals", ctx.version),
    data.load("wwc_observations_summary", ctx.version), data.load("targets", ctx.version),
    today, fiscal_start_month=ctx.fiscal_start_month)
st.header("Next steps")
steps = certification.next_steps(crit, config, n=10, as_of=today, suggestions=suggestions)
if steps.empty:
    st.caption("Every criterion is met.")
else:
    lines = []
    for r in steps.itertuples():
        who = md(r.owner) if isinstance(r.owner, str) and r.owner else "no owner yet"
        lines.append(f"{r.rank}. **[{md(r.code)}](?criterion={quote(str(r.code))}{auth.link_suffix()})** {md(r.criterion)} "
                     f"— {STATUS_TEXT.get(r.status, md(r.status))}, {who}  \n   *{md(r.reason)}*")
    st.markdown("\n".join(lines))

# --- suggested evidence --------------------------------------------------------------------------------
st.header("Suggested evidence — confirm to attach")
st.caption("Computed from the city's own measures and data. A suggestion never changes a status: a person "
           "confirms it, which attaches it as evidence; the status stays whatever the team sets.")
for i, s in enumerate(suggestions.itertuples()):
    with st.container(border=True):
        col_a, col_b = st.columns([4, 1])
        value = "—" if pd.isna(s.value) else f"{s.value:.0%}"
        verdict = "suggests met" if s.suggests_met else "gap to close"
        col_a.markdown(f"**{md(s.code)}** · {md(titles.get(s.code, ''))} · {md(s.indicator)}: **{value}** "
                       f"({verdict})  \n{md(s.detail)}")
        if editable and col_b.button("Confirm and attach", key=f"confirm_{i}_{s.code}",
                                     help=f"Attach this figure to {s.code} as evidence (status unchanged)"):
            ref = f"Dashboard indicator {today:%Y-%m-%d}: {s.detail}"
            if write(s.code, evidence=[{"kind": "document", "ref": ref[:wwc_store.DOCUMENT_MAX_CHARS],
                                         "note": f"{s.indicator}: {value} ({verdict})"}], actor=actor):
                st.rerun()

# --- criteria table ------------------------------------------------------------------------------------
st.header("All criteria")
f1, f2 = st.columns(2)
practice = f1.selectbox("Practice", ["All practices", *dict.fromkeys(crit["practice"])], key="practice",
                        bind="query-params")
status_pick = f2.selectbox("Status", ["All statuses", *STATUS_TEXT.values()], key="criteria_status",
                           bind="query-params")
shown = crit
if practice != "All practices":
    shown = shown[shown["practice"] == practice]
if status_pick != "All statuses":
    shown = shown[shown["status"] == next(k for k, v in STATUS_TEXT.items() if v == status_pick)]
st.dataframe(shown.assign(status=shown["status"].map(STATUS_TEXT), Link="?criterion=" + shown["code"] + auth.link_suffix(),
                          criterion=shown["criterion"] + shown["is_core"].map({True: " (core)", False: ""}),
                          target_date=pd.to_datetime(shown["target_date"]),
                          last_reviewed=pd.to_datetime(shown["last_reviewed"]))[
                 ["Link", "criterion", "practice", "status", "owner", "target_date", "last_reviewed",
                  "evidence_count"]],
             hide_index=True, width="stretch",
             column_config={"Link": st.column_config.LinkColumn("Code", display_text=r"\?criterion=([^&]*)",
                                                                help="Open the criterion's detail"),
                            "criterion": "Criterion",
                            "practice": "Practice", "status": "Status", "owner": "Owner",
                            "target_date": st.column_config.DateColumn("Due", format="YYYY-MM-DD", width=100),
                            "last_reviewed": st.column_config.DateColumn("Reviewed", format="YYYY-MM-DD"),
                            "evidence_count": st.column_config.NumberColumn("Evidence", width=75)})
st.caption(f"{len(shown)} of {len(crit)} criteria shown.")

full = crit.merge(steps[["code", "reason"]].rename(columns={"reason": "next_step_reason"}), on="code", how="left")
full["on_shortest_path"] = full["code"].isin(set(path["code"]))
full.insert(0, "level_now", a.level or "Not certified")
export_cols = ["level_now", "standard_version", "code", "practice", "criterion", "is_core", "status", "owner",
               "target_date", "last_reviewed", "evidence_count", "notes", "on_shortest_path", "next_step_reason"]
st.download_button("Download the assessment (CSV)", export.to_csv(full[export_cols]),
                   file_name=f"wwc-assessment-{today:%Y-%m-%d}.csv", mime="text/csv")

# --- one criterion -------------------------------------------------------------------------------------
st.header("Criterion detail")
codes = crit["code"].tolist()
if "criterion" in st.query_params and st.query_params["criterion"] not in codes:
    st.warning(f"No criterion {md(st.query_params['criterion'])!s} in the current standard.")
code = id_select("Criterion", ["", *codes], "criterion",
                 format_func=lambda c: f"{c} {titles[c]}" if c else "Choose a criterion")
if code:
    row = crit.set_index("code").loc[code]
    st.subheader(f"{code} {row['criterion']}")
    st.markdown(f"*{md(row['practice'])}*" + (" · **core criterion**" if row["is_core"] else "")
                + f"  \n{md(row['description'])}")
    facts = {"Status": STATUS_TEXT.get(row["status"], row["status"]),
             "Owner": row["owner"] if isinstance(row["owner"], str) and row["owner"] else "—",
             "Due": "—" if pd.isna(row["target_date"]) else str(row["target_date"]),
             "Last reviewed": "—" if pd.isna(row["last_reviewed"]) else str(row["last_reviewed"])}
    st.markdown(" · ".join(f"**{k}:** {md(v)}" for k, v in facts.items()))
    if isinstance(row["notes"], str) and row["notes"]:
        st.markdown(f"**Notes:** {md(row['notes'])}")

    ev = data.load("wwc_evidence", ctx.version, code=code)
    st.markdown("**Evidence**")
    if ev.empty:
        st.caption("No evidence attached yet.")
    else:
        st.dataframe(ev.assign(link=ev["ref"].map(evidence_link))[
                         ["kind", "ref", "link", "note", "added_by", "added_at"]],
                     hide_index=True, width="stretch",
                     column_config={"kind": "Kind", "ref": "Evidence", "link": st.column_config.LinkColumn("Link"),
                                    "note": "Note", "added_by": "Added by",
                                    "added_at": st.column_config.DatetimeColumn("Added", format="YYYY-MM-DD")})
    goals_linked = data.load("wwc_criterion_goals", ctx.version, code=code)
    st.markdown("**Linked goals**")
    if goals_linked.empty:
        st.caption("No goals are linked to this criterion.")
    else:
        st.dataframe(goals_linked.assign(Link="/goal?goal=" + goals_linked["id"] + auth.link_suffix())[
                         ["name", "Link", "priority_name", "owner", "target_date"]],
                     hide_index=True, width="stretch",
                     column_config={"name": "Goal", "Link": st.column_config.LinkColumn("Open", display_text="Goal ›"),
                                    "priority_name": "Priority", "owner": "Owner", "target_date": "Target date"})
    hist = data.load("wwc_history", ctx.version, code=code)
    st.markdown("**History**")
    if hist.empty:
        st.caption("No recorded changes.")
    else:
        st.dataframe(hist[["changed_at", "changed_by", "field", "old_value", "new_value", "standard_version"]],
                     hide_index=True, width="stretch",
                     column_config={"changed_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm"),
                                    "changed_by": "Who", "field": "Field", "old_value": "Old", "new_value": "New",
                                    "standard_version": "Standard"})

    if editable:
        with st.form(f"edit_{code}"):
            st.markdown(f"**Update {code}**")
            e1, e2, e3 = st.columns(3)
            new_status = e1.selectbox("Status", list(certification.STATUSES),
                                      index=list(certification.STATUSES).index(row["status"]),
                                      format_func=lambda s: STATUS_TEXT[s], key=f"ed_status_{code}")
            new_owner = e2.text_input("Owner", value=row["owner"] if isinstance(row["owner"], str) else "",
                                    key=f"ed_owner_{code}")
            new_due = e3.date_input("Due date", value=None if pd.isna(row["target_date"]) else row["target_date"],
                                    format="YYYY-MM-DD", key=f"ed_due_{code}")
            new_notes = st.text_area("Notes", value=row["notes"] if isinstance(row["notes"], str) else "",
                                     max_chars=certification.NOTE_MAX_CHARS, key=f"ed_notes_{code}")
            new_links = st.text_area("Add evidence: one per line, an https:// link, measure:ID or goal:ID",
                                     key=f"ed_links_{code}")
            e4, e5 = st.columns(2)
            new_doc = e4.text_input("Or a document name (e.g. Data governance charter.pdf)", key=f"ed_doc_{code}")
            ev_note = e5.text_input("Note for the new evidence", key=f"ed_evnote_{code}")
            st.caption(f"Saved changes are recorded in the history as {md(actor)}.")
            if st.form_submit_button("Save changes", type="primary"):
                items: list = [{"ref": line.strip(), "note": ev_note or None}
                               for line in new_links.splitlines() if line.strip()]
                if new_doc.strip():
                    items.append({"kind": "document", "ref": new_doc.strip(), "note": ev_note or None})
                if write(code, status=new_status, owner=new_owner, target_date=new_due or "", notes=new_notes,
                         evidence=items, actor=actor):
                    for key in (f"ed_links_{code}", f"ed_doc_{code}", f"ed_evnote_{code}"):
                        st.session_state.pop(key, None)
                    st.rerun()
    else:
        st.caption("Read-only view: sign in with editor rights to update criteria.")
