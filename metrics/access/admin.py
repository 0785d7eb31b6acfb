"""People and links, as the admin pages call them: one transaction per action, the actor required.

Pages never open the database themselves, so each admin action here opens `db.writer(url)`
and calls the checked function in users.py or shares.py with the page's actor (which calls
`ensure_allowed` first). Bad input raises AccessError with the sentence to show, inside the
transaction, so nothing is written.
"""

from __future__ import annotations

import urllib.parse
from datetime import timedelta

from metrics.access import shares, users
from metrics.access.policy import AccessError, Actor, ensure_allowed
from metrics.store import db, meta


def invite(url: str, name: str, role: str, expires: timedelta, *, actor: Actor, email: str | None = None) -> str:
    with db.writer(url) as conn:
        return users.invite_user(conn, name.strip(), role, expires, actor=actor, email=email)


def change_email(url: str, name: str, email: str, *, actor: Actor) -> None:
    with db.writer(url) as conn:
        users.set_email(conn, name, email, actor=actor)


def reset(url: str, name: str, expires: timedelta, *, actor: Actor) -> str:
    with db.writer(url) as conn:
        return users.reset_password(conn, name, expires, actor=actor)


def disable(url: str, name: str, disabled: bool, *, actor: Actor) -> None:
    with db.writer(url) as conn:
        users.set_disabled(conn, name, disabled, actor=actor)


def change_role(url: str, name: str, role: str, *, actor: Actor) -> None:
    with db.writer(url) as conn:
        users.set_role(conn, name, role, actor=actor)


def create_link(url: str, scope: str, expires: timedelta | None, *, actor: Actor) -> str:
    with db.writer(url) as conn:
        return shares.create_share(conn, scope, expires, actor=actor)


def revoke_link(url: str, share_id: int, *, actor: Actor) -> bool:
    with db.writer(url) as conn:
        return shares.revoke_share(conn, share_id, actor=actor)


def check_base_url(value: str) -> str:
    """`https://host[/path]` (or http), nothing after the path; '' clears it."""
    text = (value or "").strip().rstrip("/")
    if not text:
        return ""
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment or " " in text:
        raise AccessError("the public address looks like https://performance.example.gov (no ? or #)")
    return text


def set_public_base_url(url: str, value: str, *, actor: Actor) -> str:
    """The address share and set-password links are built from (the `public_base_url` setting)."""
    ensure_allowed(actor, "manage-shares")
    clean = check_base_url(value)
    with db.writer(url) as conn:
        old = meta.get_meta(conn, "public_base_url", "")
        meta.set_meta(conn, "public_base_url", clean)
        meta.audit(conn, actor.name, "set-setting", "setting", "public_base_url", {"old": old, "new": clean})
    return clean
