"""Output → outcome links with the expected lag in periods ("more of this output should move that
outcome N periods later"). A link can't make an outcome feed itself: not directly (A → A), and not
through other links (A → B when B already feeds A, directly or further back)."""

from __future__ import annotations

import sqlalchemy as sa

from metrics import access
from metrics.catalog._common import CatalogError, _record, raise_if, row, text_field
from metrics.store import db, schema

MAX_LAG = 60


def _feeds(conn: sa.Connection) -> dict[str, set[str]]:
    ln = schema.links
    out: dict[str, set[str]] = {}
    for a, b in conn.execute(sa.select(ln.c.output_measure_id, ln.c.outcome_measure_id)).all():
        out.setdefault(a, set()).add(b)
    return out


def _path(feeds: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    """A chain of links start → … → goal, if there is one (breadth first)."""
    seen, frontier = {start}, [[start]]
    while frontier:
        nxt = []
        for chain in frontier:
            for b in sorted(feeds.get(chain[-1], ())):
                if b == goal:
                    return [*chain, b]
                if b not in seen:
                    seen.add(b)
                    nxt.append([*chain, b])
        frontier = nxt
    return None


def add_link(url: str | None, output_id: str, outcome_id: str, lag: object = 0, note: str | None = None, *,
             actor: access.Actor) -> dict:
    """Link an output to the outcome it should move (or change the lag/note of an existing link)."""
    access.ensure_allowed(actor, "edit-catalog")
    errors: list[str] = []
    try:
        lag_n = int(str(lag).strip()) if not isinstance(lag, int) else lag
        if not 0 <= lag_n <= MAX_LAG:
            errors.append(f"The lag must be between 0 and {MAX_LAG} periods.")
    except ValueError:
        errors.append(f"The lag {str(lag)[:20]!r} is not a whole number of periods.")
        lag_n = 0
    why = text_field(note, "The note", errors, 500)
    with db.writer(url) as conn:
        ends = {}
        for label, mid in (("output", output_id), ("outcome", outcome_id)):
            ends[label] = row(conn, schema.measures, id=mid)
            if ends[label] is None:
                errors.append(f"There is no measure {str(mid)[:100]!r} (the {label}).")
        raise_if(errors)
        if output_id == outcome_id:
            raise CatalogError(f"'{ends['output']['name']}' can't feed itself: pick a different output.")
        loop = _path(_feeds(conn), outcome_id, output_id)
        if loop:
            raise CatalogError(f"Linking {output_id} → {outcome_id} would make {outcome_id} feed itself "
                               f"({' → '.join([*loop, outcome_id])}). Nothing was linked.")
        if ends["outcome"]["kind"] != "outcome":
            raise CatalogError(f"'{ends['outcome']['name']}' is an {ends['outcome']['kind']} measure, not an outcome: "
                               "link an output to the outcome it should move.")
        ln = schema.links
        old = row(conn, ln, output_measure_id=output_id, outcome_measure_id=outcome_id)
        if old is not None:
            if old["lag_periods"] == lag_n and (old["note"] or None) == why:
                return {"created": False, "changed": {}}
            conn.execute(sa.update(ln).where(ln.c.output_measure_id == output_id, ln.c.outcome_measure_id == outcome_id)
                         .values(lag_periods=lag_n, note=why))
            changed = {"lag_periods": [old["lag_periods"], lag_n], "note": [old["note"], why]}
            _record(conn, actor, "link-edit", "link", f"{output_id}->{outcome_id}", {"changed": changed})
            return {"created": False, "changed": changed}
        conn.execute(sa.insert(ln).values(output_measure_id=output_id, outcome_measure_id=outcome_id, lag_periods=lag_n,
                                          note=why))
        _record(conn, actor, "link-add", "link", f"{output_id}->{outcome_id}", {"new": {"lag_periods": lag_n,
                                                                                       "note": why}})
    return {"created": True, "changed": {"lag_periods": [None, lag_n]}}


def remove_link(url: str | None, output_id: str, outcome_id: str, *, actor: access.Actor) -> bool:
    """Remove a link; returns False (nothing changed) when there was none."""
    access.ensure_allowed(actor, "edit-catalog")
    ln = schema.links
    with db.writer(url) as conn:
        old = row(conn, ln, output_measure_id=output_id, outcome_measure_id=outcome_id)
        if old is None:
            return False
        conn.execute(sa.delete(ln).where(ln.c.output_measure_id == output_id, ln.c.outcome_measure_id == outcome_id))
        _record(conn, actor, "link-remove", "link", f"{output_id}->{outcome_id}",
                {"old": {"lag_periods": old["lag_periods"], "note": old["note"]}})
    return True
