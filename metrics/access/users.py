"""Staff accounts: argon2 password hashes, roles, no default password.

Admins manage accounts in the app (app_pages/users.py) or the CLI, always through these
functions with their actor: invite (the account exists with no usable password until its
one-time set-password link is used), reset (the password stops working, every session ends,
a new link is issued), disable/enable, change role. A set-password link is a random token
stored as its SHA-256 with an expiry, used once; redeeming it is the one write here without
an actor, because holding the link is the authority (like a share link).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from metrics.access import sessions
from metrics.access.policy import ROLES, AccessError, Actor, ensure_allowed
from metrics.store import meta, schema

MIN_PASSWORD_CHARS = 12
LINK_TTL = timedelta(days=3)
NO_PASSWORD = "!"  # not an argon2 hash: verify() refuses it, so the account can't sign in yet
_hasher = PasswordHasher()
_COMMON = {"password", "passw0rd", "123456789", "qwerty", "letmein", "welcome", "changeme", "admin", "iloveyou"}
EXPIRED_LINK = "This set-password link has expired or was already used. Ask an administrator for a new one."


def check_password(password: str | None, name: str = "") -> None:
    """Refuse a weak password with the reason, before anything is written."""
    pw = password or ""
    if len(pw) < MIN_PASSWORD_CHARS:
        raise AccessError(f"passwords need at least {MIN_PASSWORD_CHARS} characters")
    low = pw.lower()
    if len(name) >= 4 and name.lower() in low:  # a short name is part of many words
        raise AccessError("the password must not contain the user name")
    letters = "".join(ch for ch in low if ch.isalpha())
    if len(set(low)) < 5 or low.isdigit() or letters in _COMMON:
        raise AccessError("that password is too easy to guess: use a few unrelated words")


def _check_name(name: str) -> None:
    if not name or len(name) > 64 or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise AccessError("user names are 1-64 letters, digits, '.', '-' or '_'")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccessError(f"role must be one of {', '.join(ROLES)}, not '{role}'")


def add_user(conn: sa.Connection, name: str, role: str, password: str, *, actor: Actor) -> int:
    """Add a staff account; `actor` (required) must have manage-users and is recorded in the audit log.

    The first admin is created from the shell (`python -m metrics users add NAME --role admin`),
    whose actor is the CLI's (metrics.cli.actor()), an admin because shell access to the
    database is already full access.
    """
    ensure_allowed(actor, "manage-users")
    _check_role(role)
    _check_name(name)
    check_password(password, name)
    exists = conn.execute(sa.select(schema.users.c.id).where(schema.users.c.name == name)).first()
    if exists:
        raise AccessError(f"user '{name}' already exists")
    uid = conn.execute(sa.insert(schema.users).values(
        name=name, role=role, password_hash=_hasher.hash(password), created_at=meta.now())
        .returning(schema.users.c.id)).scalar_one()
    meta.audit(conn, actor.name, "add-user", "user", name, {"role": role})
    return uid


def authenticate(conn: sa.Connection, name: str, password: str) -> Actor | None:
    row = conn.execute(sa.select(schema.users.c.password_hash, schema.users.c.role, schema.users.c.disabled)
                       .where(schema.users.c.name == name)).first()
    if row is None or row.disabled:
        _hasher.hash(password or "x")  # same cost whether or not the user exists
        return None
    try:
        _hasher.verify(row.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    return Actor("user", name, row.role)


def has_users(conn: sa.Connection) -> bool:
    return conn.execute(sa.select(sa.func.count()).select_from(schema.users)).scalar_one() > 0


def list_users(conn: sa.Connection) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(
        sa.select(schema.users.c.name, schema.users.c.role, schema.users.c.created_at, schema.users.c.disabled,
                  (schema.users.c.password_hash != NO_PASSWORD).label("has_password"), schema.users.c.email)
        .order_by(schema.users.c.name))]




# --- managed in the app: invite, reset, disable, role; one-time set-password links ---------------

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(conn: sa.Connection, name: str) -> sa.Row:
    u = schema.users
    row = conn.execute(sa.select(u.c.id, u.c.name, u.c.role, u.c.disabled).where(u.c.name == name)).first()
    if row is None:
        raise AccessError(f"no user '{name}'")
    return row


def _issue_link(conn: sa.Connection, name: str, purpose: str, expires: timedelta, actor: Actor) -> str:
    if expires <= timedelta(0):
        raise AccessError("a set-password link needs an expiry in the future")
    p = schema.password_links
    now = meta.now()
    conn.execute(sa.update(p).where(p.c.user_name == name, p.c.used_at.is_(None)).values(used_at=now))  # one live link
    token = secrets.token_urlsafe(32)
    conn.execute(sa.insert(p).values(token_hash=_hash(token), user_name=name, purpose=purpose, created_by=actor.name,
                                     created_at=now, expires_at=now + expires))
    return token


def _other_active_admins(conn: sa.Connection, name: str) -> int:
    u = schema.users
    return conn.execute(sa.select(sa.func.count()).select_from(u).where(
        u.c.role == "admin", u.c.disabled.is_(False), u.c.name != name,
        u.c.password_hash != NO_PASSWORD)).scalar_one()


def _check_email(email: str | None) -> str | None:
    text = (email or "").strip()
    if not text:
        return None
    local, _, domain = text.partition("@")
    if not local or "." not in domain or " " in text or len(text) > 254:
        raise AccessError("an e-mail address looks like name@city.gov")
    return text


def invite_user(conn: sa.Connection, name: str, role: str, expires: timedelta = LINK_TTL, *, actor: Actor,
                email: str | None = None) -> str:
    """Create an account with no usable password; returns the one-time set-password token.
    `email` lets the person sign in through single sign-on too, when it is configured."""
    ensure_allowed(actor, "manage-users")
    _check_role(role)
    _check_name(name)
    email = _check_email(email)
    if conn.execute(sa.select(schema.users.c.id).where(schema.users.c.name == name)).first():
        raise AccessError(f"user '{name}' already exists")
    if email and conn.execute(sa.select(schema.users.c.id).where(
            sa.func.lower(schema.users.c.email) == email.lower())).first():
        raise AccessError(f"another account already uses {email}")
    conn.execute(sa.insert(schema.users).values(name=name, role=role, password_hash=NO_PASSWORD, email=email,
                                                created_at=meta.now()))
    token = _issue_link(conn, name, "invite", expires, actor)
    meta.audit(conn, actor.name, "invite-user", "user", name, {"role": role, "expires": str(expires)})
    return token


def reset_password(conn: sa.Connection, name: str, expires: timedelta = LINK_TTL, *, actor: Actor) -> str:
    """The password stops working and every session ends now; returns a new set-password token."""
    ensure_allowed(actor, "manage-users")
    row = _user(conn, name)
    if row.role == "admin" and not _other_active_admins(conn, name) and actor.name == name:
        raise AccessError("you are the only admin: reset your password from the CLI instead")
    conn.execute(sa.update(schema.users).where(schema.users.c.name == name).values(password_hash=NO_PASSWORD))
    ended = sessions.end_all(conn, name, "password reset")
    token = _issue_link(conn, name, "reset", expires, actor)
    meta.audit(conn, actor.name, "reset-password", "user", name, {"sessions_ended": ended})
    return token


def set_disabled(conn: sa.Connection, name: str, disabled: bool, *, actor: Actor) -> None:
    """Disable (every session ends at its next click) or enable an account."""
    ensure_allowed(actor, "manage-users")
    row = _user(conn, name)
    if disabled and row.role == "admin" and not _other_active_admins(conn, name):
        raise AccessError(f"'{name}' is the last active admin; make someone else admin first")
    if bool(row.disabled) == disabled:
        return
    conn.execute(sa.update(schema.users).where(schema.users.c.name == name).values(disabled=disabled))
    ended = sessions.end_all(conn, name, "account disabled") if disabled else 0
    meta.audit(conn, actor.name, "disable-user" if disabled else "enable-user", "user", name,
               {"sessions_ended": ended} if disabled else None)


def set_role(conn: sa.Connection, name: str, role: str, *, actor: Actor) -> None:
    """Change a role; open sessions carry the new role from their next click."""
    ensure_allowed(actor, "manage-users")
    _check_role(role)
    row = _user(conn, name)
    if row.role == role:
        return
    if row.role == "admin" and not _other_active_admins(conn, name):
        raise AccessError(f"'{name}' is the last active admin; make someone else admin first")
    conn.execute(sa.update(schema.users).where(schema.users.c.name == name).values(role=role))
    meta.audit(conn, actor.name, "change-role", "user", name, {"old": row.role, "new": role})


def set_email(conn: sa.Connection, name: str, email: str | None, *, actor: Actor) -> None:
    """The address single sign-on maps to this account ('' removes it)."""
    ensure_allowed(actor, "manage-users")
    _user(conn, name)
    clean = _check_email(email)
    u = schema.users
    if clean and conn.execute(sa.select(u.c.name).where(sa.func.lower(u.c.email) == clean.lower(),
                                                        u.c.name != name)).first():
        raise AccessError(f"another account already uses {clean}")
    conn.execute(sa.update(u).where(u.c.name == name).values(email=clean))
    meta.audit(conn, actor.name, "set-email", "user", name, {"email": clean})


def password_link(conn: sa.Connection, token: str | None, at: datetime | None = None) -> tuple[str, str]:
    """(user name, purpose) of a live set-password link; AccessError when it is unknown, used or expired."""
    if not token or len(token) > 200:
        raise AccessError(EXPIRED_LINK)
    p = schema.password_links
    row = conn.execute(sa.select(p.c.user_name, p.c.purpose, p.c.expires_at, p.c.used_at)
                       .where(p.c.token_hash == _hash(token))).first()
    if row is None or row.used_at is not None or (at or meta.now()) >= row.expires_at:
        raise AccessError(EXPIRED_LINK)
    return row.user_name, row.purpose


def redeem_password_link(conn: sa.Connection, token: str, password: str, repeat: str) -> str:
    """Set the password a live link is for; the link is used up. Nothing is written on bad input."""
    name, purpose = password_link(conn, token)
    if password != repeat:
        raise AccessError("the two passwords differ")
    check_password(password, name)
    row = _user(conn, name)
    if row.disabled:
        raise AccessError("this account is disabled; ask an administrator")
    p = schema.password_links
    conn.execute(sa.update(schema.users).where(schema.users.c.name == name)
                 .values(password_hash=_hasher.hash(password)))
    conn.execute(sa.update(p).where(p.c.token_hash == _hash(token)).values(used_at=meta.now()))
    sessions.end_all(conn, name, "password set")
    meta.audit(conn, name, "set-password", "user", name, {"purpose": purpose})
    return name


def list_links(conn: sa.Connection, at: datetime | None = None) -> dict[str, datetime]:
    """Accounts with a live set-password link -> when it expires (for the Users page)."""
    p = schema.password_links
    rows = conn.execute(sa.select(p.c.user_name, p.c.expires_at)
                        .where(p.c.used_at.is_(None), p.c.expires_at > (at or meta.now()))).all()
    return {r.user_name: r.expires_at for r in rows}
