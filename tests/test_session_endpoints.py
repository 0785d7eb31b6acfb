"""ui/http.py: the handoff code becomes an HttpOnly cookie (Secure over https); bad codes and
foreign `next` targets get nothing. Called as Starlette endpoints with real requests, on both engines."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from metrics import access
from metrics.access import sessions
from metrics.domain.settings import Settings
from metrics.store import db
from ui import http

ADMIN = access.Actor("user", "ada", "admin")
PW = "correct horse battery staple"


def request(path: str, query: str, scheme: str = "http") -> Request:
    return Request({"type": "http", "method": "GET", "path": path, "query_string": query.encode(), "headers": [],
                    "scheme": scheme, "server": ("city.example.gov", 443 if scheme == "https" else 80),
                    "root_path": ""})


@pytest.fixture
def code(fresh_url, monkeypatch):
    monkeypatch.setenv("METRICS_DB_URL", fresh_url)
    with db.writer(fresh_url) as conn:
        access.add_user(conn, "ed", "editor", PW, actor=ADMIN)
        return sessions.sign_in(conn, "ed", PW, "local", Settings()).handoff


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_good_code_sets_the_session_cookie_and_lands_on_the_deep_link(code, scheme, fresh_url):
    from urllib.parse import quote
    res = http.start(request(http.START, f"code={code}&next={quote('/goal?goal=reduce-homelessness')}", scheme))
    assert res.status_code == 303 and res.headers["location"] == "/goal?goal=reduce-homelessness"
    cookie = res.headers["set-cookie"]
    assert cookie.startswith(f"{sessions.COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Path=/" in cookie and "Max-Age=" in cookie
    assert ("Secure" in cookie) is (scheme == "https")
    token = cookie.split(";", 1)[0].split("=", 1)[1]
    with db.reader(fresh_url) as conn:
        assert sessions.current(conn, token, Settings()).actor.name == "ed"
    again = http.start(request(http.START, f"code={code}&next=/"))  # used: no second cookie
    assert "set-cookie" not in again.headers


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"])
def test_next_never_leaves_the_site(target):
    assert http.safe_next(target) == "/"


def test_a_bad_code_gets_no_cookie(code):
    res = http.start(request(http.START, "code=not-a-code&next=/users"))
    assert res.status_code == 303 and "set-cookie" not in res.headers


def test_end_deletes_the_cookie():
    res = http.end(request(http.END, "next=/"))
    assert res.status_code == 303 and f'{sessions.COOKIE}=""' in res.headers["set-cookie"]
    assert "Max-Age=0" in res.headers["set-cookie"]
