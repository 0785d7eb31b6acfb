"""The Users and Share links pages (admins only): who has an account, which links are open.

Both refuse anyone without the admin action (Forbidden, a MetricsError: the visibility matrix
counts a refusal as safe). Tokens are never shown again after creation: only their state.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metrics.access import Actor, ensure_allowed, list_shares, list_users, sessions, users
from metrics.domain.settings import Settings
from metrics.store import meta
from metrics.views import base

USER_COLUMNS = ["name", "role", "email", "state", "open_sessions", "link_expires", "created_at"]
SHARE_COLUMNS = ["id", "scope", "state", "expires_at", "created_by", "created_at"]


@dataclass(frozen=True)
class UsersView:
    users: pd.DataFrame  # USER_COLUMNS; state: active | disabled | invited (no password yet)
    version: int


@dataclass(frozen=True)
class SharesView:
    shares: pd.DataFrame  # SHARE_COLUMNS; state: active | expired | revoked
    goals: tuple[tuple[str, str], ...]  # (id, name) of public goals: the only ones a link may be scoped to
    public_base_url: str
    version: int

    @property
    def active_ids(self) -> list[int]:
        return [int(i) for i in self.shares.loc[self.shares["state"] == "active", "id"]]


def _state(u: dict) -> str:
    if u["disabled"]:
        return "disabled"
    return "active" if u["has_password"] else "invited"


def users_list(conn_or_url, actor: Actor, settings: Settings | None = None) -> UsersView:
    ensure_allowed(actor, "manage-users")
    with base.read(conn_or_url, actor, settings) as r:
        rows, open_, links = list_users(r.conn), sessions.open_counts(r.conn), users.list_links(r.conn)
        version = r.version
    frame = pd.DataFrame([{"name": u["name"], "role": u["role"], "email": u["email"] or "", "state": _state(u),
                           "open_sessions": open_.get(u["name"], 0), "link_expires": links.get(u["name"]),
                           "created_at": u["created_at"]} for u in rows], columns=USER_COLUMNS)
    return UsersView(frame, version)


def share_links(conn_or_url, actor: Actor, settings: Settings | None = None) -> SharesView:
    ensure_allowed(actor, "manage-shares")
    with base.read(conn_or_url, actor, settings) as r:
        rows = list_shares(r.conn)
        goals = r.frame("goals")
        now = meta.now()
        cfg, version = r.settings, r.version
    def state(s: dict) -> str:
        if s["revoked_at"] is not None:
            return "revoked"
        return "expired" if s["expires_at"] is not None and s["expires_at"] <= now else "active"
    frame = pd.DataFrame([{**{k: s[k] for k in SHARE_COLUMNS if k in s}, "state": state(s)} for s in rows],
                         columns=SHARE_COLUMNS)
    public = goals[goals["is_public"].astype(bool)] if not goals.empty else goals
    return SharesView(frame, tuple(zip(public["id"], public["name"], strict=True)), cfg.public_base_url, version)
