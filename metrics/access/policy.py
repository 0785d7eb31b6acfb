"""Who may do what: the one decision (`allowed`) and its raising twin (`ensure_allowed`).

Modelled on datasette: actions are registered kebab-case names, resources are small typed
records, and `allowed()` is the only place that decides. Every write function in metrics/
takes the actor as a required argument and calls `ensure_allowed()` first, so hiding a
page or a button is never the only protection.
"""


from __future__ import annotations

from dataclasses import dataclass

from metrics.errors import InputError, MetricsError

ROLES = ("viewer", "editor", "admin")

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
    # the catalog (metrics/catalog): priorities, goals, measure metadata, links, narratives, annotations
    "edit-catalog": "editor",
    "publish-goal": "editor",
    "retire-measure": "editor",
    "delete-measure": "editor",
    "write-narrative": "editor",
    "view-audit": "admin",
    "send-reminders": "editor",
    "publish-site": "admin",
    "council-report": "viewer",
    "manage-users": "admin",
    "manage-shares": "admin",
}
_RANK = {"public": 0, "viewer": 1, "editor": 2, "admin": 3}


class Forbidden(MetricsError, PermissionError):
    """Raised by ensure_allowed; pages turn it into a message, the CLI into exit code 3."""

    exit_code = 3


class AccessError(InputError):
    """Bad input to user or share management (weak password, unknown role, bad scope)."""

    exit_code = 2


@dataclass(frozen=True)
class Actor:
    kind: str  # "user" | "public" | "local" (single-user mode) | "cli" (metrics.cli.actor)
    name: str  # recorded as who did it in the audit log, uploads, history
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
    """The first line of every write function: raise Forbidden unless `actor` may do `action`.

    Anything that is not an Actor (None, a bare user name) is refused too, so a caller that
    forgot who is acting can't slip through as "no check".
    """
    if not isinstance(actor, Actor):
        raise Forbidden(f"no one may {action.replace('-', ' ')} without saying who is acting")
    if not allowed(actor, action, resource):
        what = f" {resource.kind} '{resource.id}'" if resource and resource.id else ""
        raise Forbidden(f"{actor.name} ({actor.role}) may not {action.replace('-', ' ')}{what}")


