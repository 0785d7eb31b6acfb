"""Ingest benchmark: our whole path (read + validate + preview + commit) against the limit and the naive way.

    python -m bench.ingest [--rows 1000000] [--repeat 3] [--pg]

Generates a long CSV of --rows rows for measures that already exist, then loads it into a
fresh database once per contender and round, each in its own subprocess so peak memory
(ru_maxrss) and CPU time are per contender. Rounds run the contenders alternately
(ours, native, pandas, ours, native, ...) so a noisy shared machine slows them alike, and the
table reports medians: wall seconds, and CPU seconds (user + system, all threads), which a
busy machine inflates far less than wall time. Each child imports what its contender needs
before its clock starts (as the app server has), so the times are the work itself.

* ours            `metrics.ingest.commit.ingest` (read, validate, SQL diff, one-transaction commit)
* duckdb-native   DuckDB `read_csv` + `INSERT … SELECT` into the same keyed table (the limit)
* pandas-to_sql   `pd.read_csv` + `DataFrame.to_sql` into the same keyed table (what a user would write)
* pandas-unkeyed  the same into a new table without a key (what the independent check measured)
* with --pg: ours on PostgreSQL (COPY into staging) and native `COPY` + `INSERT … SELECT`.

`--pandas-rows N` times the pandas contenders on N rows and extrapolates linearly (default: all rows).
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


def run_pandas(url: str, path: Path, rows: int, table: str = "observations") -> dict:
    from metrics.store import db
    frame = pd.read_csv(path, nrows=rows, dtype={"member": str})
    start = pd.to_datetime(frame["period"] + "-01")
    frame = frame.assign(grain="month", period_start=start.dt.date,
                         period_end=(start + pd.offsets.MonthEnd(0)).dt.date, upload_id=1)
    frame.to_sql(table, db.engine(url), if_exists="append", index=False, chunksize=10_000)
    return {"loaded": len(frame)}


def run_pandas_unkeyed(url: str, path: Path, rows: int) -> dict:
    return run_pandas(url, path, rows, table="bench_unkeyed")


CONTENDERS = {"ours": run_ours, "duckdb-native": run_duckdb_native, "pandas-to_sql": run_pandas,
              "pandas-unkeyed": run_pandas_unkeyed, "pg-native": run_pg_native}


#: imported before the clock starts, as in the app server that takes uploads: each contender
#: is timed on its work, not on its interpreter warming up
WARM = {"ours": ["metrics.ingest.commit", "pandera.pandas", "duckdb", "psycopg"],
        "duckdb-native": ["duckdb", "metrics.store.db"], "pg-native": ["psycopg", "metrics.store.db"],
        "pandas-to_sql": ["metrics.store.db", "duckdb", "duckdb_sqlalchemy"],
        "pandas-unkeyed": ["metrics.store.db", "duckdb", "duckdb_sqlalchemy"]}


def child(name: str, url: str, path: Path, rows: int) -> None:
    global CPU_AT_START
    import importlib
    for module in WARM[name]:
        importlib.import_module(module)
    CPU_AT_START = cpu_seconds(resource.getrusage(resource.RUSAGE_SELF))
    t0 = time.perf_counter()
    out = CONTENDERS[name](url, path, rows)
    seconds = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": seconds, "cpu": cpu_seconds(usage) - CPU_AT_START, "peak_mb": usage.ru_maxrss / 1024,
                      **out}))


def cpu_seconds(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


CPU_AT_START = 0.0


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


def median(values: list[float]) -> float:
    return float(np.median(values))


def rounds(names: list[tuple[str, str, str]], path: Path, tmpd: Path, rows: dict[str, int],
           repeat: int) -> dict[str, list[dict]]:
    """Run every (label, contender, engine) `repeat` times, alternating contenders each round."""
    out: dict[str, list[dict]] = {label: [] for label, _, _ in names}
    for i in range(repeat):
        for label, name, engine in names:
            url = pg_url() if engine == "pg" else f"duckdb:///{tmpd / f'{label}-{i}.duckdb'}"
            try:
                r = measure(name, url, path, rows.get(label, rows["all"]))
            finally:
                if engine == "pg":
                    drop_pg(url)
                else:
                    Path(url.removeprefix("duckdb:///")).unlink(missing_ok=True)
            scale = rows["all"] / rows.get(label, rows["all"])
            r["seconds"], r["cpu"] = r["seconds"] * scale, r["cpu"] * scale
            out[label].append(r)
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3, help="rounds of every contender (medians are reported)")
    p.add_argument("--pandas-rows", type=int, default=0,
                   help="rows to time the pandas contenders on, extrapolated linearly (default: all rows)")
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
        print(f"{args.rows:,} rows, {path.stat().st_size / 1e6:,.1f} MB CSV, {N_MEASURES} existing monthly measures, "
              f"{args.repeat} alternating rounds")
        prows = min(args.pandas_rows or args.rows, args.rows)
        names = [("ours", "ours", "duckdb"), ("duckdb-native", "duckdb-native", "duckdb"),
                 ("pandas-to_sql", "pandas-to_sql", "duckdb"), ("pandas-unkeyed", "pandas-unkeyed", "duckdb")]
        if args.pg:
            names += [("ours-pg", "ours", "pg"), ("pg-native", "pg-native", "pg")]
        results = rounds(names, path, tmpd, {"all": args.rows, "pandas-to_sql": prows, "pandas-unkeyed": prows},
                         args.repeat)
        med = {k: {"seconds": median([r["seconds"] for r in v]), "cpu": median([r["cpu"] for r in v]),
                   "peak_mb": max(r["peak_mb"] for r in v), "all": [r["seconds"] for r in v]}
               for k, v in results.items()}
        print(f"{'contender':<16}{'wall s':>8}{'CPU s':>8}{'rows/s':>12}{'peak MB':>9}  every round (wall s)")
        for name, r in med.items():
            note = ", ".join(f"{s:.2f}" for s in r["all"])
            if name.startswith("pandas") and prows < args.rows:
                note += f"  (timed on {prows:,} rows, extrapolated linearly)"
            print(f"{name:<16}{r['seconds']:>8.2f}{r['cpu']:>8.2f}{args.rows / r['seconds']:>12,.0f}"
                  f"{r['peak_mb']:>9.0f}  {note}")

        def ratio(a: str, b: str, key: str) -> float:
            return med[a][key] / med[b][key]

        print(f"DuckDB: ours / native = {ratio('ours', 'duckdb-native', 'seconds'):.2f}x wall, "
              f"{ratio('ours', 'duckdb-native', 'cpu'):.2f}x CPU (goal <= 2x); "
              f"pandas+to_sql / ours = {ratio('pandas-to_sql', 'ours', 'seconds'):.2f}x, "
              f"unkeyed pandas / ours = {ratio('pandas-unkeyed', 'ours', 'seconds'):.2f}x (goal >= 1x); "
              f"peak memory ours {med['ours']['peak_mb']:.0f} MB")
        if args.pg:
            print(f"PostgreSQL: ours / native COPY = {ratio('ours-pg', 'pg-native', 'seconds'):.2f}x wall, "
                  f"{ratio('ours-pg', 'pg-native', 'cpu'):.2f}x CPU (the server's own work is not in CPU s); "
                  f"peak memory ours {med['ours-pg']['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
