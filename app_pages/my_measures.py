"""My measures: an owner's measures, what is due or overdue, and this period's value with why it moved.

Thin: metrics.views.my_measures for the list; metrics.catalog.enter_value (a one-row upload: the same
validation and revision history as a file, so it can be rolled back on the Upload page) and
send_reminders, with this page's actor.
"""

from datetime import date

import pandas as pd
import streamlit as st

from metrics import catalog
from metrics.catalog import reminders
from metrics.domain import text
from metrics.views import my_measures as my_view
from ui import manage, views

who = views.require("upload-csv")
url = views.database_url()
st.title("My measures")
manage.show_messages()
v = views.show(my_view.build, owner=st.query_params.get("owner"), today=date.today())
if v.owner is None:
    views.fail("No measure has an owner yet: set owners on the Measure catalog page.")
owner = st.selectbox("Owner", list(v.owners), index=list(v.owners).index(v.owner))
if owner != v.owner:
    st.query_params["owner"] = owner
    v = views.show(my_view.build, owner=owner, today=date.today())
ms = v.measures
counts = ms["status"].value_counts()
c1, c2, c3 = st.columns(3)
c1.metric("Overdue", int(counts.get("overdue", 0)))
c2.metric("Due now", int(counts.get("due", 0)))
c3.metric("Up to date", int(counts.get("ok", 0)))
st.dataframe(ms.assign(status=ms["status"].map(my_view.STATUS_WORDS))[
    ["status", "name", "measure_id", "frequency", "last_period", "next_period", "due"]], hide_index=True,
    width="stretch", height=280)

st.subheader("Enter a value")
ids = list(ms["measure_id"])
names = dict(zip(ms["measure_id"], ms["name"], strict=True))
mid = st.selectbox("Measure", ids, format_func=lambda i: f"{names[i]} ({i})", key="entry_measure")
row = ms[ms["measure_id"] == mid].iloc[0]
cells = v.breakdowns[v.breakdowns["measure_id"] == mid][["dimension", "member"]].assign(value=None)
with st.form(f"entry_{mid}"):
    c1, c2 = st.columns(2)
    period = c1.text_input("Period", row["next_period"])
    value = c2.text_input(f"Value{' (' + text.md(row['unit']) + ')' if isinstance(row['unit'], str) else ''}")
    edited = None
    if not cells.empty:
        st.caption("Breakdowns (leave a cell empty to skip it)")
        edited = st.data_editor(cells, hide_index=True, width="stretch", disabled=["dimension", "member"],
                                column_config={"value": st.column_config.NumberColumn("value")}, key=f"cells_{mid}")
    story = st.text_area("Why it moved, what we are doing (Markdown)", height=100)
    if st.form_submit_button("Save value and narrative", type="primary"):
        parts = {}
        if edited is not None:
            parts = {(r.dimension, r.member): r.value for r in edited.itertuples() if not pd.isna(r.value)}
        manage.save(catalog.enter_value, url, mid, period.strip(), value, breakdowns=parts,
                    narrative=story if story.strip() else None, actor=who,
                    done=lambda out: out["message"] + (" Narrative saved." if out["narrative"] else ""),
                    notes=lambda out: (out["narrative"] or {}).get("warnings", []))

st.subheader("Reminders")
st.caption(f"{len(v.reminders):,} measures are due or overdue across {v.reminders['owner'].nunique()} owners.")
st.download_button("Download the reminder list (CSV)", text.to_csv(v.reminders), file_name="reminders.csv",
                   mime="text/csv", icon=":material/download:")
if reminders.smtp_settings() is not None and st.button("E-mail the reminders"):
    manage.save(reminders.send_reminders, url, v.reminders, actor=who,
                done=lambda out: f"Sent {len(out['sent'])} reminder e-mail(s)."
                + (f" No address for: {', '.join(out['no_address'])}." if out["no_address"] else ""))
