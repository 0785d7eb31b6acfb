"""Undo an upload: every value it wrote goes back to exactly what it was before.

Observations the upload created are deleted, the ones it changed get their old values
(and old upload id) back from `observation_revisions`, and targets it set are restored
from `target_history`. If a later committed upload changed any of the same observations,
the rollback is refused and names that upload: roll it back first. One transaction.
"""

from __future__ import annotations

import sqlalchemy as sa

from metrics import access
from metrics.errors import MetricsError
from metrics.publish import hooks as publish_hooks
from metrics.store import db, meta, queries, schema

from .commit import upload_reason


class RollbackRefused(MetricsError):  # noqa: N818 - a refusal with a message for a person
    """The upload can't be rolled back; the message says why and what to do."""


def _run(conn: sa.Connection, name: str, **params) -> sa.CursorResult:
    return conn.execute(sa.text(queries.sql_text(name)), params)


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
        if row.layout == "registry":
            raise RollbackRefused(f"upload #{upload_id} is a measure registry; load the previous registry "
                                  "file instead")
        later = _run(conn, "ingest_rollback_conflicts", upload_id=upload_id).all()
        if later:
            names = ", ".join(f"#{r.later_upload_id} ({r.n:,} values)" for r in later)
            raise RollbackRefused(
                f"upload #{upload_id} can't be rolled back: a later upload changed the same values again: "
                f"{names}. Roll back upload #{later[-1].later_upload_id} first.")
        now = meta.now()
        deleted = _run(conn, "ingest_rollback_delete", upload_id=upload_id).rowcount
        restored = _run(conn, "ingest_rollback_restore", upload_id=upload_id, at=now).rowcount
        reason, undo = upload_reason(upload_id, row.file_name), f"rollback of upload #{upload_id}"
        _run(conn, "ingest_rollback_targets_history", reason=reason, rollback_reason=undo, actor=user, at=now)
        _run(conn, "ingest_rollback_targets", reason=reason, rollback_reason=undo, actor=user, at=now)
        _run(conn, "ingest_rollback_targets_delete", reason=reason)
        conn.execute(sa.update(u).where(u.c.id == upload_id).values(status="rolled_back", rolled_back_at=now,
                                                                      rolled_back_by=user))
        meta.bump_data_version(conn)
        meta.audit(conn, user, "upload-rollback", "upload", str(upload_id),
                    {"deleted": deleted, "restored": restored})
    return f"upload #{upload_id} rolled back: {deleted:,} values removed, {restored:,} restored"
