"""Ingest benchmark: our whole path (read + validate + preview + commit) against the limit and the naive way.

    python -m bench.ingest [--rows 1000000] [--pg]

Generates a long CSV of --rows rows for measures that already exist, then loads it into a
fresh database once per contender, each in its own subprocess so peak memory
(ru_maxrss) is per contender:

* ours          `metrics.ingest.commit.ingest` (read, validate, SQL diff, one-transaction commit)
* duckdb-native DuckDB `read_csv` + `INSERT … SELECT` into the same table (the limit)
* pandas-to_sql `pd.read_csv` + `DataFrame.to_sql` (what a user would write); timed on at most
                `--pandas-rows` rows and extrapolated linearly, as the output says
* with --pg: ours on PostgreSQL (COPY into staging) and native `COPY` + `INSERT … SELECT`.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
N_MEASURES = 100


def make_csv(path: Path, rows: int) -> None:
    per = -(-rows // N_MEASURES)
    months = pd.period_range("1990-01", periods=400, freq="M").strftime("%Y-%m").to_numpy()
    i = np.arange(rows)
    frame = pd.DataFrame({"measure_id": np.char.add("m", (i // per).astype(str)),
                          "period": months[i % 400], "dimension": "district",
                          "member": ((i % per) // 400).astype(str),
                          "value": np.round(np.random.default_rng(7).normal(100, 15, rows), 2)})
    frame.to_csv(path, index=False)


def make_db(url: str) -> None:
    import sqlalchemy as sa

    from metrics.store import db, meta, schema
    with db.writer(url, create=True) as conn:
        meta.migrate(conn)
        conn.execute(sa.insert(schema.measures), [
            dict(id=f"m{i}", name=f"Measure {i}", kind="output", direction="higher", frequency="month",
                 state="draft", is_public=False) for i in range(N_MEASURES)])


# --- contenders (each runs in a child process) ----------------------------------------------
def run_ours(url: str, path: Path, rows: int) -> dict:
    from metrics import access
    from metrics.ingest.commit import ingest
    out = ingest(path, url, actor=access.Actor("user", "bench", "editor"))
    assert out.status == "committed", out.to_summary()
    return {"loaded": out.counts["new"]}


_NATIVE_SELECT = """
    SELECT measure_id, period, 'month', CAST(period || '-01' AS DATE),
           CAST(CAST(period || '-01' AS DATE) + INTERVAL '1 month' - INTERVAL '1 day' AS DATE),
           dimension, member, value, 1
    FROM {src}"""


def run_duckdb_native(url: str, path: Path, rows: int) -> dict:
    import duckdb

    from metrics.store import db
    con = duckdb.connect(str(db.duckdb_path(url)))
    con.execute("BEGIN")
    con.execute("INSERT INTO observations (measure_id, period, grain, period_start, period_end, dimension, member, "
                "value, upload_id)" + _NATIVE_SELECT.format(
                    src="read_csv(?, header=true, all_varchar=false, types={'member': 'VARCHAR', 'period': 'VARCHAR'})"),
                [str(path)])
    con.execute("COMMIT")
    con.close()
    return {"loaded": rows}


def run_pg_native(url: str, path: Path, rows: int) -> dict:
    from metrics.store import db
    with db.writer(url) as conn:
        raw = conn.connection.driver_connection
        conn.exec_driver_sql("CREATE TEMP TABLE bench_src (measure_id text, period text, dimension text, "
                             "member text, value double precision)")
        with raw.cursor() as cur, cur.copy("COPY bench_src FROM STDIN WITH (FORMAT csv, HEADER true)") as copy, \
                path.open("rb") as f:
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        conn.exec_driver_sql("INSERT INTO observations (measure_id, period, grain, period_start, period_end, "
                             "dimension, member, value, upload_id)" + _NATIVE_SELECT.format(src="bench_src"))
    return {"loaded": rows}


def run_pandas(url: str, path: Path, rows: int) -> dict:
    from metrics.store import db
    frame = pd.read_csv(path, nrows=rows, dtype={"member": str})
    start = pd.to_datetime(frame["period"] + "-01")
    frame = frame.assign(grain="month", period_start=start.dt.date,
                         period_end=(start + pd.offsets.MonthEnd(0)).dt.date, upload_id=1)
    frame.to_sql("observations", db.engine(url), if_exists="append", index=False, chunksize=10_000)
    return {"loaded": len(frame)}


CONTENDERS = {"ours": run_ours, "duckdb-native": run_duckdb_native, "pandas-to_sql": run_pandas,
              "pg-native": run_pg_native}


def child(name: str, url: str, path: Path, rows: int) -> None:
    t0 = time.perf_counter()
    out = CONTENDERS[name](url, path, rows)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, **out}))


def measure(name: str, url: str, path: Path, rows: int) -> dict:
    make_db(url)
    proc = subprocess.run([sys.executable, "-m", "bench.ingest", "--child", name, "--url", url, "--file", str(path),
                           "--rows", str(rows)], capture_output=True, text=True, check=False)
    if proc.returncode:
        raise SystemExit(f"{name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def pg_url() -> str:
    import sqlalchemy as sa
    name = f"bench_{uuid.uuid4().hex[:10]}"
    with sa.create_engine(PG_BASE, isolation_level="AUTOCOMMIT").connect() as c:
        c.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    return f"{PG_BASE}?options=-csearch_path%3D{name}"


def drop_pg(url: str) -> None:
    import sqlalchemy as sa
    name = url.rsplit("%3D", 1)[1]
    with sa.create_engine(PG_BASE, isolation_level="AUTOCOMMIT").connect() as c:
        c.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--pandas-rows", type=int, default=100_000,
                   help="rows to time pandas+to_sql on (extrapolated linearly to --rows)")
    p.add_argument("--pg", action="store_true", help="also PostgreSQL: ours (COPY) and native COPY")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    p.add_argument("--file", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child(args.child, args.url, Path(args.file), args.rows)
        return
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        path = tmpd / "bench.csv"
        make_csv(path, args.rows)
        print(f"{args.rows:,} rows, {path.stat().st_size / 1e6:,.1f} MB CSV, {N_MEASURES} existing monthly measures")
        results = {}
        for name in ("ours", "duckdb-native"):
            results[name] = measure(name, f"duckdb:///{tmpd / (name + '.duckdb')}", path, args.rows)
        prows = min(args.pandas_rows, args.rows)
        r = measure("pandas-to_sql", f"duckdb:///{tmpd / 'pandas.duckdb'}", path, prows)
        r["measured_rows"], r["seconds_measured"] = prows, r["seconds"]
        r["seconds"] = r["seconds"] * args.rows / prows
        results["pandas-to_sql"] = r
        if args.pg:
            for name, label in (("ours", "ours-pg"), ("pg-native", "pg-native")):
                url = pg_url()
                try:
                    results[label] = measure(name, url, path, args.rows)
                finally:
                    drop_pg(url)
        ours = results["ours"]["seconds"]
        print(f"{'contender':<16}{'seconds':>10}{'rows/s':>14}{'peak MB':>10}  note")
        for name, r in results.items():
            note = ""
            if name == "pandas-to_sql" and r["measured_rows"] < args.rows:
                note = f"measured {r['seconds_measured']:.2f}s on {r['measured_rows']:,} rows, extrapolated linearly"
            print(f"{name:<16}{r['seconds']:>10.2f}{args.rows / r['seconds']:>14,.0f}{r['peak_mb']:>10.0f}  {note}")
        native = results["duckdb-native"]["seconds"]
        pandas = results["pandas-to_sql"]["seconds"]
        print(f"DuckDB: ours / native = {ours / native:.2f}x (goal <= 2x); "
              f"pandas+to_sql / ours = {pandas / ours:.1f}x (goal >= 20x); "
              f"peak memory ours {results['ours']['peak_mb']:.0f} MB (goal < 2048 MB)")
        if args.pg:
            o, n = results["ours-pg"]["seconds"], results["pg-native"]["seconds"]
            print(f"PostgreSQL: ours / native COPY = {o / n:.2f}x; peak memory ours {results['ours-pg']['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
