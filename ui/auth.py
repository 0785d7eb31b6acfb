"""Who is looking: a share link, a signed-in staff member, or a local single-user install.

The decision of what each may do is metrics.access.allowed(); this module only works out
the actor for the session, and fails closed:

- A share link (`?share=TOKEN`) makes the session public. The token is kept in the session
  and put back into the URL on every run, so a reader who clicks another page in the
  sidebar (which drops the query string) and reloads is still the public, never more.
  A link that can't be resolved (expired, revoked, or the check failed) gets one line.
- A signed-in staff member is a server-side session row (metrics.access.sessions): the
  browser holds its token in an HttpOnly cookie set by ui/http.py, so reloads, new tabs,
  deep links and server restarts keep them signed in (12 h idle, 7 days at most, city
  settings). Every run looks the token up again, so signing out, a disabled account, a
  changed role or an ended session shows at the next click. Until the cookie is set (or
  where the endpoints are not mounted) the tab keeps the token in its own session state.
- A set-password link (`?set_password=TOKEN`, from an invitation or a reset) shows only
  the set-password form.
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
from metrics.access import sessions
from metrics.errors import MetricsError
from metrics.store import db
from metrics.views.base import load_settings

log = logging.getLogger(__name__)

_SESSION = "staff_session"  # this tab's session token until the cookie carries it (never an Actor)
_NEXT = "sign_in_next"  # the deep link asked for before signing in
_TOKEN = "share_token"
FIRST_ADMIN = "python -m metrics users add NAME --role admin"
BAD_LINK = "This public link has expired or been revoked. Ask the city for a new one."
LINK_UNCHECKED = "This public link can't be checked right now. Try again in a minute."
NOT_CHECKED = "Staff accounts can't be checked right now, so nobody is signed in. Try again in a minute."
ENDED = "Your session has ended (signed out, expired, or the account was changed). Sign in again."


@dataclass(frozen=True)
class Decision:
    """Who is looking, or which screen to show instead."""

    actor: access.Actor | None  # None: not signed in
    screen: str = "app"  # "app" | "sign-in" | "setup" | "bad-link" | "set-password"
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
    if st.query_params.get("set_password"):
        return Decision(None, "set-password")
    notice = None
    candidates = [t for t in (st.session_state.get(_SESSION), _cookie()) if t]
    if candidates:
        staff = _staff(candidates)
        if staff is not None:
            return Decision(staff)
        st.session_state.pop(_SESSION, None)
        notice = ENDED if st.session_state.get(_SESSION + "_had") else None
    try:
        with db.reader() as conn:
            staff_exist = access.has_users(conn)
    except MetricsError as exc:  # a sentence for a person (file missing, busy, can't connect)
        return Decision(None, "sign-in", str(exc))
    except Exception:  # noqa: BLE001 - a lock, a timeout, a missing table: not signed in
        log.exception("could not check for staff accounts")
        return Decision(None, "sign-in", NOT_CHECKED)
    if staff_exist:
        return Decision(None, "sign-in", notice)
    if on_loopback():
        return Decision(access.LOCAL_ADMIN)
    return Decision(None, "setup")


def _cookie() -> str | None:
    try:
        value = st.context.cookies.get(sessions.COOKIE)
    except Exception:  # noqa: BLE001 - no request context (AppTest, bare mode): no cookie
        return None
    return value if isinstance(value, str) else None


def _staff(tokens: list[str]) -> access.Actor | None:
    """The first token that is a live session, re-checked against the database now."""
    with db.reader() as conn:
        cfg = load_settings(conn)
        live = next((c for c in (sessions.current(conn, t, cfg) for t in tokens) if c is not None), None)
    if live is None:
        return None
    st.session_state[_SESSION + "_had"] = True
    if live.stale_seen:
        try:
            with db.writer() as conn:
                sessions.touch(conn, live.session_id)
        except Exception:  # noqa: BLE001 - noting activity is best effort; the session is valid
            log.warning("could not note session activity", exc_info=True)
    return live.actor


def client() -> str:
    """Who is knocking, for throttling and the audit log: the WebSocket's address ("local" on loopback)."""
    try:
        ip = st.context.ip_address
    except Exception:  # noqa: BLE001
        return "unknown"
    return ip if isinstance(ip, str) and ip else "local"


def current_actor() -> access.Actor | None:
    """The session's actor; None means another screen (sign-in, setup, a bad link) is shown."""
    return decide().actor


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
                from ui import sign_in  # the sign-in screens import this module
                sign_in.sign_out()


def link_params(**params: str) -> dict[str, str]:
    """Query parameters for st.page_link / st.switch_page, with a public reader's share token: an
    in-app link stays in this tab and this session (a Markdown link would open a new tab)."""
    token = st.session_state.get(_TOKEN)
    return {**params, "share": token} if token else dict(params)


def link_suffix() -> str:
    """`&share=TOKEN` for links built by hand, so a public reader's next page stays public."""
    token = st.session_state.get(_TOKEN)
    return f"&share={urllib.parse.quote(token)}" if token else ""


def base_url(configured: str) -> str:
    """Where links handed out are addressed: the city's public_base_url, else this browser's own origin."""
    if configured:
        return configured
    try:
        parts = urllib.parse.urlsplit(st.context.url or "")
    except Exception:  # noqa: BLE001
        return ""
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
