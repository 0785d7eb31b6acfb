"""Stored scores benchmark: `rollups.refresh(conn, None)` and `rollup.score_rows` on the large city.

    python -m bench.rollups --db PATH [--src /tmp/large.duckdb] [--runs 3]

Every write (ingest, rollback, catalog edits, the demo build, migration 11) recomputes the
`measure_scores` rows of the measures it touched, so a full refresh is what an upload of every
measure pays. The baseline, timed in the same run and on the same frames, is the row-by-row
score_rows the vectorised one replaced (tests/test_rollups.py:score_rows_by_row: one target
lookup, measure_status, score_ratio and pct per aggregate row); the full refresh is timed with
production score_rows and again with the baseline swapped in, alternately, so a busy shared
machine slows both alike. The score_rows results are checked equal (assert_frame_equal) first.

--src (default /tmp/large.duckdb, built by `bench.overview --keep`) is copied to --db, never
written; --db is rewritten by every refresh (each run commits, as a write would).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from metrics.domain import rollup
from metrics.store import db, rollups, schema
from tests.test_rollups import score_rows_by_row


def frames(url: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What refresh reads, for every measure at once: measures, aggregate observations, targets."""
    m, o, t = schema.measures, schema.observations, schema.targets
    with db.reader(url) as conn:
        measures = rollups._frame(conn, sa.select(m.c.id, m.c.direction))
        obs = rollups._frame(conn, sa.select(o.c.measure_id, o.c.period, o.c.period_end, o.c.value)
                             .where(o.c.dimension == "", o.c.value.is_not(None)))
        targets = rollups._frame(conn, sa.select(t.c.measure_id, t.c.effective_from, t.c.effective_to, t.c.value,
                                                 t.c.tolerance).order_by(t.c.measure_id, t.c.effective_from, t.c.id))
    return measures, obs, targets


def seconds(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def full_refresh(url: str, score_rows: Callable) -> int:
    """One write's worth: refresh every measure in a committed transaction, with `score_rows` in use."""
    kept = rollup.score_rows
    rollup.score_rows = score_rows  # the bench's own swap; production code has no hook for it
    try:
        with db.writer(url) as conn:
            return rollups.refresh(conn, None)
    finally:
        rollup.score_rows = kept


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True, help="a path of your own: the copy that is written")
    ap.add_argument("--src", default="/tmp/large.duckdb", help="the large city, copied to --db when --db is missing")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    path = Path(args.db)
    if path.resolve() == Path(args.src).resolve():
        raise SystemExit("--db must not be --src: the copy is written")
    if not path.exists():
        shutil.copyfile(args.src, path)
    url = f"duckdb:///{path}"
    measures, obs, targets = frames(url)
    print(f"{len(measures):,} measures, {len(obs):,} aggregate rows, {len(targets):,} targets")

    ours = rollup.score_rows(measures, obs, targets)
    pd.testing.assert_frame_equal(ours, score_rows_by_row(measures, obs, targets))
    print(f"score_rows equals the row-by-row reference ({len(ours):,} rows)")

    rows = {"ours": [], "row-by-row": []}
    for _ in range(args.runs):
        rows["ours"].append(seconds(lambda: rollup.score_rows(measures, obs, targets)))
        rows["row-by-row"].append(seconds(lambda: score_rows_by_row(measures, obs, targets)))
    full = {"ours": [], "row-by-row": []}
    for _ in range(args.runs):
        full["ours"].append(seconds(lambda: full_refresh(url, rollup.score_rows)))
        full["row-by-row"].append(seconds(lambda: full_refresh(url, score_rows_by_row)))

    for title, got in (("score_rows alone", rows), ("refresh(conn, None), committed", full)):
        o, b = statistics.median(got["ours"]), statistics.median(got["row-by-row"])
        print(f"{title:32s} ours median {o:7.3f}s (best {min(got['ours']):.3f})  "
              f"row-by-row median {b:7.3f}s (best {min(got['row-by-row']):.3f})  "
              f"row-by-row / ours = {b / o:.1f}x  (n={args.runs})")


if __name__ == "__main__":
    main()
