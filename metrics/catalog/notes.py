"""Narratives per measure and period ("why it moved, what we are doing") and dated annotations.

A narrative is Markdown as the editor typed it: stored as written, rendered through
domain.text.markdown() (raw HTML shown as text, javascript:/data: links and images made inert),
and the editor is told what will be neutralised. An annotation is a short note on a date; every
chart of the measure draws it as a marker, and the Outcomes story lists it.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from metrics import access
from metrics.catalog._common import (
    TEXT_MAX_CHARS,
    _record,
    check_fresh,
    date_field,
    measure_period,
    measure_row,
    now,
    raise_if,
    row,
    text_field,
)
from metrics.domain import text
from metrics.store import db, meta, schema

ANNOTATION_MAX_CHARS = 200


def set_narrative(url: str | None, measure_id: str, period: str, body: str, *, based_on: str | None = None,
                  actor: access.Actor) -> dict:
    """Write (or, with empty text, remove) the narrative of one measure and period.

    `period` must be a period of the measure's frequency. `based_on`: the narrative's version when the
    form was drawn ('' for "there was none"); if it changed since, StaleEdit. Returns
    {"changed": bool, "removed": bool, "warnings": [what rendering will neutralise]}.
    """
    access.ensure_allowed(actor, "write-narrative")
    with db.writer(url) as conn:
        return write_narrative(conn, measure_id, period, body, based_on=based_on, actor=actor)


def write_narrative(conn: sa.Connection, measure_id: str, period: str, body: str | None, *,
                    based_on: str | None = None, actor: access.Actor) -> dict:
    """set_narrative inside the caller's transaction, so a typed value and its narrative are one change
    (catalog.entry): a rejected narrative rolls the value back with it."""
    access.ensure_allowed(actor, "write-narrative")
    errors: list[str] = []
    clean = text_field(body, "The narrative", errors, TEXT_MAX_CHARS) if body is not None else None
    m = measure_row(conn, measure_id)
    fsm = int(meta.get_meta(conn, "fiscal_start_month", "7") or 7)
    measure_period(period, m, fsm, errors)
    raise_if(errors)
    n = schema.narratives
    old = row(conn, n, measure_id=measure_id, period=str(period))
    check_fresh(conn, f"The narrative of '{m['name']}' for {period}", "narrative", f"{measure_id}@{period}",
                old["updated_at"] if old else None, based_on)
    key = (n.c.measure_id == measure_id, n.c.period == str(period))
    if clean is None:
        if old is None:
            return {"changed": False, "removed": False, "warnings": []}
        conn.execute(sa.delete(n).where(*key))
        _record(conn, actor, "narrative-remove", "narrative", f"{measure_id}@{period}", {"old": old["body"]})
        return {"changed": True, "removed": True, "warnings": []}
    if old is not None and old["body"] == clean:
        return {"changed": False, "removed": False, "warnings": text.markdown_problems(clean)}
    stamp = now()
    if old is None:
        conn.execute(sa.insert(n).values(measure_id=measure_id, period=str(period), body=clean,
                                         updated_by=actor.name, updated_at=stamp))
    else:
        conn.execute(sa.update(n).where(*key).values(body=clean, updated_by=actor.name, updated_at=stamp))
    _record(conn, actor, "narrative-set", "narrative", f"{measure_id}@{period}",
            {"changed": {"body": [old["body"] if old else None, clean]}})
    return {"changed": True, "removed": False, "warnings": text.markdown_problems(clean)}


def annotate_measure(url: str | None, measure_id: str, on_date: date | str, body: str, *,
                   actor: access.Actor) -> int:
    """A dated note on a measure ("new intake centre opened"); returns its id."""
    access.ensure_allowed(actor, "write-narrative")
    errors: list[str] = []
    when = date_field(on_date, "The date", errors)
    if when is None and not errors:
        errors.append("An annotation needs a date (YYYY-MM-DD).")
    note = text_field(body, "The annotation", errors, ANNOTATION_MAX_CHARS, required=True)
    with db.writer(url) as conn:
        measure_row(conn, measure_id)
        raise_if(errors)
        a = schema.annotations
        new_id = conn.execute(sa.insert(a).values(measure_id=measure_id, on_date=when, body=note,
                                                  created_by=actor.name, created_at=now()).returning(a.c.id)).scalar_one()
        _record(conn, actor, "annotation-add", "annotation", str(new_id),
                {"new": {"measure_id": measure_id, "on_date": when, "body": note}})
    return int(new_id)


def remove_annotation(url: str | None, annotation_id: int, *, actor: access.Actor) -> bool:
    access.ensure_allowed(actor, "write-narrative")
    a = schema.annotations
    with db.writer(url) as conn:
        old = row(conn, a, id=int(annotation_id))
        if old is None:
            return False
        conn.execute(sa.delete(a).where(a.c.id == int(annotation_id)))
        _record(conn, actor, "annotation-remove", "annotation", str(annotation_id),
                {"old": {"measure_id": old["measure_id"], "on_date": old["on_date"], "body": old["body"]}})
    return True
