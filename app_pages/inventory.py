"""Data inventory (staff): every measure's owner, source, cadence, freshness, metadata and public state."""

import streamlit as st

from metrics.views import inventory
from ui import views

views.require("view-draft")
v = views.show(inventory.build)
if v.notice:
    views.fail(v.notice)

st.title("Data inventory")
st.caption(f"Every measure, drafts and private goals included, as of {v.today:%Y-%m-%d}. “Next due” is when the "
           "next figure should have arrived (the period's end, one more period, then the city's grace days).")
c1, c2, c3 = st.columns(3)
c1.metric("Measures", f"{len(v.table):,}")
c2.metric("Overdue", f"{v.n_overdue:,}")
c3.metric("Metadata incomplete", f"{int((v.table['missing'] != '').sum()):,}")

st.subheader("Overdue per owner")
st.dataframe(v.owners, hide_index=True, width="stretch",
             column_config={"owner": "Owner", "measures": "Measures", "overdue": "Overdue",
                            "oldest_due": "Oldest due date", "incomplete": "Metadata incomplete"})

st.subheader("Every measure")
only = st.toggle("Only overdue or incomplete", value=False, key="inventory_only_problems")
shown = v.table[v.table["overdue"] | (v.table["missing"] != "")] if only else v.table
st.dataframe(shown, hide_index=True, width="stretch",
             column_config={"measure_id": "Id", "name": "Measure", "goal": "Goal", "owner": "Owner",
                            "department": "Department", "source": "Source", "frequency": "Frequency",
                            "last_period": "Last period", "last_updated": "Last updated", "next_due": "Next due",
                            "overdue": st.column_config.CheckboxColumn("Overdue"),
                            "metadata": "Metadata", "missing": "Missing", "state": "State", "public": "Public"})
st.download_button("Download the inventory (CSV)", v.csv, file_name=f"data-inventory-{v.today:%Y-%m-%d}.csv",
                   mime="text/csv", key="inventory_csv")
