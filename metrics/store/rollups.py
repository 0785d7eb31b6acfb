"""Keeps `measure_scores` (schema v11) equal to what scoring would compute from scratch.

Every write that can change a measure's judged periods calls `refresh(conn, measure_ids)` in its
own transaction, after its changes and before it commits: ingest (values and targets), rollback,
catalog edits of measures and targets, the demo builder and the v11 migration (every measure).
The rows are recomputed from the measures' aggregate observations and targets by
metrics.domain.rollup.score_rows, so a cold Overview reads one stored row per measure and
period of its window instead of replaying every observation.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from metrics.domain import rollup
from metrics.store import meta, schema

_CHUNK = 500  # ids per IN list


def _ids(conn: sa.Connection, measure_ids: Iterable[str] | None) -> list[str]:
    if measure_ids is None:
        return [str(i) for i in conn.execute(sa.select(schema.measures.c.id)).scalars()]
    return sorted({str(i) for i in measure_ids if i is not None})


def _frame(conn: sa.Connection, stmt: sa.Select) -> pd.DataFrame:
    result = conn.execute(stmt)
    cols = list(result.keys())
    return pd.DataFrame([tuple(r) for r in result], columns=cols)  # tuples: Row objects cost a lookup per cell


def refresh(conn: sa.Connection, measure_ids: Iterable[str] | None) -> int:
    """Recompute the stored score rows of `measure_ids` (None: every measure); returns rows written.

    A measure that no longer exists (deleted, or a draft an upload created and a rollback
    removed) loses its rows. Runs inside the caller's transaction.
    """
    ids = _ids(conn, measure_ids)
    s, o, m, t = schema.measure_scores, schema.observations, schema.measures, schema.targets
    written = 0
    for k in range(0, len(ids), _CHUNK):
        chunk = ids[k:k + _CHUNK]
        conn.execute(sa.delete(s).where(s.c.measure_id.in_(chunk)))
        measures = _frame(conn, sa.select(m.c.id, m.c.direction).where(m.c.id.in_(chunk)))
        if measures.empty:
            continue
        obs = _frame(conn, sa.select(o.c.measure_id, o.c.period, o.c.period_end, o.c.value)
                     .where(o.c.measure_id.in_(chunk), o.c.dimension == "", o.c.value.is_not(None)))
        targets = _frame(conn, sa.select(t.c.measure_id, t.c.effective_from, t.c.effective_to, t.c.value,
                                         t.c.tolerance).where(t.c.measure_id.in_(chunk))
                         .order_by(t.c.measure_id, t.c.effective_from, t.c.id))
        rows = rollup.score_rows(measures, obs, targets)
        if rows.empty:
            continue
        written += meta.bulk_insert(conn, "measure_scores", pa.Table.from_pandas(rows, preserve_index=False))
    return written
