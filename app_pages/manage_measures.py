"""Measure catalog: edit every metadata field, assign a goal, publish with a preview of what the public
will see, retire, delete; narratives per period and dated annotations.

Thin: metrics.views.catalog.measure_editor for what is shown, metrics.catalog writes with this page's
actor. The edit form carries the measure's version (and each narrative its own), so a change someone
else saved meanwhile is reported, not overwritten.
"""

from datetime import date

import pandas as pd
import streamlit as st

from metrics import catalog
from metrics.domain import text
from metrics.domain.vocabulary import (
    DIRECTION_LABELS,
    DIRECTIONS,
    FREQUENCIES,
    FREQUENCY_LABELS,
    KIND_LABELS,
    MEASURE_KINDS,
)
from metrics.views import catalog as catalog_view
from ui import manage, views
from ui.widgets import id_select

who = views.require("edit-catalog")
url = views.database_url()
st.title("Measure catalog")
manage.show_messages()

v = views.show(catalog_view.measure_editor, measure_id=st.query_params.get("measure"))
names = dict(zip(v.measures["id"], v.measures["name"], strict=True))
states = dict(zip(v.measures["id"], v.measures["state"], strict=True))


def changes_text(changed: dict) -> str:
    return "; ".join(f"{k}: {text.shown(a)} → {text.shown(b)}" for k, (a, b) in changed.items()) or "no change"


new_tab_only = v.measure is None
if not new_tab_only:
    chosen = id_select("Measure", list(v.measures["id"]), "measure",
                       format_func=lambda i: f"{names[i]} ({i}) — {states[i]}")
    if chosen != v.measure["id"]:
        v = views.show(catalog_view.measure_editor, measure_id=chosen)
    m = v.measure
    mid, state = m["id"], m["state"]
    st.subheader(text.md(m["name"]))
    st.caption(" · ".join(text.md(p) for p in (
        f"{state.upper()}", KIND_LABELS.get(m["kind"], m["kind"]), DIRECTION_LABELS.get(m["direction"], ""),
        FREQUENCY_LABELS.get(m["frequency"], m["frequency"]), f"goal: {manage.plain(m['goal_name']) or '—'}",
        "public" if m["is_public"] else "not public")))

    bar = st.container(horizontal=True)
    if state == "draft" and bar.button("Publish", type="primary", key="m_publish"):
        manage.save(catalog.publish_measures, url, [mid], actor=who, done=f"Published {mid}.")
    if state == "published" and bar.button("Unpublish", key="m_unpublish"):
        manage.save(catalog.unpublish_measures, url, [mid], actor=who, done=f"{mid} is a draft again.")
    if state != "retired" and bar.button("Retire", key="m_retire", help="Kept for history; out of scoring and public"):
        manage.save(catalog.retire_measures, url, [mid], actor=who, done=f"Retired {mid}.")
    if state == "retired" and bar.button("Restore", key="m_restore"):
        manage.save(catalog.restore_measures, url, [mid], actor=who, done=f"Restored {mid} as a draft.")
    refs = ", ".join(f"{n:,} {k}" for k, n in v.references.items())
    if bar.button("Delete", key="m_delete", disabled=bool(v.references),
                   help=f"Refused while {refs} refer to it: retire instead." if refs else "Nothing refers to it"):
        st.query_params.pop("measure", None)  # the measure is gone: the picker falls back to the first one
        manage.save(catalog.delete_measures, url, [mid], actor=who, done=f"Deleted {mid}.")

# keyed and tracked, so saving a form (which reruns the page) leaves the editor on the tab they were in
tabs = st.tabs(["New measure"] if new_tab_only else
               ["Public preview", "Details", "Narratives", "Annotations", "New measure"],
               key="measure_tab", on_change="rerun")

if not new_tab_only:
    with tabs[0]:
        p = v.preview
        if p.visible and state == "published":
            st.success("The public sees this measure now.")
        elif p.visible:
            st.info("Once published, the public will see this measure.")
        else:
            st.warning(text.md("The public will not see this measure: " + " ".join(p.blockers)))
        c1, c2, c3 = st.columns(3)
        c1.metric(f"Latest value{' (' + (p.latest_period or '') + ')' if p.latest_period else ''}", p.latest_value)
        c2.metric("Periods reported", p.periods)
        c3.metric("Breakdown cells suppressed for the public", p.suppressed_cells)
        if p.narrative:
            st.markdown("**Narrative the public reads**")
            st.markdown(p.narrative)  # domain.text.markdown: HTML and unsafe links already inert

    edit_form = f"m_edit_{mid}"
    edit_token = manage.based_on(edit_form, m["version"])
    with tabs[1], st.form(edit_form):
        c1, c2 = st.columns(2)
        name = c1.text_input("Name", manage.plain(m["name"]))
        goal_ids = [""] + list(v.goals["id"])
        goal_names = dict(zip(v.goals["id"], v.goals["name"], strict=True))
        gid = c2.selectbox("Goal", goal_ids, index=goal_ids.index(m["goal_id"]) if m["goal_id"] in goal_ids else 0,
                           format_func=lambda i: f"{goal_names[i]} ({i})" if i else "— none —")
        kind = c1.selectbox("Kind", MEASURE_KINDS, index=MEASURE_KINDS.index(m["kind"]),
                            format_func=lambda k: KIND_LABELS[k])
        direction = c2.selectbox("Direction", DIRECTIONS, index=DIRECTIONS.index(m["direction"]),
                                 format_func=lambda d: DIRECTION_LABELS[d])
        freq = c1.selectbox("Frequency", FREQUENCIES, index=FREQUENCIES.index(m["frequency"]),
                            format_func=lambda f: FREQUENCY_LABELS[f])
        unit = c2.text_input("Unit", manage.plain(m["unit"]))
        dept = c1.text_input("Department", manage.plain(m["department"]))
        owner = c2.text_input("Owner", manage.plain(m["owner"]))
        source = c1.text_input("Data source", manage.plain(m["data_source"]))
        public = c2.checkbox("Public (shown on public links once published)", bool(m["is_public"]))
        lo = c1.text_input("Plausible minimum", manage.plain(m["plausible_min"]))
        hi = c2.text_input("Plausible maximum", manage.plain(m["plausible_max"]))
        method = st.text_area("Methodology", manage.plain(m["methodology"]), height=100)
        if st.form_submit_button("Save details", type="primary"):
            fields = {"name": name, "goal_id": gid or None, "kind": kind, "direction": direction, "frequency": freq,
                      "unit": unit, "department": dept, "owner": owner, "data_source": source, "is_public": public,
                      "plausible_min": manage.none_if_blank(lo), "plausible_max": manage.none_if_blank(hi),
                      "methodology": method}
            manage.save(catalog.edit_measure, url, mid, fields, based_on=edit_token,
                        form=edit_form, actor=who,
                        done=lambda ch: f"Saved {mid}: {changes_text(ch)}.")

    with tabs[2]:
        st.caption("Why it moved and what we are doing, per period. Markdown works (bold, lists, http links); "
                   "HTML is shown as text.")
        labels = list(v.period_labels)
        existing = dict(zip(v.narratives["period"], v.narratives["body"], strict=True)) if not v.narratives.empty else {}
        tokens = dict(zip(v.narratives["period"], v.narratives["version"], strict=True)) if not v.narratives.empty else {}
        period = st.selectbox("Period", labels, key=f"narr_period_{mid}") if labels else None
        typed = st.text_input("…or another period of this measure's frequency (e.g. 2026-Q1)", key=f"narr_typed_{mid}")
        period = typed.strip() or period
        if period is None:
            st.info("No periods reported yet: type the period the narrative is for.")
        else:
            narr_form = f"narr_{mid}_{period}"
            token = manage.based_on(narr_form, tokens.get(period, ""))
            with st.form(narr_form):
                body = st.text_area("Narrative", existing.get(period, ""), height=150)
                if st.form_submit_button("Save narrative", type="primary"):
                    manage.save(catalog.set_narrative, url, mid, period, body, based_on=token, form=narr_form,
                                actor=who, done=lambda out: f"Narrative for {period} "
                                + ("removed." if out["removed"] else "saved." if out["changed"]
                                   else "unchanged: nothing to save."), notes=lambda out: out["warnings"])
        for r in v.narratives.itertuples():
            with st.expander(f"{r.period} — {text.shown(r.updated_by)}"):
                st.markdown(r.shown)

    with tabs[3]:
        st.caption("A dated note drawn as a marker on every chart of this measure and listed in the Outcomes story.")
        with st.form(f"note_{mid}"):
            on = st.date_input("Date", date.today(), min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
            body = st.text_input("Note", max_chars=200)
            if st.form_submit_button("Add annotation", type="primary"):
                manage.save(catalog.annotate_measure, url, mid, on, body, actor=who, done=f"Annotation added on {on}.")
        for r in v.annotations.itertuples():
            c1, c2 = st.columns([5, 1])
            c1.markdown(f"**{pd.Timestamp(r.on_date):%Y-%m-%d}** — {text.md(r.body)} ({text.md(r.created_by)})")
            if c2.button("Remove", key=f"note_rm_{r.id}"):
                manage.save(catalog.remove_annotation, url, int(r.id), actor=who, done="Annotation removed.")

with tabs[-1], st.form("m_new"):
    c1, c2 = st.columns(2)
    new_id = c1.text_input("Id (lower-case, hyphens)", placeholder="households-stable-housing")
    new_name = c2.text_input("Name ")
    new_kind = c1.selectbox("Kind ", MEASURE_KINDS, index=MEASURE_KINDS.index("outcome"),
                            format_func=lambda k: KIND_LABELS[k])
    new_freq = c2.selectbox("Frequency ", FREQUENCIES, index=FREQUENCIES.index("quarter"),
                            format_func=lambda f: FREQUENCY_LABELS[f])
    new_unit = c1.text_input("Unit ")
    new_dir = c2.selectbox("Direction ", DIRECTIONS, format_func=lambda d: DIRECTION_LABELS[d])
    if st.form_submit_button("Create draft measure"):
        manage.save(catalog.add_measure, url, new_id.strip(), {"name": new_name, "kind": new_kind, "frequency": new_freq,
                                                               "unit": manage.none_if_blank(new_unit),
                                                               "direction": new_dir}, actor=who,
                    done=f"Created draft measure {new_id.strip()}.")
