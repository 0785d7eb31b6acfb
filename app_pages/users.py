"""Users (admins): invite with a one-time set-password link, change role, disable, reset.

Thin: the list is the people view; every change is a metrics.access.admin call with the page's
actor (which checks manage-users itself). A link is shown once, right after it is made: only
its hash is stored.
"""

from datetime import timedelta

import streamlit as st

from metrics.access import ROLES, AccessError, admin
from metrics.domain import text
from metrics.errors import MetricsError
from metrics.views import people
from ui import auth, views

VALID = {"1 day": timedelta(days=1), "3 days": timedelta(days=3), "7 days": timedelta(days=7)}
who = views.require("manage-users")
url = views.database_url()

st.title("Users")
st.caption("Staff accounts. An invited person chooses their own password through a one-time link; nobody "
           "else ever sees it. Disabling an account or resetting its password signs it out everywhere at its "
           "next click.")


def act(done: str, fn, *args, link_for: str | None = None, **kw) -> None:
    try:
        token = fn(url, *args, actor=who, **kw)
    except (AccessError, MetricsError) as exc:
        st.session_state["people_flash"] = ("error", f"Nothing changed: {exc}.")
    else:
        st.session_state["people_flash"] = ("ok", done)
        if link_for and isinstance(token, str):
            st.session_state["people_link"] = (link_for, f"{auth.base_url(views.status().settings.public_base_url)}"
                                                         f"/?set_password={token}")
    st.rerun()


kind, message = st.session_state.pop("people_flash", (None, None))
if kind:
    (st.success if kind == "ok" else st.error)(text.md(message))
if "people_link" in st.session_state:
    name, link = st.session_state.pop("people_link")
    st.info(f"Send this link to {text.md(name)}. It works once and is shown only now (copy it with the button "
            "at the right of the box).")
    st.code(link, language=None)

v = views.fresh(people.users_list)
st.dataframe(v.users, hide_index=True, width="stretch",
             column_config={"name": "User", "role": "Role", "email": "E-mail", "state": "State",
                            "open_sessions": st.column_config.NumberColumn("Signed in", help="open sessions"),
                            "link_expires": st.column_config.DatetimeColumn("Set-password link until"),
                            "created_at": st.column_config.DatetimeColumn("Created")})

left, right = st.columns(2)
with left, st.form("invite", clear_on_submit=True):
    st.subheader("Invite someone")
    new_name = st.text_input("User name", help="letters, digits, '.', '-' or '_'")
    new_role = st.selectbox("Role", ROLES, index=1)
    new_email = st.text_input("E-mail (optional)", help="for single sign-on, when the city has it set up")
    valid = st.selectbox("Link valid for", list(VALID), index=1)
    if st.form_submit_button("Create the invitation", type="primary"):
        act(f"Invited {new_name} as {new_role}.", admin.invite, new_name, new_role, VALID[valid], link_for=new_name,
            email=new_email)

with right:
    st.subheader("Change an account")
    names = list(v.users["name"])
    if not names:
        st.caption("No accounts yet.")
    else:
        pick = st.selectbox("Account", names, key="people_pick")
        row = v.users.set_index("name").loc[pick]
        role = st.selectbox("Role", ROLES, index=ROLES.index(row["role"]), key=f"people_role_{pick}")
        c1, c2, c3 = st.columns(3)
        if c1.button("Change role", disabled=role == row["role"]):
            act(f"{pick} is now {role}.", admin.change_role, pick, role)
        if row["state"] == "disabled":
            if c2.button("Enable"):
                act(f"{pick} is enabled again.", admin.disable, pick, False)
        elif c2.button("Disable"):
            act(f"{pick} is disabled and signed out everywhere.", admin.disable, pick, True)
        if c3.button("Reset password"):
            act(f"{pick}'s password no longer works; send the new link.", admin.reset, pick, VALID["3 days"],
                link_for=pick)
        e1, e2 = st.columns([3, 1], vertical_alignment="bottom")
        email = e1.text_input("E-mail for single sign-on", value=row["email"], key=f"people_email_{pick}")
        if e2.button("Save e-mail", disabled=email == row["email"]):
            act(f"Saved {pick}'s e-mail address.", admin.change_email, pick, email)
