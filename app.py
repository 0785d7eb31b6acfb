"""Entry point: works out who is looking (failing closed), builds their page list, runs the chosen page."""

import streamlit as st

from metrics import access
from ui import auth, sign_in

st.set_page_config(page_title="City Performance", page_icon=":material/monitoring:", layout="wide")

decision = auth.decide()
if decision.actor is None:
    st.session_state.pop("current_actor", None)  # no page may run with a stale actor
    st.navigation(sign_in.screens(decision)).run()  # sign-in, first-admin setup, or a bad link: nothing else
    st.stop()
actor = decision.actor
st.session_state["current_actor"] = actor

OVERVIEW = st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview")


def home() -> None:
    """The root URL opens the Overview at its own address, so `/` and `/overview` are one page and a
    deep link to `/overview` never meets "Page not found" (a default page is served at `/` only)."""
    st.switch_page(OVERVIEW, query_params=st.query_params.to_dict())


HOME = st.Page(home, title="Overview", icon=":material/dashboard:", url_path="home", default=True,
               visibility="hidden")
DASHBOARDS = [
    OVERVIEW,
    st.Page("app_pages/goal.py", title="Goal", icon=":material/flag:", url_path="goal"),
    st.Page("app_pages/outcomes.py", title="Outcomes vs outputs", icon=":material/compare_arrows:",
            url_path="outcomes"),
    st.Page("app_pages/equity.py", title="Equity", icon=":material/diversity_3:", url_path="equity"),
    st.Page("app_pages/measure.py", title="Measure", icon=":material/show_chart:", url_path="measure"),
]
PAGES = {"": [HOME], "Dashboards": DASHBOARDS,
         "What Works Cities": [st.Page("app_pages/certification.py", title="Certification",
                                       icon=":material/workspace_premium:", url_path="certification")]}
DATA = []
if access.allowed(actor, "upload-csv"):
    DATA += [st.Page("app_pages/upload.py", title="Upload", icon=":material/upload_file:", url_path="upload"),
             st.Page("app_pages/my_measures.py", title="My measures", icon=":material/assignment_ind:",
                     url_path="my-measures")]
if access.allowed(actor, "view-draft"):  # staff only: owners and overdue work are internal
    DATA.append(st.Page("app_pages/inventory.py", title="Data inventory", icon=":material/inventory_2:",
                        url_path="inventory"))
if DATA:
    PAGES["Data"] = DATA
MANAGE = [(page, action) for page, action in (
    (st.Page("app_pages/manage_goals.py", title="Goals & priorities", icon=":material/flag_circle:",
             url_path="manage-goals"), "edit-catalog"),
    (st.Page("app_pages/manage_measures.py", title="Measure catalog", icon=":material/tune:",
             url_path="manage-measures"), "edit-catalog"),
    (st.Page("app_pages/manage_targets.py", title="Targets", icon=":material/target:", url_path="manage-targets"),
     "set-target"),
    (st.Page("app_pages/manage_links.py", title="Links", icon=":material/link:", url_path="manage-links"),
     "edit-catalog"),
    (st.Page("app_pages/audit.py", title="Audit", icon=":material/history:", url_path="audit"), "view-audit"),
) if access.allowed(actor, action)]
if MANAGE:
    PAGES["Manage"] = [page for page, _ in MANAGE]
if access.allowed(actor, "manage-users"):
    PAGES["People and links"] = [
        st.Page("app_pages/users.py", title="Users", icon=":material/group:", url_path="users"),
        st.Page("app_pages/share_links.py", title="Share links", icon=":material/share:", url_path="share-links")]

auth.sidebar(actor)
st.navigation(PAGES).run()
