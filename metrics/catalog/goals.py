"""Priorities and goals: create, edit, reorder, publish/unpublish; every change audited old → new.

A goal's `is_public` is its published flag: a public goal (and the published, public measures
under it) is what share links and the static site show. Each function opens one writer
transaction and validates everything before writing anything.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from metrics import access
from metrics.catalog._common import (
    NAME_MAX_CHARS,
    TEXT_MAX_CHARS,
    _record,
    check_fresh,
    date_field,
    diff,
    id_field,
    now,
    raise_if,
    row,
    text_field,
)
from metrics.store import db, schema

GOAL_FIELDS = ("name", "priority_id", "statement", "narrative", "owner", "target_date")
PRIORITY_FIELDS = ("name", "description")


def _goal_values(conn: sa.Connection, fields: dict, errors: list[str]) -> dict:
    unknown = sorted(set(fields) - set(GOAL_FIELDS))
    if unknown:
        errors.append(f"Goals have no field {', '.join(unknown)}; the fields are {', '.join(GOAL_FIELDS)}.")
    out: dict = {}
    if "name" in fields:
        out["name"] = text_field(fields["name"], "The goal's name", errors, required=True)
    if "priority_id" in fields:
        pid = fields["priority_id"]
        if row(conn, schema.priorities, id=pid) is None:
            errors.append(f"There is no priority {str(pid)[:70]!r}.")
        out["priority_id"] = pid
    if "statement" in fields:
        out["statement"] = text_field(fields["statement"], "The statement", errors, TEXT_MAX_CHARS)
    if "narrative" in fields:
        out["narrative"] = text_field(fields["narrative"], "The narrative", errors, TEXT_MAX_CHARS)
    if "owner" in fields:
        out["owner"] = text_field(fields["owner"], "The owner", errors)
    if "target_date" in fields:
        out["target_date"] = date_field(fields["target_date"], "The target date", errors)
    return out


def add_priority(url: str | None, priority_id: str, name: str, description: str | None = None, *,
                 actor: access.Actor) -> str:
    """Create a priority, placed after the existing ones."""
    access.ensure_allowed(actor, "edit-catalog")
    errors: list[str] = []
    pid = id_field(priority_id, "Priority id", errors)
    values = {"name": text_field(name, "The priority's name", errors, required=True),
              "description": text_field(description, "The description", errors, TEXT_MAX_CHARS)}
    with db.writer(url) as conn:
        if pid and row(conn, schema.priorities, id=pid):
            errors.append(f"A priority {pid!r} already exists.")
        raise_if(errors)
        last = conn.execute(sa.select(sa.func.max(schema.priorities.c.sort))).scalar() or 0
        conn.execute(sa.insert(schema.priorities).values(id=pid, sort=int(last) + 1, updated_at=now(), **values))
        _record(conn, actor, "priority-create", "priority", pid, {"new": values})
    return pid


def edit_priority(url: str | None, priority_id: str, fields: dict, *, based_on: str | None = None,
                  actor: access.Actor) -> dict:
    """Change a priority's name or description; returns {field: [old, new]}."""
    access.ensure_allowed(actor, "edit-catalog")
    errors: list[str] = []
    unknown = sorted(set(fields) - set(PRIORITY_FIELDS))
    if unknown:
        errors.append(f"Priorities have no field {', '.join(unknown)}.")
    values = {}
    if "name" in fields:
        values["name"] = text_field(fields["name"], "The priority's name", errors, required=True)
    if "description" in fields:
        values["description"] = text_field(fields["description"], "The description", errors, TEXT_MAX_CHARS)
    with db.writer(url) as conn:
        old = row(conn, schema.priorities, id=priority_id)
        if old is None:
            errors.append(f"There is no priority {str(priority_id)[:70]!r}.")
        raise_if(errors)
        check_fresh(conn, f"Priority '{old['name']}'", "priority", priority_id, old["updated_at"], based_on)
        changed = diff(old, values)
        if changed:
            conn.execute(sa.update(schema.priorities).where(schema.priorities.c.id == priority_id)
                         .values(updated_at=now(), **values))
            _record(conn, actor, "priority-edit", "priority", priority_id, {"changed": changed})
    return changed


def reorder_priorities(url: str | None, ordered_ids: list[str], *, actor: access.Actor) -> list[str]:
    """Put the priorities in this order (every priority id, once)."""
    access.ensure_allowed(actor, "edit-catalog")
    with db.writer(url) as conn:
        t = schema.priorities
        have = dict(conn.execute(sa.select(t.c.id, t.c.sort)).all())
        _check_order(list(ordered_ids), set(have), "priority")
        changed = {pid: [have[pid], i + 1] for i, pid in enumerate(ordered_ids) if have[pid] != i + 1}
        for pid, (_old, new) in changed.items():
            conn.execute(sa.update(t).where(t.c.id == pid).values(sort=new, updated_at=now()))
        if changed:
            _record(conn, actor, "priority-reorder", "priority", "*", {"changed": changed})
    return list(ordered_ids)


def _check_order(ordered: list[str], have: set[str], what: str) -> None:
    errors = []
    if len(set(ordered)) != len(ordered):
        errors.append(f"Each {what} may appear only once in the order.")
    if set(ordered) != have:
        missing, extra = sorted(have - set(ordered)), sorted(set(ordered) - have)
        errors.append(f"The order must list every {what} exactly once"
                      + (f"; missing {', '.join(missing)}" if missing else "")
                      + (f"; unknown {', '.join(extra)}" if extra else "") + ".")
    raise_if(errors)


def add_goal(url: str | None, goal_id: str, priority_id: str, name: str, *, statement: str | None = None,
             owner: str | None = None, target_date: date | str | None = None, public: bool = False,
             actor: access.Actor) -> str:
    """Create a goal under a priority (not public unless `public=True`), placed after its siblings."""
    access.ensure_allowed(actor, "edit-catalog")
    if public:
        access.ensure_allowed(actor, "publish-goal")
    errors: list[str] = []
    gid = id_field(goal_id, "Goal id", errors)
    with db.writer(url) as conn:
        values = _goal_values(conn, {"priority_id": priority_id, "name": name, "statement": statement,
                                     "owner": owner, "target_date": target_date}, errors)
        if gid and row(conn, schema.goals, id=gid):
            errors.append(f"A goal {gid!r} already exists.")
        raise_if(errors)
        g = schema.goals
        last = conn.execute(sa.select(sa.func.max(g.c.sort)).where(g.c.priority_id == priority_id)).scalar() or 0
        conn.execute(sa.insert(g).values(id=gid, is_public=bool(public), sort=int(last) + 1, updated_at=now(),
                                         **values))
        _record(conn, actor, "goal-create", "goal", gid, {"new": {**values, "is_public": bool(public)}})
    return gid


def edit_goal(url: str | None, goal_id: str, fields: dict, *, based_on: str | None = None,
              actor: access.Actor) -> dict:
    """Change a goal's name, priority, statement, narrative, owner or target date.

    `based_on` is the version the edit form was drawn from (views give it as `version`): if the
    goal changed since, StaleEdit is raised and nothing is written. Returns {field: [old, new]}.
    """
    access.ensure_allowed(actor, "edit-catalog")
    errors: list[str] = []
    with db.writer(url) as conn:
        old = row(conn, schema.goals, id=goal_id)
        if old is None:
            raise_if([f"There is no goal {str(goal_id)[:70]!r}."])
        values = _goal_values(conn, fields, errors)
        raise_if(errors)
        check_fresh(conn, f"Goal '{old['name']}'", "goal", goal_id, old["updated_at"], based_on)
        changed = diff(old, values)
        if changed:
            conn.execute(sa.update(schema.goals).where(schema.goals.c.id == goal_id).values(updated_at=now(), **values))
            _record(conn, actor, "goal-edit", "goal", goal_id, {"changed": changed})
    return changed


def set_goal_public(url: str | None, goal_id: str, public: bool, *, actor: access.Actor) -> bool:
    """Publish (public=True) or unpublish a goal; returns whether anything changed."""
    access.ensure_allowed(actor, "publish-goal")
    with db.writer(url) as conn:
        old = row(conn, schema.goals, id=goal_id)
        if old is None:
            raise_if([f"There is no goal {str(goal_id)[:70]!r}."])
        if bool(old["is_public"]) == bool(public):
            return False
        conn.execute(sa.update(schema.goals).where(schema.goals.c.id == goal_id)
                     .values(is_public=bool(public), updated_at=now()))
        _record(conn, actor, "goal-publish" if public else "goal-unpublish", "goal", goal_id,
                {"changed": {"is_public": [bool(old["is_public"]), bool(public)]}})
    return True


def reorder_goals(url: str | None, priority_id: str, ordered_ids: list[str], *, actor: access.Actor) -> list[str]:
    """Put one priority's goals in this order (every goal of the priority, once)."""
    access.ensure_allowed(actor, "edit-catalog")
    with db.writer(url) as conn:
        g = schema.goals
        have = dict(conn.execute(sa.select(g.c.id, g.c.sort).where(g.c.priority_id == priority_id)).all())
        if not have:
            raise_if([f"Priority {str(priority_id)[:70]!r} has no goals to order."])
        _check_order(list(ordered_ids), set(have), "goal of the priority")
        changed = {gid: [have[gid], i + 1] for i, gid in enumerate(ordered_ids) if have[gid] != i + 1}
        for gid, (_old, new) in changed.items():
            conn.execute(sa.update(g).where(g.c.id == gid).values(sort=new, updated_at=now()))
        if changed:
            _record(conn, actor, "goal-reorder", "priority", priority_id, {"changed": changed})
    return list(ordered_ids)


__all__ = ["GOAL_FIELDS", "NAME_MAX_CHARS", "add_goal", "add_priority", "edit_goal", "edit_priority",
           "reorder_goals", "reorder_priorities", "set_goal_public"]
