"""Who may do what: one choke point for every permission check.

Modelled on datasette: actions are registered kebab-case names, resources are small typed
records, and `allowed()` is the only place that decides. Pages call `ensure_allowed()`
in their first lines, and the metrics functions that write call it again, so hiding a
page is never the only protection. Share links are random tokens stored as SHA-256
hashes; passwords are argon2 hashes; there is no default password.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from metrics import schema, store

ROLES = ("viewer", "editor", "admin")
MIN_PASSWORD_CHARS = 12

# action -> lowest staff role allowed; "public" means share-link visitors may too.
ACTIONS: dict[str, str] = {
    "view-dashboard": "public",
    "view-draft": "viewer",
    "export-data": "public",
    "upload-csv": "editor",
    "rollback-upload": "editor",
    "set-target": "editor",
    "edit-criteria": "editor",
    "publish-measure": "editor",
    "manage-users": "admin",
    "manage-shares": "admin",
}
_RANK = {"public": 0, "viewer": 1, "editor": 2, "admin": 3}
_hasher = PasswordHasher()


class Forbidden(PermissionError):
    """Raised by ensure_allowed; pages turn it into a message, the CLI into exit code 3."""


class AccessError(ValueError):
    """Bad input to user or share management (weak password, unknown role, bad scope)."""


@dataclass(frozen=True)
class Actor:
    kind: str  # "user" | "public" | "local"
    name: str
    role: str  # "public" for share-link visitors
    scope: str = "portal"  # share links: "portal" or "goal:ID"

    @property
    def is_public(self) -> bool:
        return self.role == "public"

    @property
    def goal_scope(self) -> str | None:
        return self.scope.split(":", 1)[1] if self.scope.startswith("goal:") else None


@dataclass(frozen=True)
class Resource:
    kind: str  # "measure" | "goal" | "portal"
    id: str | None = None
    goal_id: str | None = None
    published: bool = True


PUBLIC_PORTAL = Actor("public", "public", "public", "portal")
LOCAL_ADMIN = Actor("local", "local admin", "admin")


def allowed(actor: Actor, action: str, resource: Resource | None = None) -> bool:
    """The one decision: may this actor do this action (to this resource)?"""
    if action not in ACTIONS:
        raise KeyError(f"unknown action '{action}'")
    if _RANK.get(actor.role, -1) < _RANK[ACTIONS[action]]:
        return False
    if actor.is_public and resource is not None:
        if not resource.published:
            return False
        scope = actor.goal_scope
        if scope is not None:
            goal = resource.id if resource.kind == "goal" else resource.goal_id
            if resource.kind != "portal" and goal != scope:
                return False
    return True


def ensure_allowed(actor: Actor, action: str, resource: Resource | None = None) -> None:
    if not allowed(actor, action, resource):
        what = f" {resource.kind} '{resource.id}'" if resource and resource.id else ""
        raise Forbidden(f"{actor.name} ({actor.role}) may not {action.replace('-', ' ')}{what}")


def visible(actor: Actor, frame: pd.DataFrame, scoped_measures: set[str] | None = None) -> pd.DataFrame:
    """Rows of a measures/goals/observations frame this actor may see.

    SQL already filters drafts and private measures for public readers; this adds the
    share-link goal scope, in one place, for any frame carrying a goal id, or a measure id
    (checked against `scoped_measures`, the ids under the scoped goal).
    """
    scope = actor.goal_scope
    if not actor.is_public or scope is None:
        return frame
    if "goal_id" in frame.columns:
        return frame[frame["goal_id"] == scope]
    if "id" in frame.columns and "priority_id" in frame.columns:
        return frame[frame["id"] == scope]  # the goals table itself
    for col in ("measure_id", "output_measure_id", "outcome_measure_id"):
        if col in frame.columns:
            frame = frame[frame[col].isin(scoped_measures or set())]
    return frame


# --- users ------------------------------------------------------------------------------

def add_user(conn: sa.Connection, name: str, role: str, password: str, actor: Actor | None = None) -> int:
    if actor is not None:
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
        name=name, role=role, password_hash=_hasher.hash(password), created_at=store.now())
        .returning(schema.users.c.id)).scalar_one()
    store.audit(conn, actor.name if actor else "cli", "add-user", "user", name, {"role": role})
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


# --- share links ------------------------------------------------------------------------

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


def parse_expiry(text: str | None) -> timedelta | None:
    """'30d', '12h', '2w' -> timedelta; None or 'never' -> no expiry."""
    if not text or text == "never":
        return None
    unit = text[-1]
    if unit not in "hdw" or not text[:-1].isdigit() or int(text[:-1]) <= 0:
        raise AccessError("expiry looks like 12h, 30d or 2w")
    n = int(text[:-1])
    return {"h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]


def create_share(conn: sa.Connection, scope: str, expires: timedelta | None = None,
                 actor: Actor = LOCAL_ADMIN) -> str:
    """Returns the token once; only its hash is stored, so a leaked database leaks no links."""
    ensure_allowed(actor, "manage-shares")
    _check_scope(conn, scope)
    token = secrets.token_urlsafe(32)
    now = store.now()
    conn.execute(sa.insert(schema.share_links).values(
        token_hash=_token_hash(token), scope=scope, created_by=actor.name, created_at=now,
        expires_at=now + expires if expires else None))
    store.audit(conn, actor.name, "create-share", "share", scope)
    return token


def resolve_share(conn: sa.Connection, token: str, at: datetime | None = None) -> Actor | None:
    if not token or len(token) > 200:
        return None
    s = schema.share_links
    row = conn.execute(sa.select(s.c.scope, s.c.expires_at, s.c.revoked_at)
                       .where(s.c.token_hash == _token_hash(token))).first()
    at = at or store.now()
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= at):
        return None
    return Actor("public", "public link", "public", row.scope)


def revoke_share(conn: sa.Connection, share_id: int, actor: Actor = LOCAL_ADMIN) -> bool:
    ensure_allowed(actor, "manage-shares")
    s = schema.share_links
    n = conn.execute(sa.update(s).where(s.c.id == share_id, s.c.revoked_at.is_(None))
                     .values(revoked_at=store.now())).rowcount
    if n:
        store.audit(conn, actor.name, "revoke-share", "share", str(share_id))
    return bool(n)


def list_shares(conn: sa.Connection) -> list[dict]:
    s = schema.share_links
    return [dict(r._mapping) for r in conn.execute(
        sa.select(s.c.id, s.c.scope, s.c.created_by, s.c.created_at, s.c.expires_at, s.c.revoked_at)
        .order_by(s.c.id))]
