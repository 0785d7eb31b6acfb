"""Who is looking: a share link, a signed-in staff member, or a local single-user install.

The decision of what each may do is metrics.access.allowed(); this module only works out
the actor for the session, and fails closed:

- A share link (`?share=TOKEN`) makes the session public. The token is kept in the session
  and put back into the URL on every run, so a reader who clicks another page in the
  sidebar (which drops the query string) and reloads is still the public, never more.
  A link that can't be resolved (expired, revoked, or the check failed) gets one line.
- A signed-in staff member stays signed in for the session.
- Single-user mode (full rights, no sign-in) only while no staff account exists AND the
  server listens on loopback only (`server.address` 127.0.0.1 / localhost / ::1, the
  default in .streamlit/config.toml that `make run` uses). Reachable on any other address
  with no staff account, the app shows a setup page saying how to create the first admin.
- Any error while deciding (the users query failing, a lock, a statement timeout, a bad
  token, a database error) means "not signed in": the sign-in form, never admin.
"""

from __future__ import annotations

import ipaddress
import logging
import urllib.parse
from dataclasses import dataclass

import streamlit as st

from metrics import access
from metrics.errors import MetricsError
from metrics.store import db

log = logging.getLogger(__name__)

_KEY = "actor"  # a signed-in staff actor (never LOCAL_ADMIN: single-user mode is decided every run)
_TOKEN = "share_token"
FIRST_ADMIN = "python -m metrics users add NAME --role admin"
BAD_LINK = "This public link has expired or been revoked. Ask the city for a new one."
LINK_UNCHECKED = "This public link can't be checked right now. Try again in a minute."
NOT_CHECKED = "Staff accounts can't be checked right now, so nobody is signed in. Try again in a minute."


@dataclass(frozen=True)
class Decision:
    """Who is looking, or which screen to show instead."""

    actor: access.Actor | None  # None: not signed in
    screen: str = "app"  # "app" | "sign-in" | "setup" | "bad-link"
    notice: str | None = None  # one line for the person (why the link or the account check failed)


def on_loopback(address: object = None) -> bool:
    """True only when the server listens on a loopback address; unset (every interface),
    0.0.0.0, a LAN address, a Unix socket or an unreadable option are all False."""
    if address is None:
        try:
            address = st.get_option("server.address")
        except Exception:  # noqa: BLE001 - can't tell: not loopback
            return False
    text = str(address or "").strip().lower()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if text == "localhost":
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def decide() -> Decision:
    """The session's actor, or the screen to show. Never raises; an error is "not signed in"."""
    try:
        return _decide()
    except Exception:  # noqa: BLE001 - fail closed: whatever went wrong, nobody gets rights
        log.exception("could not decide who is looking; showing the sign-in form")
        return Decision(None, "sign-in", NOT_CHECKED)


def _decide() -> Decision:
    url_token = st.query_params.get("share")
    token = url_token or st.session_state.get(_TOKEN)
    if token:
        st.session_state[_TOKEN] = token  # stays public for the session, whatever the URL says
        try:
            with db.reader() as conn:
                actor = access.resolve_share(conn, token)
        except Exception:  # noqa: BLE001 - a link that can't be checked is not a way in
            log.exception("could not resolve a share link")
            return Decision(None, "bad-link", LINK_UNCHECKED)
        if actor is None or not actor.is_public:
            return Decision(None, "bad-link", BAD_LINK)
        if url_token != token:
            st.query_params["share"] = token  # back into the URL, so a reload stays public
        return Decision(actor)
    actor = st.session_state.get(_KEY)
    if isinstance(actor, access.Actor) and actor.kind == "user":
        return Decision(actor)
    try:
        with db.reader() as conn:
            staff_exist = access.has_users(conn)
    except MetricsError as exc:  # a sentence for a person (file missing, busy, can't connect)
        return Decision(None, "sign-in", str(exc))
    except Exception:  # noqa: BLE001 - a lock, a timeout, a missing table: not signed in
        log.exception("could not check for staff accounts")
        return Decision(None, "sign-in", NOT_CHECKED)
    if staff_exist:
        return Decision(None, "sign-in")
    if on_loopback():
        return Decision(access.LOCAL_ADMIN)
    return Decision(None, "setup")


def current_actor() -> access.Actor | None:
    """The session's actor; None means another screen (sign-in, setup, a bad link) is shown."""
    return decide().actor


def sign_in_form(notice: str | None = None) -> None:
    st.title("Sign in")
    if notice:
        st.error(notice)
    st.caption(f"Staff accounts are created on the server with `{FIRST_ADMIN}` (or `--role editor`). "
               "The public reads dashboards through share links.")
    with st.form("sign-in"):
        name = st.text_input("User name")
        password = st.text_input("Password", type="password")
        if st.form_submit_button("Sign in", type="primary"):
            try:
                with db.reader() as conn:
                    actor = access.authenticate(conn, name, password)
            except Exception:  # noqa: BLE001 - fail closed, and say so in one line
                log.exception("sign-in failed")
                st.error("Signing in is not possible right now. Try again in a minute.")
                return
            if actor is None:
                st.error("Unknown user name or wrong password.")
            else:
                st.session_state[_KEY] = actor
                st.rerun()


def setup_page() -> None:
    """No staff account and the server is reachable from other machines: say how to start."""
    st.title("Set up the first staff account")
    st.markdown("This dashboard can be reached from other computers and has no staff accounts yet, so it "
                "shows nothing until an administrator exists. On the server, create the first admin:")
    st.code(FIRST_ADMIN, language="bash")
    st.markdown("Then reload this page and sign in. More accounts: `python -m metrics users add NAME "
                "--role editor` (or `viewer`). Public read-only links: `python -m metrics share create`.")
    st.caption("To use the dashboard alone on this computer without accounts, serve it on loopback only "
               "(`make run`; `server.address = \"127.0.0.1\"` in .streamlit/config.toml).")


def bad_link(notice: str) -> None:
    st.error(notice)


def screen(decision: Decision) -> st.Page:
    """The one page shown to someone who is not let in: setup, a bad share link, or sign-in."""
    if decision.screen == "setup":
        return st.Page(setup_page, title="Set up", icon=":material/person_add:", url_path="setup")
    if decision.screen == "bad-link":
        return st.Page(lambda: bad_link(decision.notice or BAD_LINK), title="Public link",
                       icon=":material/link_off:", url_path="link")
    return st.Page(lambda: sign_in_form(decision.notice), title="Sign in", icon=":material/login:",
                   url_path="sign-in")


def sidebar(actor: access.Actor) -> None:
    with st.sidebar:
        if actor.kind == "local":
            st.caption("Single-user mode: no staff accounts exist yet and the server only listens on this "
                       f"computer, so this browser has full rights. Add one with `{FIRST_ADMIN}`.")
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
    token = st.session_state.get(_TOKEN)
    return f"&share={urllib.parse.quote(token)}" if token else ""
