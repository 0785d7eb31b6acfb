"""Fetch benchmark: our Arrow query path vs pd.read_sql on the same query, same run.

    python -m bench.fetch [--rows 1000000] [--pg]

Builds a synthetic city with about --rows observation rows in a temporary DuckDB file
(and, with --pg, a temporary PostgreSQL schema), then times both paths on the same
named SQL and prints the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from metrics.access.visibility import STAFF
from metrics.demo import city as demo
from metrics.store import db, meta, queries
from metrics.wwc import store as wwc_store

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def build(url: str, rows: int) -> None:
    n_measures = -(-rows // (180 * 11))  # ceil: 180 months x 11 rows per measure
    with db.writer(url, create=True) as conn:
        meta.migrate(conn)
        wwc_store.load_criteria(conn)
        demo.load(conn, demo.build_scale(n_measures=n_measures))


def best_of(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def compare(url: str, rows: int, repeat: int) -> float:
    sql = STAFF.apply(queries.sql_text("fetch_bench"))
    ours_t, ours = best_of(lambda: queries.fetch("fetch_bench", STAFF, url=url), repeat)
    eng = db.engine(url)

    def baseline() -> pd.DataFrame:
        with eng.connect() as conn:
            return pd.read_sql(sa.text(sql), conn, params=STAFF.params())

    base_t, base = best_of(baseline, repeat)
    assert len(ours) == len(base) >= rows, (len(ours), len(base))
    rows = len(ours)
    ratio = base_t / ours_t
    print(f"{db.masked(url).split('?')[0]:<45} rows={rows:,}  ours={ours_t:.3f}s  pd.read_sql={base_t:.3f}s  "
          f"ratio={ratio:.1f}x  (best of {repeat})")
    return ratio


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--pg", action="store_true", help="also run against PostgreSQL at 127.0.0.1:5432/test")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"duckdb:///{Path(tmp) / 'bench.duckdb'}"
        build(url, args.rows)
        ratios = [compare(url, args.rows, args.repeat)]
        if args.pg:
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = sa.create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                c.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            try:
                pg = f"{PG_BASE}?options=-csearch_path%3D{schema}"
                build(pg, args.rows)
                ratios.append(compare(pg, args.rows, args.repeat))
            finally:
                with admin.connect() as c:
                    c.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    print(f"median ratio {statistics.median(ratios):.1f}x (goal >= 30x)")


if __name__ == "__main__":
    main()
