"""Undo an upload: the database goes back to exactly what it held before, or nothing changes.

A data upload is undone whole: observations it changed get their old values (and old upload
id) back from `observation_revisions`, the ones it first inserted (they carry its upload id)
are deleted, and the targets, draft measures and remembered mapping it created or changed are
put back from its ledger (`upload_changes`, see changes.py). A registry upload puts back the
measure rows it created or changed the same way.

The rollback refuses, naming what and changing nothing, when something else now depends on
what it would undo: a later committed upload changed the same values or rows (roll that back
first), a measure or target was changed since (published, given a goal, a target set again),
or a measure it created is referenced by another upload's values, a target it did not set, a
link, certification evidence, a narrative or an annotation. One transaction, inside the writer lock.
"""

from __future__ import annotations

import sqlalchemy as sa

from metrics import access
from metrics.errors import MetricsError
from metrics.publish import hooks as publish_hooks
from metrics.store import db, meta, queries, rollups, schema

from . import changes
from .commit import upload_reason

_SHOWN = 5  # reasons listed in a refusal; the rest are counted


class RollbackRefused(MetricsError):  # noqa: N818 - a refusal with a message for a person
    """The upload can't be rolled back; the message says why and what to do."""


def _run(conn: sa.Connection, name: str, **params) -> sa.CursorResult:
    return conn.execute(sa.text(queries.sql_text(name)), params)


def _later(conn: sa.Connection, upload_id: int) -> list[tuple[int, int]]:
    found: dict[int, int] = {}
    for q in ("ingest_rollback_conflicts", "ingest_rollback_change_conflicts"):
        for r in _run(conn, q, upload_id=upload_id).all():
            found[int(r.later_upload_id)] = found.get(int(r.later_upload_id), 0) + int(r.n)
    return sorted(found.items())


_WHAT = {"measures": "measure", "targets": "target", "column_mappings": "remembered mapping"}


def _label(conn: sa.Connection, entry: sa.Row) -> str:
    if entry.table_name == "targets":
        t = schema.targets
        row = conn.execute(sa.select(t.c.measure_id, t.c.effective_from).where(t.c.id == int(entry.row_key))).first()
        return f"the target of {row.measure_id} from {row.effective_from}" if row else f"target #{entry.row_key}"
    return f"{_WHAT[entry.table_name]} {entry.row_key}"


def _obstacles(conn: sa.Connection, upload_id: int, ledger: list[sa.Row]) -> list[str]:
    """Why this rollback can't run (empty: it can)."""
    out = []
    for entry in ledger:
        diff = changes.changed_since(conn, entry)
        if diff is None and entry.old_row is not None:
            out.append(f"{_label(conn, entry)} was deleted since")
        elif diff:
            out.append(f"{_label(conn, entry)} was changed since ({', '.join(diff)})")
    for r in _run(conn, "ingest_rollback_measure_refs", upload_id=upload_id).all():
        n = int(r.n)
        if r.what == "values":
            src = f"upload #{r.other}" if r.other is not None else "outside any upload"
            out.append(f"measure {r.measure_id} has {n:,} values from {src}")
        elif r.what == "target":
            out.append(f"measure {r.measure_id} has {n:,} target{'s' * (n != 1)} set by {r.other or 'someone else'}")
        elif r.what == "link":
            out.append(f"measure {r.measure_id} is linked to {r.other}")
        elif r.what == "evidence":
            out.append(f"measure {r.measure_id} is evidence for criterion {r.other}")
        else:
            out.append(f"measure {r.measure_id} has {n:,} {r.what}{'s' * (n != 1)}")
    return out


def _refuse_if_blocked(conn: sa.Connection, upload_id: int, ledger: list[sa.Row]) -> None:
    later = _later(conn, upload_id)
    if later:
        names = ", ".join(f"#{u} ({n:,} values or rows)" for u, n in later)
        raise RollbackRefused(
            f"upload #{upload_id} can't be rolled back: a later upload changed the same values again: "
            f"{names}. Roll back upload #{later[-1][0]} first.")
    why = _obstacles(conn, upload_id, ledger)
    if why:
        more = f"; and {len(why) - _SHOWN:,} more" if len(why) > _SHOWN else ""
        raise RollbackRefused(f"upload #{upload_id} can't be rolled back, nothing was changed: "
                              f"{'; '.join(why[:_SHOWN])}{more}.")


@publish_hooks.after_commit  # rebuild the static public site when publish_dir is set
def rollback(upload_id: int, url: str | None = None, *, actor: access.Actor) -> str:
    """Roll back one committed upload; returns a one-line summary or raises RollbackRefused.

    `actor` is required and must have rollback-upload (access.Forbidden otherwise, before the
    database is opened); its name is recorded as who rolled back and in the audit log.
    """
    access.ensure_allowed(actor, "rollback-upload")
    user = actor.name
    u = schema.uploads
    with db.writer(url) as conn:
        row = conn.execute(sa.select(u.c.id, u.c.status, u.c.layout, u.c.file_name).where(u.c.id == upload_id)).first()
        if row is None:
            raise RollbackRefused(f"there is no upload #{upload_id}")
        if row.status != "committed":
            raise RollbackRefused(f"upload #{upload_id} ({row.file_name}) is already {row.status.replace('_', ' ')}")
        ledger = changes.entries(conn, upload_id)
        recorded = upload_id >= int(meta.get_meta(conn, changes.LEDGER_FROM, "0") or 0)
        if row.layout == "registry" and not recorded:
            raise RollbackRefused(f"upload #{upload_id} is a measure registry loaded before uploads recorded "
                                  "what they changed; load the previous registry file instead")
        _refuse_if_blocked(conn, upload_id, ledger)
        now = meta.now()
        reason, undo = upload_reason(upload_id, row.file_name), f"rollback of upload #{upload_id}"
        touched = _run(conn, "ingest_rollback_touched", upload_id=upload_id, reason=reason).scalars().all()
        restored = _run(conn, "ingest_rollback_restore", upload_id=upload_id, at=now, exact=recorded).rowcount
        deleted = _run(conn, "ingest_rollback_delete", upload_id=upload_id).rowcount
        _run(conn, "ingest_rollback_targets_history", reason=reason, rollback_reason=undo, actor=user, at=now)
        if not recorded:  # uploads from before the ledger: targets found by their reason
            _run(conn, "ingest_rollback_targets", reason=reason, rollback_reason=undo, actor=user, at=now)
            _run(conn, "ingest_rollback_targets_delete", reason=reason)
        order = {"targets": 0, "column_mappings": 1, "measures": 2}  # measures last: nothing refers to them then
        for entry in sorted(ledger, key=lambda e: order[e.table_name]):
            changes.put_back(conn, entry)
        undone = {k: sum(e.table_name == t for e in ledger) for k, t in
                  (("measures", "measures"), ("targets", "targets"), ("mappings", "column_mappings"))}
        conn.execute(sa.update(u).where(u.c.id == upload_id).values(status="rolled_back", rolled_back_at=now,
                                                                      rolled_back_by=user))
        rollups.refresh(conn, touched)
        meta.bump_data_version(conn)
        meta.audit(conn, user, "upload-rollback", "upload", str(upload_id),
                   {"deleted": deleted, "restored": restored, **undone})
    created = sum(e.table_name == "measures" and e.old_row is None for e in ledger)
    put = sum(e.table_name == "measures" and e.old_row is not None for e in ledger)
    extra = "".join([f", {created:,} draft measures removed" if created else "",
                     f", {put:,} measures restored" if put else ""])
    return f"upload #{upload_id} rolled back: {deleted:,} values removed, {restored:,} restored{extra}"

