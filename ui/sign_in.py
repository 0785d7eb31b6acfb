"""The screens for someone who is not let in (sign-in, single sign-on, set-password, setup, a bad
link) and signing out; ui/auth.py decides who is looking, this module draws the way in.

Signing in opens a server-side session (metrics.access.sessions) and sends the browser to
ui/http.py's endpoint, which turns the one-time handoff code into the HttpOnly cookie and lands
on the page that was asked for (docs/sign-in.md says why it works this way).
"""

from __future__ import annotations

import logging
import re
import urllib.parse

import streamlit as st

from metrics import access
from metrics.access import sessions
from metrics.errors import MetricsError
from metrics.store import db
from metrics.views.base import load_settings
from ui import http
from ui.auth import _NEXT, _SESSION, BAD_LINK, FIRST_ADMIN, Decision, _cookie, client

log = logging.getLogger(__name__)


def _requested() -> tuple[str, str]:
    """(page slug, path with query) the browser asked for, share and set-password tokens left out.

    The slug is the page name Streamlit's front end sent for this run (the URL path it was opened
    at); st.context.url is the fallback."""
    slug = ""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx
        ctx = get_script_run_ctx()
        slug = (ctx.pages_manager.intended_page_name or "") if ctx is not None else ""
    except Exception:  # noqa: BLE001
        slug = ""
    if not slug:
        try:
            slug = urllib.parse.urlsplit(st.context.url or "").path.rstrip("/").rsplit("/", 1)[-1]
        except Exception:  # noqa: BLE001
            slug = ""
    slug = slug if isinstance(slug, str) and re.fullmatch(r"[a-z0-9][a-z0-9-]{0,40}", slug) else ""
    query = {k: v for k, v in st.query_params.to_dict().items() if k not in ("share", "set_password")}
    full = _endpoint("/" + slug) + ("?" + urllib.parse.urlencode(query) if query else "")
    return slug or "sign-in", http.safe_next(full)


def _redirect(url: str) -> None:
    """Send the browser to one of ui/http.py's endpoints, with the message st.login uses for its own."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return
    msg = ForwardMsg()
    msg.auth_redirect.url = url
    ctx.enqueue(msg)


def _endpoint(path: str, **params: str) -> str:
    try:
        base = (st.get_option("server.baseUrlPath") or "").strip("/")
    except Exception:  # noqa: BLE001
        base = ""
    query = urllib.parse.urlencode(params)
    return f"{'/' + base if base else ''}{path}" + (f"?{query}" if query else "")


def sign_in_form(notice: str | None = None) -> None:
    st.title("Sign in")
    if notice:
        st.error(notice)
    if st.session_state.get("password_set"):
        st.success(f"Password set for {st.session_state.pop('password_set')}. Sign in with it now.")
    st.caption(f"Staff accounts are created by an administrator (or on the server with `{FIRST_ADMIN}`). "
               "The public reads dashboards through share links.")
    next_url = st.session_state.get(_NEXT) or _requested()[1]
    st.session_state[_NEXT] = next_url
    with st.form("sign-in"):
        name = st.text_input("User name")
        password = st.text_input("Password", type="password")
        if st.form_submit_button("Sign in", type="primary"):
            try:
                with db.writer() as conn:
                    result = sessions.sign_in(conn, name, password, client(), load_settings(conn))
            except Exception:  # noqa: BLE001 - fail closed, and say so in one line
                log.exception("sign-in failed")
                st.error("Signing in is not possible right now. Try again in a minute.")
                return
            _signed_in(result, next_url)
    if sso_configured():
        _sso_section(next_url)


def sso_configured() -> bool:
    """Streamlit's own OIDC sign-in (`st.login`) is set up: an [auth] section in secrets.toml."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file, or unreadable: not configured
        return False


def _sso_email() -> str | None:
    try:
        return st.user.get("email") if st.user.is_logged_in else None
    except Exception:  # noqa: BLE001 - not configured or no identity cookie
        return None


def _sso_section(next_url: str) -> None:
    """Single sign-on: the identity provider says who this is (st.login); the account with that
    e-mail address gets the same server-side session as a password sign-in. A deliberate click
    each time, so the idle and absolute limits mean the same for both ways in."""
    st.divider()
    email = _sso_email()
    if not email:
        if st.button("Sign in with single sign-on", icon=":material/badge:"):
            st.login()
        return
    if st.button(f"Continue as {email}", type="primary"):
        try:
            with db.writer() as conn:
                result = sessions.sign_in_sso(conn, email, client(), load_settings(conn))
        except Exception:  # noqa: BLE001 - fail closed
            log.exception("single sign-on failed")
            st.error("Signing in is not possible right now. Try again in a minute.")
            return
        _signed_in(result, next_url)
    st.caption("Not you? Sign out of single sign-on below.")
    if st.button("Use another account"):
        st.logout()


def _signed_in(result: sessions.SignIn, next_url: str) -> None:
    if result.actor is None:
        st.error(result.refused or sessions.WRONG)
        return
    st.session_state[_SESSION] = result.token
    st.session_state.pop(_NEXT, None)
    if http.MOUNTED:  # the cookie: reloads, new tabs and restarts keep the session
        _redirect(_endpoint(http.START, code=result.handoff or "", next=next_url))
        st.stop()
    st.rerun()


def set_password_page() -> None:
    """The one-time link from an invitation or a reset: choose a password, then sign in."""
    st.title("Choose a password")
    token = st.query_params.get("set_password", "")
    try:
        with db.reader() as conn:
            name, purpose = access.password_link(conn, token)
    except access.AccessError as exc:
        st.error(str(exc))
        return
    except Exception:  # noqa: BLE001
        log.exception("could not check a set-password link")
        st.error("This link can't be checked right now. Try again in a minute.")
        return
    st.caption(f"{'Welcome' if purpose == 'invite' else 'New password'} for **{name}**. At least "
               f"{access.MIN_PASSWORD_CHARS} characters; a few unrelated words work well.")
    with st.form("set-password"):
        first = st.text_input("New password", type="password")
        again = st.text_input("Repeat it", type="password")
        if st.form_submit_button("Set password", type="primary"):
            try:
                with db.writer() as conn:
                    access.redeem_password_link(conn, token, first, again)
            except access.AccessError as exc:
                st.error(f"Not saved: {exc}.")
                return
            except MetricsError as exc:
                st.error(str(exc))
                return
            st.query_params.pop("set_password", None)
            st.session_state["password_set"] = name
            st.rerun()  # the sign-in form, saying so


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
    if decision.screen == "set-password":
        return st.Page(set_password_page, title="Choose a password", icon=":material/key:", url_path="set-password")
    if decision.screen == "bad-link":
        return st.Page(lambda: bad_link(decision.notice or BAD_LINK), title="Public link",
                       icon=":material/link_off:", url_path="link")
    return st.Page(lambda: sign_in_form(decision.notice), title="Sign in", icon=":material/login:",
                   url_path="sign-in")


def screens(decision: Decision) -> list[st.Page]:
    """The page list for someone who is not let in. For sign-in, the page asked for (`/goal?goal=…`)
    is the same form under that page's address (hidden from the menu), so the address bar keeps
    the deep link, a reload keeps it, and signing in lands on it."""
    first = screen(decision)
    slug = _requested()[0]
    if decision.screen != "sign-in" or slug == "sign-in":
        return [first]
    return [first, st.Page(lambda: sign_in_form(decision.notice), title="Sign in", icon=":material/login:",
                           url_path=slug, visibility="hidden")]


def sign_out() -> None:
    """End the session row (every tab notices at its next click), then drop the cookie."""
    tokens = [t for t in (st.session_state.get(_SESSION), _cookie()) if t]
    try:
        with db.writer() as conn:
            for t in tokens:
                sessions.end(conn, t)
    except Exception:  # noqa: BLE001 - say so: the session may still be open elsewhere
        log.exception("sign-out failed")
        st.error("Signing out did not reach the database; close the browser to be sure, and try again.")
        return
    st.session_state.pop(_SESSION, None)
    st.session_state.pop(_SESSION + "_had", None)
    if _sso_email():
        st.logout()  # the identity provider's cookie too, so "Continue as" is not one click away
        st.stop()
    if http.MOUNTED:
        _redirect(_endpoint(http.END, next="/"))
        st.stop()
    st.rerun()
