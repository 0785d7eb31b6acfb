"""Targets: set the target in force from a period on (value, tolerance, reason), with the full history.

Thin: metrics.views.catalog.targets_editor and metrics.catalog.set_target with this page's actor. The
form carries the version of the measure's targets when it was drawn, so a target someone else set
meanwhile is reported, not overwritten.
"""

import streamlit as st

from metrics import catalog
from metrics.domain import text
from metrics.views import catalog as catalog_view
from ui import manage, views
from ui.widgets import id_select

who = views.require("set-target")
url = views.database_url()
st.title("Targets")
manage.show_messages()
v = views.show(catalog_view.targets_editor, measure_id=st.query_params.get("measure"))
if v.measure is None:
    views.fail("There are no measures yet: create one on the Measure catalog page or upload a file.")
names = dict(zip(v.measures["id"], v.measures["name"], strict=True))
chosen = id_select("Measure", list(v.measures["id"]), "measure", format_func=lambda i: f"{names[i]} ({i})")
if chosen != v.measure["id"]:
    v = views.show(catalog_view.targets_editor, measure_id=chosen)
m = v.measure
st.caption(text.md(f"Reported {m['frequency_label']}; unit: {m['unit'] or '—'}. A target starts in a "
                   f"{m['frequency'].replace('_', ' ')} (e.g. {m['example_period']}) and runs until the next one."))

form = f"target_{m['id']}"
token = manage.based_on(form, v.targets_version)
with st.form(form):
    c1, c2, c3 = st.columns(3)
    start = c1.text_input("From period", m["example_period"])
    value = c2.text_input("Target value")
    tolerance = c3.text_input("Tolerance (share, e.g. 0.05 or 5%)", "")
    reason = st.text_input("Reason (kept in the history)")
    if st.form_submit_button("Set target", type="primary"):
        def done(out: dict) -> str:
            msg = f"Target for {m['id']} from {start} set to {text.number(out['changed']['value'][1], m['unit'])}."
            if out["closed"]:
                msg += f" The target from {', '.join(out['closed'])} now ends the day before."
            if out["later"]:
                msg += f" Later targets (from {', '.join(out['later'])}) still apply from their dates."
            return msg
        manage.save(catalog.set_target, url, m["id"], start.strip(), value, tolerance=manage.none_if_blank(tolerance),
                    reason=reason, based_on=token, form=form, actor=who, done=done)

st.subheader("Targets over time")
if v.targets.empty:
    st.info("No targets yet.")
else:
    st.dataframe(v.targets[["effective_from", "effective_to", "value", "tolerance", "set_by", "set_at", "reason"]],
                 hide_index=True, width="stretch")
st.subheader("History of changes")
if v.history.empty:
    st.caption("No recorded changes.")
else:
    st.dataframe(v.history[["changed_at", "changed_by", "reason", "old_value", "new_value", "old_tolerance",
                            "new_tolerance", "new_effective_from"]], hide_index=True, width="stretch")
