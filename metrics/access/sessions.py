"""Staff sessions that survive reloads, new tabs and restarts: rows, not Streamlit memory.

A signed-in browser holds a random token in an HttpOnly cookie; the `sessions` table holds
only its SHA-256, so a leaked database signs nobody in. Each run of the app looks the token
up again (one indexed SELECT joined to `users`), so signing out, disabling the account,
changing its role, the idle limit and the absolute limit all take effect at the person's
next click, in every tab, on every app process. `last_seen_at` is written at most once a
minute per session, so an active page does not turn every rerun into a write.

Sign-in runs over Streamlit's WebSocket, which cannot set a cookie. So `sign_in()` also
issues a one-time handoff code (stored hashed, two minutes); the browser is sent to a small
HTTP endpoint (ui/http.py) that exchanges it: the session's token is replaced by a new one
that only the cookie ever holds. Until that happens the tab keeps its first token in server
memory, so a sign-in works (for that tab) even where the endpoint is not mounted.

Failed sign-ins are throttled per account and per client (the address the WebSocket came
from) and every attempt, allowed or not, is recorded in `sign_in_attempts` and the audit log.
These writes take no actor: they are how an actor comes to exist (tests/test_fail_closed.py
lists them as exempt, with that reason).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from metrics.access.policy import Actor
from metrics.domain.settings import Settings
from metrics.store import meta, schema

COOKIE = "metrics_session"
HANDOFF_TTL = timedelta(minutes=2)
TOUCH_EVERY = timedelta(minutes=1)
THROTTLE_WINDOW = timedelta(minutes=15)
USER_LIMIT = 5  # failures per account in the window (since its last success) before refusing
CLIENT_LIMIT = 20  # failures from one client in the window, whichever accounts it tried
WRONG = "Unknown user name or wrong password."
THROTTLED = ("Too many failed sign-ins for this account or from this computer. "
             "Wait 15 minutes and try again, or ask an administrator to reset the password.")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignIn:
    """What a sign-in attempt gave: an actor and its tokens, or the sentence to show."""

    actor: Actor | None
    token: str | None = None  # the tab's token until the cookie takes over
    handoff: str | None = None  # one-time code for ui/http.py to turn into the cookie
    refused: str | None = None


@dataclass(frozen=True)
class Current:
    """A live session: who it is (role read from `users` now) and whether to note activity."""

    actor: Actor
    session_id: int
    user_name: str
    expires_at: datetime
    stale_seen: bool  # last_seen_at is older than TOUCH_EVERY


def _failures(conn: sa.Connection, column: sa.ColumnElement, value: str, since: datetime) -> int:
    a = schema.sign_in_attempts
    return conn.execute(sa.select(sa.func.count()).select_from(a)
                        .where(column == value, a.c.ok.is_(False), a.c.at > since)).scalar_one()


def throttled(conn: sa.Connection, name: str, client: str, at: datetime | None = None) -> bool:
    """Too many recent failures for this account (since its last success) or from this client."""
    at = at or meta.now()
    a = schema.sign_in_attempts
    since = at - THROTTLE_WINDOW
    last_ok = conn.execute(sa.select(sa.func.max(a.c.at)).where(a.c.user_name == name, a.c.ok.is_(True))).scalar()
    user_since = max(since, last_ok) if last_ok is not None else since
    return (_failures(conn, a.c.user_name, name, user_since) >= USER_LIMIT
            or _failures(conn, a.c.client, client, since) >= CLIENT_LIMIT)


def _record(conn: sa.Connection, name: str, client: str, ok: bool, action: str, at: datetime) -> None:
    conn.execute(sa.insert(schema.sign_in_attempts).values(at=at, user_name=name[:64], client=client, ok=ok))
    meta.audit(conn, name[:64], action, "user", name[:64], {"client": client})


def sign_in(conn: sa.Connection, name: str, password: str, client: str, settings: Settings,
            at: datetime | None = None) -> SignIn:
    """Check the throttle, then the password; record the attempt; open a session on success.

    Call inside `db.writer`: the attempt is recorded whatever the outcome, and a refused
    attempt changes nothing else."""
    at = at or meta.now()
    name = (name or "").strip()
    client = (client or "unknown")[:200]
    if throttled(conn, name, client, at):
        _record(conn, name, client, False, "sign-in-throttled", at)
        return SignIn(None, refused=THROTTLED)
    from metrics.access.users import authenticate  # users imports this module (end_all)

    actor = authenticate(conn, name, password)
    if actor is None:
        _record(conn, name, client, False, "sign-in-failed", at)
        return SignIn(None, refused=WRONG)
    _record(conn, name, client, True, "sign-in", at)
    token, handoff = _open(conn, name, client, settings, at)
    return SignIn(actor, token=token, handoff=handoff)


def _open(conn: sa.Connection, name: str, client: str, settings: Settings, at: datetime) -> tuple[str, str]:
    token, handoff = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    conn.execute(sa.insert(schema.sessions).values(
        token_hash=token_hash(token), user_name=name, client=client, created_at=at, last_seen_at=at,
        expires_at=at + timedelta(days=settings.session_max_days),
        handoff_hash=token_hash(handoff), handoff_expires_at=at + HANDOFF_TTL))
    return token, handoff


NO_ACCOUNT = "No staff account uses this e-mail address. Ask an administrator to add it to your account."


def sign_in_sso(conn: sa.Connection, email: str, client: str, settings: Settings,
                at: datetime | None = None) -> SignIn:
    """Single sign-on (`st.login`): the identity provider vouched for `email`; the enabled account
    with that address (case-insensitive) gets the same kind of session as a password sign-in."""
    at = at or meta.now()
    client = (client or "unknown")[:200]
    address = (email or "").strip().lower()
    u = schema.users
    row = conn.execute(sa.select(u.c.name, u.c.role).where(
        sa.func.lower(u.c.email) == address, u.c.disabled.is_(False))).first() if address else None
    if row is None:
        conn.execute(sa.insert(schema.sign_in_attempts).values(at=at, user_name=address[:64] or "?", client=client,
                                                               ok=False))
        meta.audit(conn, address or None, "sign-in-sso-refused", "user", address[:64], {"client": client})
        return SignIn(None, refused=NO_ACCOUNT)
    _record(conn, row.name, client, True, "sign-in-sso", at)
    token, handoff = _open(conn, row.name, client, settings, at)
    return SignIn(Actor("user", row.name, row.role), token=token, handoff=handoff)


def current(conn: sa.Connection, token: str | None, settings: Settings, at: datetime | None = None) -> Current | None:
    """The live session for `token`, or None: unknown, revoked, idle too long, past its absolute
    end, or its account disabled or gone. The role is the account's role now."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    at = at or meta.now()
    s, u = schema.sessions, schema.users
    row = conn.execute(
        sa.select(s.c.id, s.c.user_name, s.c.last_seen_at, s.c.expires_at, s.c.revoked_at, u.c.role, u.c.disabled)
        .select_from(s.join(u, u.c.name == s.c.user_name))
        .where(s.c.token_hash == token_hash(token))).first()
    if row is None or row.revoked_at is not None or row.disabled or at >= row.expires_at:
        return None
    if at - row.last_seen_at >= timedelta(hours=settings.session_idle_hours):
        return None
    return Current(Actor("user", row.user_name, row.role), row.id, row.user_name, row.expires_at,
                   stale_seen=at - row.last_seen_at >= TOUCH_EVERY)


def touch(conn: sa.Connection, session_id: int, at: datetime | None = None) -> None:
    """Note activity (the idle clock restarts); callers do this at most once a minute."""
    s = schema.sessions
    conn.execute(sa.update(s).where(s.c.id == session_id, s.c.revoked_at.is_(None))
                 .values(last_seen_at=at or meta.now()))


def exchange(conn: sa.Connection, handoff: str, at: datetime | None = None) -> tuple[str, datetime] | None:
    """Turn a one-time handoff code into the cookie's token (a new one; the tab's token stops
    working). None when the code is unknown, used, older than two minutes, or its session or
    account has ended meanwhile."""
    if not handoff or len(handoff) > 200:
        return None
    at = at or meta.now()
    s, u = schema.sessions, schema.users
    row = conn.execute(
        sa.select(s.c.id, s.c.expires_at, s.c.revoked_at, s.c.handoff_expires_at, u.c.disabled)
        .select_from(s.join(u, u.c.name == s.c.user_name))
        .where(s.c.handoff_hash == token_hash(handoff))).first()
    if (row is None or row.revoked_at is not None or row.disabled or row.handoff_expires_at is None
            or at >= row.handoff_expires_at or at >= row.expires_at):
        return None
    token = secrets.token_urlsafe(32)
    conn.execute(sa.update(s).where(s.c.id == row.id).values(
        token_hash=token_hash(token), handoff_hash=None, handoff_expires_at=None, last_seen_at=at))
    return token, row.expires_at


def end(conn: sa.Connection, token: str | None, reason: str = "signed out") -> bool:
    """Sign out: the session ends in every tab at their next click."""
    if not token:
        return False
    s = schema.sessions
    row = conn.execute(sa.select(s.c.id, s.c.user_name).where(s.c.token_hash == token_hash(token),
                                                              s.c.revoked_at.is_(None))).first()
    if row is None:
        return False
    conn.execute(sa.update(s).where(s.c.id == row.id).values(revoked_at=meta.now(), revoked_reason=reason))
    meta.audit(conn, row.user_name, "sign-out", "user", row.user_name)
    return True


def end_all(conn: sa.Connection, user_name: str, reason: str) -> int:
    """End every open session of one account (disabled, password reset or set): used inside the
    checked writes of metrics.access.users, which audit the change that caused it."""
    s = schema.sessions
    return conn.execute(sa.update(s).where(s.c.user_name == user_name, s.c.revoked_at.is_(None))
                        .values(revoked_at=meta.now(), revoked_reason=reason)).rowcount


def open_counts(conn: sa.Connection, at: datetime | None = None) -> dict[str, int]:
    """Open (unrevoked, unexpired) sessions per account, for the Users page."""
    at = at or meta.now()
    s = schema.sessions
    rows = conn.execute(sa.select(s.c.user_name, sa.func.count()).where(s.c.revoked_at.is_(None), s.c.expires_at > at)
                        .group_by(s.c.user_name)).all()
    return {r[0]: int(r[1]) for r in rows}
