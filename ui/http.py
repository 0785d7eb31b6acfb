"""Two small HTTP endpoints beside Streamlit's: they put the staff session into a cookie and take it out.

Why endpoints: a Streamlit script talks to the browser over a WebSocket and cannot set a
cookie, let alone an HttpOnly one (script JavaScript could only set a cookie that scripts can
read, which is what HttpOnly exists to prevent). Streamlit 1.67 serves apps with Starlette and
`st.App(script, routes=[...])` mounts extra routes in the same server process, the way its own
`st.login` sets its identity cookie from `/oauth2callback`. So:

- The sign-in form (ui/auth.py, over the WebSocket) checks the password and opens a session row
  with a one-time handoff code, then sends the browser to `/api/session/start?code=…&next=…` with
  the same redirect message `st.login` uses. This endpoint exchanges the code (a new token: the
  code and the tab's first token stop working), sets `metrics_session` (HttpOnly, SameSite=Lax,
  Secure when the request came over https, Max-Age = the session's absolute end) and answers
  303 to the page that was asked for. Every later page load, tab and reconnect sends the cookie
  with the WebSocket handshake, where `st.context.cookies` reads it.
- `/api/session/end` deletes the cookie (the session row is revoked by the app first) and
  answers 303 to the start page.

`serve.py` builds the `st.App`; `make run` and the browser tests start it with `streamlit run
serve.py`. `MOUNTED` tells the app whether the endpoints exist: under a bare `streamlit run
app.py` (or AppTest) sign-in still works, for that tab only.
"""

from __future__ import annotations

import logging
import re

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from metrics.access import sessions
from metrics.store import db, meta

log = logging.getLogger(__name__)

START = "/api/session/start"
END = "/api/session/end"
MOUNTED = False  # set by routes(): the app only redirects to endpoints that exist
_SAFE_NEXT = re.compile(r"^/(?!/)[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$")


def safe_next(target: str | None) -> str:
    """A same-site path to land on after sign-in; anything else (another host, `//x`, `\\`) is `/`."""
    text = str(target or "/")
    return text if _SAFE_NEXT.match(text) and "\\" not in text else "/"


def _cookie_path() -> str:
    try:
        from streamlit import config
        base = (config.get_option("server.baseUrlPath") or "").strip("/")
    except Exception:  # noqa: BLE001 - no config: the root
        base = ""
    return f"/{base}" if base else "/"


def start(request: Request) -> Response:
    """Exchange a one-time handoff code for the session cookie, then go where the person was heading."""
    target = safe_next(request.query_params.get("next"))
    try:
        with db.writer() as conn:
            got = sessions.exchange(conn, request.query_params.get("code", ""))
    except Exception:  # noqa: BLE001 - fail closed: no cookie, the app shows the sign-in form
        log.exception("could not exchange a sign-in handoff code")
        got = None
    response = RedirectResponse(target, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    if got is None:
        return response
    token, expires_at = got
    max_age = max(0, int((expires_at - meta.now()).total_seconds()))
    response.set_cookie(sessions.COOKIE, token, max_age=max_age, path=_cookie_path(),
                        httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


def end(request: Request) -> Response:
    """Forget the cookie (the app has already revoked its session row)."""
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.delete_cookie(sessions.COOKIE, path=_cookie_path(), httponly=True, samesite="lax",
                           secure=request.url.scheme == "https")
    return response


def routes() -> list[Route]:
    """The routes `st.App` mounts (serve.py)."""
    global MOUNTED
    MOUNTED = True
    return [Route(START, start, methods=["GET"]), Route(END, end, methods=["GET"])]
