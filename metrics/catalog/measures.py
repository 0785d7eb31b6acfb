"""Measures: create, edit every metadata field, assign to a goal, publish/unpublish, retire, delete.

Publishing makes a measure count (score, composite, Overview) and, when it is marked public and its
goal is public, visible to share links and the static site. It needs a goal: a published measure
nobody can find under a goal would count without being explained. Retiring keeps the measure and
its history for staff but takes it out of scoring and every public output: it is stored as a draft
with `retired_at` set (the schema's state CHECK allows only draft/published, and DuckDB can't alter
a constraint), and sql/measures.sql reads it back as state 'retired'. Deleting is for mistakes only:
refused while anything refers to the measure.
"""

from __future__ import annotations

import sqlalchemy as sa

from metrics import access
from metrics.catalog._common import (
    TEXT_MAX_CHARS,
    CatalogError,
    _record,
    check_fresh,
    choice,
    diff,
    id_field,
    now,
    number_field,
    raise_if,
    row,
    text_field,
)
from metrics.domain import compare
from metrics.domain.vocabulary import DIRECTIONS, FREQUENCIES, MEASURE_KINDS
from metrics.store import db, schema

FIELDS = ("name", "kind", "unit", "direction", "frequency", "department", "owner", "data_source", "methodology",
          "goal_id", "is_public", "plausible_min", "plausible_max")
ROLLUPS = ("sum", "mean", "last")
MEASURE_ID_MAX = 128


def _values(conn: sa.Connection, fields: dict, errors: list[str], measure_id: str | None = None) -> dict:
    unknown = sorted(set(fields) - set(FIELDS) - {"rollup"})
    if unknown:
        errors.append(f"Measures have no field {', '.join(unknown)}; the fields are {', '.join(FIELDS)}.")
    out: dict = {}
    for key in ("unit", "department", "owner", "data_source"):
        if key in fields:
            out[key] = text_field(fields[key], f"The {key.replace('_', ' ')}", errors)
    if "name" in fields:
        out["name"] = text_field(fields["name"], "The measure's name", errors, required=True)
    if "methodology" in fields:
        out["methodology"] = text_field(fields["methodology"], "The methodology", errors, TEXT_MAX_CHARS)
    if "kind" in fields:
        out["kind"] = choice(fields["kind"], "Kind", MEASURE_KINDS, errors)
    if "direction" in fields:
        out["direction"] = choice(fields["direction"], "Direction", DIRECTIONS, errors)
    if "frequency" in fields:
        out["frequency"] = choice(fields["frequency"], "Frequency", FREQUENCIES, errors)
    if "rollup" in fields:
        out["rollup"] = choice(fields["rollup"], "Roll-up", ROLLUPS, errors)
    if "is_public" in fields:
        if not isinstance(fields["is_public"], bool):
            errors.append("Public must be true or false.")
        out["is_public"] = bool(fields["is_public"])
    for key in ("plausible_min", "plausible_max"):
        if key in fields:
            out[key] = number_field(fields[key], f"The plausible {key.split('_')[1]}imum", errors)
    lo, hi = out.get("plausible_min"), out.get("plausible_max")
    if lo is not None and hi is not None and lo > hi:
        errors.append("The plausible minimum is above the plausible maximum.")
    if "goal_id" in fields:
        gid = fields["goal_id"] or None
        if gid is not None and row(conn, schema.goals, id=gid) is None:
            errors.append(f"There is no goal {str(gid)[:70]!r}.")
        out["goal_id"] = gid
    if measure_id is not None and "frequency" in out:
        old = row(conn, schema.measures, id=measure_id)
        n = _count(conn, schema.observations, schema.observations.c.measure_id, measure_id)
        if old and out["frequency"] != old["frequency"] and n:
            errors.append(f"The frequency can't change while the measure has {n:,} observations of its current "
                          f"frequency ({old['frequency']}); create a new measure instead.")
    return out


def _count(conn: sa.Connection, table: sa.Table, col: sa.Column, value: str) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table).where(col == value)).scalar_one())


def _existing(conn: sa.Connection, ids: list[str]) -> dict[str, dict]:
    found = conn.execute(sa.select(schema.measures).where(schema.measures.c.id.in_(ids))).mappings().all()
    out = {r["id"]: dict(r) for r in found}
    missing = [i for i in ids if i not in out]
    if missing:
        raise CatalogError([f"There is no measure {i[:100]!r}." for i in missing])
    return out


def state_of(m: dict) -> str:
    return "retired" if m.get("retired_at") is not None else str(m["state"])


def add_measure(url: str | None, measure_id: str, fields: dict, *, actor: access.Actor) -> str:
    """Create a measure as a draft. `fields` needs name, kind and frequency; the rest is optional."""
    access.ensure_allowed(actor, "edit-catalog")
    errors: list[str] = []
    mid = measure_id.strip() if isinstance(measure_id, str) else measure_id
    if not isinstance(mid, str) or not mid or len(mid) > MEASURE_ID_MAX or id_field(mid[:64], "Measure id", []) is None:
        errors.append(f"Measure id {str(measure_id)[:70]!r} is not an id: use lower-case letters, digits and "
                      "hyphens, e.g. households-stable-housing.")
    for key in ("name", "kind", "frequency"):
        if fields.get(key) in (None, ""):
            errors.append(f"A new measure needs a {key}.")
    with db.writer(url) as conn:
        values = _values(conn, fields, errors)
        if isinstance(mid, str) and row(conn, schema.measures, id=mid):
            errors.append(f"A measure {mid!r} already exists.")
        raise_if(errors)
        values.setdefault("direction", "higher")
        values.setdefault("is_public", False)
        values.setdefault("rollup", compare.rollup_method(values.get("unit"), values.get("kind")))
        stamp = now()
        conn.execute(sa.insert(schema.measures).values(id=mid, state="draft", created_at=stamp, updated_at=stamp,
                                                       **values))
        _record(conn, actor, "measure-create", "measure", mid, {"new": values})
    return mid


def edit_measure(url: str | None, measure_id: str, fields: dict, *, based_on: str | None = None,
                 actor: access.Actor) -> dict:
    """Change any metadata field (goal included). `based_on`: the version the form was drawn from;
    if the measure changed since (another editor, an upload), StaleEdit and nothing is written.
    Unassigning the goal of a published measure is refused (unpublish it first). Returns {field: [old, new]}."""
    access.ensure_allowed(actor, "edit-catalog")
    errors: list[str] = []
    with db.writer(url) as conn:
        old = _existing(conn, [measure_id])[measure_id]
        values = _values(conn, fields, errors, measure_id)
        if "goal_id" in values and values["goal_id"] is None and state_of(old) == "published":
            errors.append(f"Measure '{old['name']}' is published, so it needs a goal; unpublish it first.")
        if "unit" in values or "kind" in values:
            values.setdefault("rollup", compare.rollup_method(values.get("unit", old["unit"]),
                                                              values.get("kind", old["kind"])))
        raise_if(errors)
        check_fresh(conn, f"Measure '{old['name']}'", "measure", measure_id, old["updated_at"], based_on)
        changed = diff(old, values)
        if changed:
            conn.execute(sa.update(schema.measures).where(schema.measures.c.id == measure_id)
                         .values(updated_at=now(), **{k: values[k] for k in changed}))
            _record(conn, actor, "measure-edit", "measure", measure_id, {"changed": changed})
    return changed


def _set_state(url: str | None, ids: list[str], action: str, actor: access.Actor) -> list[str]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise CatalogError("Name at least one measure.")
    with db.writer(url) as conn:
        ms = _existing(conn, ids)
        errors = []
        for mid in ids:
            m = ms[mid]
            if action == "publish":
                if m["goal_id"] is None or row(conn, schema.goals, id=m["goal_id"]) is None:
                    errors.append(f"Measure '{m['name']}' ({mid}) has no goal: assign it to a goal before publishing "
                                  "(`measures set ID --goal GOAL`).")
                if m["retired_at"] is not None:
                    errors.append(f"Measure '{m['name']}' ({mid}) is retired: restore it before publishing.")
        raise_if(errors)
        changed = []
        stamp = now()
        for mid in ids:
            m = ms[mid]
            before = state_of(m)
            if action == "publish":
                new = {"state": "published"}
            elif action == "unpublish":
                new = {"state": "draft"}
            elif action == "retire":
                new = {"state": "draft", "retired_at": stamp, "retired_by": actor.name}
            else:  # restore
                new = {"state": "draft", "retired_at": None, "retired_by": None}
            after = "retired" if action == "retire" else "draft" if action in ("unpublish", "restore") else "published"
            if before == after:
                continue
            conn.execute(sa.update(schema.measures).where(schema.measures.c.id == mid).values(updated_at=stamp, **new))
            _record(conn, actor, f"measure-{action}", "measure", mid, {"changed": {"state": [before, after]}})
            changed.append(mid)
    return changed


def publish_measures(url: str | None, ids: list[str], *, actor: access.Actor) -> list[str]:
    """Publish measures (all or none): each needs a goal. Returns the ids whose state changed."""
    access.ensure_allowed(actor, "publish-measure")
    return _set_state(url, ids, "publish", actor)


def unpublish_measures(url: str | None, ids: list[str], *, actor: access.Actor) -> list[str]:
    """Back to draft: out of scoring and public outputs, still visible to staff."""
    access.ensure_allowed(actor, "publish-measure")
    return _set_state(url, ids, "unpublish", actor)


def retire_measures(url: str | None, ids: list[str], *, actor: access.Actor) -> list[str]:
    """Retire: kept with its history for staff, hidden from scoring and every public output."""
    access.ensure_allowed(actor, "retire-measure")
    return _set_state(url, ids, "retire", actor)


def restore_measures(url: str | None, ids: list[str], *, actor: access.Actor) -> list[str]:
    """Undo a retirement: the measure comes back as a draft (publish it again to count)."""
    access.ensure_allowed(actor, "retire-measure")
    return _set_state(url, ids, "restore", actor)


def references(conn: sa.Connection, measure_id: str) -> dict[str, int]:
    """What refers to a measure (rows per kind); deleting is refused while any is non-zero."""
    o, t, ln = schema.observations, schema.targets, schema.links
    refs = {"observations": _count(conn, o, o.c.measure_id, measure_id),
            "targets": _count(conn, t, t.c.measure_id, measure_id),
            "links": int(conn.execute(sa.select(sa.func.count()).select_from(ln).where(
                sa.or_(ln.c.output_measure_id == measure_id, ln.c.outcome_measure_id == measure_id))).scalar_one()),
            "narratives": _count(conn, schema.narratives, schema.narratives.c.measure_id, measure_id),
            "annotations": _count(conn, schema.annotations, schema.annotations.c.measure_id, measure_id),
            "WWC evidence items": _count(conn, schema.wwc_evidence, schema.wwc_evidence.c.ref, f"measure:{measure_id}"),
            "upload revisions": _count(conn, schema.observation_revisions, schema.observation_revisions.c.measure_id,
                                       measure_id)}
    return {k: v for k, v in refs.items() if v}


def delete_measures(url: str | None, ids: list[str], *, actor: access.Actor) -> list[str]:
    """Delete measures nothing refers to (a mistake, a typo'd id); all or none. Anything with data,
    targets, links, narratives, annotations, evidence or upload history is refused: retire it instead."""
    access.ensure_allowed(actor, "delete-measure")
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise CatalogError("Name at least one measure.")
    with db.writer(url) as conn:
        ms = _existing(conn, ids)
        errors = []
        for mid in ids:
            refs = references(conn, mid)
            if refs:
                what = ", ".join(f"{n:,} {k}" for k, n in refs.items())
                errors.append(f"Measure {mid!r} can't be deleted: {what} refer to it. Retire it instead "
                              "(kept for history, hidden from scoring and the public).")
        raise_if(errors)
        for mid in ids:
            conn.execute(sa.delete(schema.measures).where(schema.measures.c.id == mid))
            _record(conn, actor, "measure-delete", "measure", mid,
                    {"old": {k: ms[mid][k] for k in ("name", "kind", "goal_id", "state")}})
    return ids
