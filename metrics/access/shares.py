"""Public share links: random tokens stored as SHA-256 hashes, scoped, expiring, revocable.

A leaked database leaks no working links: only the hash of each token is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from metrics.access.policy import AccessError, Actor, ensure_allowed
from metrics.store import meta, schema


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_scope(conn: sa.Connection, scope: str) -> None:
    if scope == "portal":
        return
    if not scope.startswith("goal:"):
        raise AccessError("scope must be 'portal' or 'goal:ID'")
    goal = scope.split(":", 1)[1]
    row = conn.execute(sa.select(schema.goals.c.is_public).where(schema.goals.c.id == goal)).first()
    if row is None:
        raise AccessError(f"no goal '{goal}'")
    if not row.is_public:
        raise AccessError(f"goal '{goal}' is not public; publish it before sharing it")


#: Longest expiry a link may be given (`never` is the way to say "no expiry").
MAX_EXPIRY_DAYS = 3650


def parse_expiry(text: str | None) -> timedelta | None:
    """'30d', '12h', '2w' -> timedelta; None or 'never' -> no expiry."""
    if not text or text == "never":
        return None
    unit = text[-1]
    if unit not in "hdw" or not text[:-1].isdigit() or int(text[:-1]) <= 0:
        raise AccessError("expiry looks like 12h, 30d or 2w")
    n = int(text[:-1])
    hours = n * {"h": 1, "d": 24, "w": 24 * 7}[unit]
    if hours > MAX_EXPIRY_DAYS * 24:  # a date past year 9999 overflows; decades are "never"
        raise AccessError(f"expiry is at most {MAX_EXPIRY_DAYS:,}d (10 years); use 'never' for a link without one")
    return timedelta(hours=hours)


def create_share(conn: sa.Connection, scope: str, expires: timedelta | None = None, *, actor: Actor) -> str:
    """Returns the token once; only its hash is stored, so a leaked database leaks no links.

    `actor` (required, manage-shares) is recorded as the link's creator and in the audit log."""
    ensure_allowed(actor, "manage-shares")
    _check_scope(conn, scope)
    token = secrets.token_urlsafe(32)
    now = meta.now()
    conn.execute(sa.insert(schema.share_links).values(
        token_hash=_token_hash(token), scope=scope, created_by=actor.name, created_at=now,
        expires_at=now + expires if expires else None))
    meta.audit(conn, actor.name, "create-share", "share", scope)
    return token


def resolve_share(conn: sa.Connection, token: str, at: datetime | None = None) -> Actor | None:
    if not token or len(token) > 200:
        return None
    s = schema.share_links
    row = conn.execute(sa.select(s.c.scope, s.c.expires_at, s.c.revoked_at)
                       .where(s.c.token_hash == _token_hash(token))).first()
    at = at or meta.now()
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= at):
        return None
    return Actor("public", "public link", "public", row.scope)


def revoke_share(conn: sa.Connection, share_id: int, *, actor: Actor) -> bool:
    """Revoke one link; `actor` (required, manage-shares) is recorded in the audit log."""
    ensure_allowed(actor, "manage-shares")
    s = schema.share_links
    n = conn.execute(sa.update(s).where(s.c.id == share_id, s.c.revoked_at.is_(None))
                     .values(revoked_at=meta.now())).rowcount
    if n:
        meta.audit(conn, actor.name, "revoke-share", "share", str(share_id))
    return bool(n)


def share_url(base_url: str, token: str) -> str:
    """The address a share link is handed out as: the city's `public_base_url` (a setting) + `/?share=`.

    With no base configured the path alone is returned, so nobody is handed a localhost address."""
    return f"{(base_url or '').rstrip('/')}/?share={token}"


def list_shares(conn: sa.Connection) -> list[dict]:
    s = schema.share_links
    return [dict(r._mapping) for r in conn.execute(
        sa.select(s.c.id, s.c.scope, s.c.created_by, s.c.created_at, s.c.expires_at, s.c.revoked_at)
        .order_by(s.c.id))]
