"""Audit (admins): who changed what, when, old → new; filter, and export as CSV.

Thin: metrics.views.audit.build (which refuses anyone but an admin) and domain.text.to_csv.
"""

from datetime import date, timedelta

import streamlit as st

from metrics.domain import text
from metrics.views import audit as audit_view
from ui import views

views.require("view-audit")
st.title("Audit log")
c1, c2, c3, c4 = st.columns(4)
since = c1.date_input("Since", date.today() - timedelta(days=90), min_value=date(2000, 1, 1))
base = views.show(audit_view.build, since=since)
who = c2.selectbox("Who", ["(anyone)", *base.actors])
action = c3.selectbox("Action", ["(any)", *base.actions])
obj = c4.text_input("Object id contains")
v = views.show(audit_view.build, since=since, who=None if who == "(anyone)" else who,
               action=None if action == "(any)" else action, object_id=obj.strip() or None)
st.caption(f"{len(v.rows):,} changes" + (" (the newest 5,000)" if len(v.rows) >= audit_view.DEFAULT_LIMIT else ""))
st.dataframe(v.rows[audit_view.COLUMNS], hide_index=True, width="stretch", height=520,
             column_config={"at": st.column_config.DatetimeColumn("when (UTC)", format="YYYY-MM-DD HH:mm:ss"),
                            "change": st.column_config.TextColumn("old → new", width="large")})
st.download_button("Download CSV", text.to_csv(v.rows), file_name=f"audit-since-{since}.csv", mime="text/csv",
                   icon=":material/download:")
