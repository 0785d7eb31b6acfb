"""Entry point: builds the page list and runs the chosen page. No data logic here."""

import streamlit as st

st.set_page_config(page_title="City Performance", page_icon=":material/monitoring:", layout="wide")

PAGES = {
    "Dashboards": [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview",
                default=True),
        st.Page("app_pages/goal.py", title="Goal", icon=":material/flag:", url_path="goal"),
        st.Page("app_pages/outcomes.py", title="Outcomes vs outputs", icon=":material/compare_arrows:",
                url_path="outcomes"),
        st.Page("app_pages/equity.py", title="Equity", icon=":material/diversity_3:", url_path="equity"),
        st.Page("app_pages/measure.py", title="Measure", icon=":material/show_chart:", url_path="measure"),
    ],
    "What Works Cities": [
        st.Page("app_pages/certification.py", title="Certification", icon=":material/workspace_premium:",
                url_path="certification"),
    ],
    "Data": [
        st.Page("app_pages/upload.py", title="Upload", icon=":material/upload_file:", url_path="upload"),
    ],
}

st.navigation(PAGES).run()
