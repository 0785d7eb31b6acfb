"""Independent ingest check: the real CLI, end to end, against DuckDB's own loader in a process.

    python -m bench.ingest_cli [--rows 1000000] [--repeat 3]

Shares nothing with bench/ingest.py but the idea. It builds the database the way a city would
(`python -m metrics init`, then a measure-registry file through `python -m metrics ingest`),
writes a long CSV in shuffled row order with two dimensions, and times whole processes (wall
clock, and CPU seconds of the child, which a machine shared with other work inflates less): `python -m metrics ingest FILE` (start-up, imports, read, validate, diff,
revisions, commit) against `python -c` running DuckDB `read_csv` + `INSERT` into the same keyed
`observations` table of a copy of the same database. Rounds alternate; medians are printed.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

MEASURES = 50
NATIVE = """
import duckdb, sys
con = duckdb.connect(sys.argv[1])
con.execute("BEGIN")
con.execute('''INSERT INTO observations (measure_id, period, grain, period_start, period_end, dimension, member,
                                         value, upload_id)
    SELECT measure_id, period, 'month', CAST(period || '-01' AS DATE),
           CAST(CAST(period || '-01' AS DATE) + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE),
           dimension, member, value, 1
    FROM read_csv(?, header = true, types = {'period': 'VARCHAR', 'member': 'VARCHAR'})''', [sys.argv[2]])
con.execute("COMMIT")
"""


def write_files(tmp: Path, rows: int) -> tuple[Path, Path]:
    reg = tmp / "registry.csv"
    pd.DataFrame({"measure_id": [f"k{i}" for i in range(MEASURES)], "name": [f"KPI {i}" for i in range(MEASURES)],
                  "kind": "output", "unit": "count", "direction": "higher", "frequency": "month",
                  "department": "Ops", "owner": "Ana", "public": "false"}).to_csv(reg, index=False)
    rng = np.random.default_rng(11)
    months = pd.period_range("1980-01", periods=480, freq="M").strftime("%Y-%m").to_numpy()
    i = rng.permutation(rows)
    per_measure = -(-rows // MEASURES)
    dims = np.array(["district", "ward"])
    cell = i % per_measure
    frame = pd.DataFrame({"measure_id": np.char.add("k", (i // per_measure).astype(str)),
                          "period": months[cell % 480], "dimension": dims[(cell // 480) % 2],
                          "member": (cell // 960).astype(str), "value": rng.integers(0, 10_000, rows)})
    data = tmp / "long.csv"
    frame.to_csv(data, index=False)
    return reg, data


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child and its threads)."""
    t, c = time.perf_counter(), _children_cpu()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd[:4])} failed: {proc.stderr.strip()[-2000:]}")
    return time.perf_counter() - t, _children_cpu() - c


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.ingest_cli", description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        reg, data = write_files(tmpd, args.rows)
        base = tmpd / "base.duckdb"
        env = {**os.environ, "METRICS_DB_URL": f"duckdb:///{base}"}
        for cmd in (["init"], ["ingest", str(reg)]):
            timed([sys.executable, "-m", "metrics", *cmd], env)
        times: dict[str, list[tuple[float, float]]] = {"metrics ingest (CLI)": [], "duckdb read_csv+INSERT": []}
        for i in range(args.repeat):
            for name in times:
                target = tmpd / f"r{i}.duckdb"
                shutil.copyfile(base, target)
                if name.startswith("metrics"):
                    cmd = [sys.executable, "-m", "metrics", "ingest", str(data)]
                    run_env = {**env, "METRICS_DB_URL": f"duckdb:///{target}"}
                else:
                    cmd, run_env = [sys.executable, "-c", NATIVE, str(target), str(data)], env
                times[name].append(timed(cmd, run_env))
                target.unlink()
        print(f"{args.rows:,} shuffled long rows ({data.stat().st_size / 1e6:.1f} MB), whole processes, "
              f"{args.repeat} alternating rounds")
        med = {name: (float(np.median([w for w, _ in ts])), float(np.median([c for _, c in ts])))
               for name, ts in times.items()}
        for name, ts in times.items():
            print(f"{name:<26}{med[name][0]:>8.2f} s wall {med[name][1]:>7.2f} s CPU   rounds (wall): "
                  f"{', '.join(f'{w:.2f}' for w, _ in ts)}")
        (ow, oc), (nw, nc) = med.values()
        print(f"ours / native = {ow / nw:.2f}x wall, {oc / nc:.2f}x CPU (goal <= 2x)")


if __name__ == "__main__":
    main()
