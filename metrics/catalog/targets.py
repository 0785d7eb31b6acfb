"""Targets set by hand: value, tolerance, effective from a period, the reason and who; history kept.

A target is set "from PERIOD" in the measure's own frequency (a quarterly measure takes 2026-Q1,
not 2026-03): the period a target starts in must be one the measure reports. The new target is
open-ended; an earlier target still running at that date is closed the day before, so the target
history reads as a sequence. Every change writes a target_history row (old → new, who, when, why)
and an audit row. A form passes `based_on` (the measure's target version): if someone else
changed this measure's targets since, the save is refused.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from metrics import access
from metrics.catalog._common import (
    _record,
    check_fresh,
    measure_period,
    measure_row,
    now,
    number_field,
    raise_if,
    text_field,
    version_of,
)
from metrics.store import db, meta, schema

REASON_MAX_CHARS = 500


def targets_version(conn: sa.Connection, measure_id: str) -> str:
    """The version of one measure's targets: the latest time any of them was set."""
    t = schema.targets
    return version_of(conn.execute(sa.select(sa.func.max(t.c.set_at)).where(t.c.measure_id == measure_id)).scalar())


def parse_tolerance(value: object, errors: list[str]) -> float | None:
    """A tolerance as a share of the target: 0.05 or '5%'."""
    if isinstance(value, str) and value.strip().endswith("%"):
        n = number_field(value.strip()[:-1], "The tolerance", errors)
        n = None if n is None else n / 100
    else:
        n = number_field(value, "The tolerance", errors)
    if n is not None and not 0 <= n <= 1:
        errors.append(f"The tolerance {value!r} must be between 0 and 1 (a share of the target, e.g. 0.05 or 5%).")
    return n


def set_target(url: str | None, measure_id: str, from_period: str, value: object, *, reason: str,
               tolerance: object = None, based_on: str | None = None, actor: access.Actor) -> dict:
    """Set the target in force from `from_period` on; returns {"target_id", "changed", "closed", "later"}."""
    access.ensure_allowed(actor, "set-target")
    errors: list[str] = []
    number = number_field(value, "The target value", errors, required=True)
    tol = parse_tolerance(tolerance, errors) if tolerance not in (None, "") else None
    why = text_field(reason, "The reason", errors, REASON_MAX_CHARS, required=True)
    with db.writer(url) as conn:
        m = measure_row(conn, measure_id)
        fsm = int(meta.get_meta(conn, "fiscal_start_month", "7") or 7)
        p = measure_period(from_period, m, fsm, errors)
        raise_if(errors)
        start = p.start
        check_fresh(conn, f"The targets of '{m['name']}'", "target", measure_id,
                    targets_version(conn, measure_id), based_on)
        t, h = schema.targets, schema.target_history
        stamp = now()
        same = conn.execute(sa.select(t).where(t.c.measure_id == measure_id, t.c.effective_from == start)
                            .order_by(t.c.id.desc()).limit(1)).mappings().first()
        closed = []
        if same is not None:
            new_tol = float(same["tolerance"]) if tol is None else tol
            if float(same["value"]) == number and float(same["tolerance"]) == new_tol:
                return {"target_id": same["id"], "changed": {}, "closed": [], "later": []}
            conn.execute(sa.update(t).where(t.c.id == same["id"]).values(value=number, tolerance=new_tol,
                                                                          set_by=actor.name, set_at=stamp, reason=why))
            target_id, old_value, old_tol = same["id"], float(same["value"]), float(same["tolerance"])
        else:
            new_tol = 0.05 if tol is None else tol
            running = conn.execute(sa.select(t.c.id, t.c.effective_from).where(
                t.c.measure_id == measure_id, t.c.effective_from < start,
                sa.or_(t.c.effective_to.is_(None), t.c.effective_to >= start))).all()
            for r in running:
                conn.execute(sa.update(t).where(t.c.id == r.id).values(effective_to=start - timedelta(days=1)))
                closed.append(r.effective_from.isoformat())
            target_id = conn.execute(sa.insert(t).values(
                measure_id=measure_id, effective_from=start, effective_to=None, value=number, tolerance=new_tol,
                set_by=actor.name, set_at=stamp, reason=why).returning(t.c.id)).scalar_one()
            old_value = old_tol = None
        conn.execute(sa.insert(h).values(target_id=target_id, measure_id=measure_id, changed_by=actor.name,
                                         changed_at=stamp, reason=why, old_value=old_value, new_value=number,
                                         old_tolerance=old_tol, new_tolerance=new_tol,
                                         old_effective_from=same["effective_from"] if same is not None else None,
                                         new_effective_from=start))
        later = [d.isoformat() for d in conn.execute(sa.select(t.c.effective_from).where(
            t.c.measure_id == measure_id, t.c.effective_from > start).order_by(t.c.effective_from)).scalars()]
        changed = {"value": [old_value, number], "tolerance": [old_tol, new_tol]}
        _record(conn, actor, "target-set", "target", measure_id,
                {"from": str(from_period), "reason": why, "changed": changed, "closed": closed})
    return {"target_id": int(target_id), "changed": changed, "closed": closed, "later": later}
