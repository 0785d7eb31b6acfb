"""Staff accounts: argon2 password hashes, roles, no default password."""

from __future__ import annotations

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from metrics.access.policy import ROLES, AccessError, Actor, ensure_allowed
from metrics.store import meta, schema

MIN_PASSWORD_CHARS = 12
_hasher = PasswordHasher()


def add_user(conn: sa.Connection, name: str, role: str, password: str, *, actor: Actor) -> int:
    """Add a staff account; `actor` (required) must have manage-users and is recorded in the audit log.

    The first admin is created from the shell (`python -m metrics users add NAME --role admin`),
    whose actor is the CLI's (metrics.cli.actor()), an admin because shell access to the
    database is already full access.
    """
    ensure_allowed(actor, "manage-users")
    if role not in ROLES:
        raise AccessError(f"role must be one of {', '.join(ROLES)}, not '{role}'")
    if not name or len(name) > 64 or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise AccessError("user names are 1-64 letters, digits, '.', '-' or '_'")
    if len(password or "") < MIN_PASSWORD_CHARS:
        raise AccessError(f"passwords need at least {MIN_PASSWORD_CHARS} characters")
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
        sa.select(schema.users.c.name, schema.users.c.role, schema.users.c.created_at, schema.users.c.disabled)
        .order_by(schema.users.c.name))]


