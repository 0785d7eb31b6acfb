"""The WWC criteria a goal supports, shown on the Goal page from the rows its view read."""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import streamlit as st

from metrics.domain.vocabulary import WWC_STATUS_TEXT
from ui import auth


def show_goal_criteria(rows: pd.DataFrame) -> None:
    """`rows`: the goal_criteria rows of a GoalView (code, criterion, practice, status; owner and target_date
    for staff)."""
    st.subheader("What Works Cities criteria this goal supports")
    if rows is None or rows.empty:
        st.caption("No certification criteria are linked to this goal yet.")
        return
    met = int((rows["status"] == "met").sum())
    st.caption(f"{met} of {len(rows)} linked criteria met. Open one to see its evidence and history, "
               "or update it on the Certification page.")
    table = rows.assign(status=rows["status"].map(WWC_STATUS_TEXT).fillna(WWC_STATUS_TEXT["not_started"]),
                        Link="/certification?criterion=" + rows["code"].astype(str).map(quote) + auth.link_suffix())
    shown = [c for c in ("code", "criterion", "practice", "status", "owner", "target_date", "Link") if c in table]
    st.dataframe(table[shown],  # owner and due date only for staff (the view leaves them out for the public)
                 hide_index=True, width="stretch",
                 column_config={"code": "Code", "criterion": "Criterion", "practice": "Practice",
                                "status": "Status", "owner": "Owner", "target_date": "Due",
                                "Link": st.column_config.LinkColumn("Open", display_text="Details ›")})
