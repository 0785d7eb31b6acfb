"""The WWC criteria a goal supports, shown on the Goal page."""

from __future__ import annotations

import streamlit as st

from metrics.domain.vocabulary import WWC_STATUS_TEXT as STATUS_TEXT  # noqa: E402 - one wording
from ui import auth, data


def show_goal_criteria(goal_id: str, version: int) -> None:
    rows = data.load("goal_criteria", version, goal_id=goal_id)
    st.subheader("What Works Cities criteria this goal supports")
    if rows.empty:
        st.caption("No certification criteria are linked to this goal yet.")
        return
    met = int((rows["status"] == "met").sum())
    st.caption(f"{met} of {len(rows)} linked criteria met. Open one to see its evidence and history, "
               "or update it on the Certification page.")
    table = rows.assign(status=rows["status"].map(STATUS_TEXT).fillna("○ Not started"),
                        Link="/certification?criterion=" + rows["code"] + auth.link_suffix())
    st.dataframe(table[["code", "criterion", "practice", "status", "owner", "target_date", "Link"]],
                 hide_index=True, width="stretch",
                 column_config={"code": "Code", "criterion": "Criterion", "practice": "Practice",
                                "status": "Status", "owner": "Owner", "target_date": "Due",
                                "Link": st.column_config.LinkColumn("Open", display_text="Details ›")})
