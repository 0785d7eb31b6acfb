"""Who is looking: a share link, a signed-in staff member, or a local single-user install.

The decision of what each may do is metrics.access.allowed(); this module only works out
the actor for the session and keeps a share token on every link so public readers stay
public as they click around.
"""

from __future__ import annotations

import urllib.parse

import streamlit as st

from metrics import access
from metrics.store import db
from ui import data

_KEY = "actor"


def _resolve_share(token: str) -> access.Actor | None:
    try:
        with db.reader() as conn:
            return access.resolve_share(conn, token)
    except db.DatabaseError as exc:
        data.fail(str(exc))
    return None


def _has_users() -> bool:
    try:
        with db.reader() as conn:
            return access.has_users(conn)
    except db.DatabaseError as exc:
        data.fail(str(exc))
    except Exception:  # noqa: BLE001 - an uninitialised database: the pages explain it
        return False
    return False


def current_actor() -> access.Actor | None:
    """The session's actor; None means a sign-in form is needed."""
    token = st.query_params.get("share")
    if token:
        actor = _resolve_share(token)
        if actor is None:
            data.fail("This public link has expired or been revoked. Ask the city for a new one.")
        st.session_state[_KEY] = actor
        st.session_state["share_token"] = token
        return actor
    actor = st.session_state.get(_KEY)
    if actor is not None:
        return actor
    if not _has_users():
        return access.LOCAL_ADMIN
    return None


def sign_in_form() -> None:
    st.title("Sign in")
    st.caption("Staff accounts are created with `python -m metrics users add NAME --role editor`. "
               "The public reads dashboards through share links.")
    with st.form("sign-in"):
        name = st.text_input("User name")
        password = st.text_input("Password", type="password")
        if st.form_submit_button("Sign in", type="primary"):
            with db.reader() as conn:
                actor = access.authenticate(conn, name, password)
            if actor is None:
                st.error("Unknown user name or wrong password.")
            else:
                st.session_state[_KEY] = actor
                st.rerun()


def sidebar(actor: access.Actor) -> None:
    with st.sidebar:
        if actor.kind == "local":
            st.caption("Single-user mode: no staff accounts exist yet, so this browser has full rights. "
                       "Add one with `python -m metrics users add`.")
        elif actor.is_public:
            scope = f"goal {actor.goal_scope}" if actor.goal_scope else "published measures"
            st.caption(f"Public view: {scope}. Read only.")
        else:
            st.caption(f"Signed in as {actor.name} ({actor.role})")
            if st.button("Sign out"):
                st.session_state.pop(_KEY, None)
                st.rerun()


def link_suffix() -> str:
    """`&share=TOKEN` for links built by hand, so a public reader's next page stays public."""
    token = st.session_state.get("share_token")
    return f"&share={urllib.parse.quote(token)}" if token else ""
