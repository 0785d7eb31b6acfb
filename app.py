"""Entry point: builds the page list and runs the chosen page. No data logic here."""

import streamlit as st

st.set_page_config(page_title="City Performance", page_icon=":material/monitoring:", layout="wide")

PAGES = [
    st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview", default=True),
    st.Page("app_pages/measure.py", title="Measure", icon=":material/show_chart:", url_path="measure"),
]

st.navigation(PAGES).run()
