"""Static site build benchmark: a first build against a rebuild with unchanged data.

    python -m bench.publish [--db URL] [--runs 1]

On the demo city (a fresh DuckDB file unless --db is given) it builds the public site into a new
folder (every chart's SVG fallback drawn by kaleido), then rebuilds it over itself with the data
unchanged (every SVG taken from the previous site by its figure hash), and prints wall and CPU
time, size and the ratio of rebuild to first build, both measured in this run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from metrics.demo import city as demo
from metrics.publish import site
from metrics.store import db, meta
from metrics.wwc import store as wwc_store


def _demo(path: Path) -> str:
    """The demo city as `python -m metrics init && python -m metrics demo` makes it."""
    url = f"duckdb:///{path}"
    with db.writer(url, create=True) as conn:
        meta.migrate(conn)
        wwc_store.load_criteria(conn)
        demo.seed_demo(conn)
    return url


def _timed(out: Path, url: str) -> tuple[float, float, site.SiteReport]:
    wall, cpu = time.perf_counter(), time.process_time()
    report = site.publish(out, url)
    return time.perf_counter() - wall, time.process_time() - cpu, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a fresh demo city)")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or _demo(Path(tmp) / "city.duckdb")
        firsts, rebuilds = [], []
        for k in range(args.runs):
            out = Path(tmp) / f"site-{k}"
            firsts.append(_timed(out, url))
            rebuilds.append(_timed(out, url))
    for label, runs in (("first build", firsts), ("rebuild, data unchanged", rebuilds)):
        w = statistics.median(r[0] for r in runs)
        c = statistics.median(r[1] for r in runs)
        r = runs[-1][2]
        print(f"{label:>24}: {w:6.1f} s wall, {c:6.1f} s CPU (this process; kaleido's chromium not counted), "
              f"{r.pages:,} pages, {r.files:,} files, {r.bytes / 1e6:,.1f} MB, chart images "
              f"{r.charts_exported:,} drawn / {r.charts_reused:,} reused")
    ratio = statistics.median(r[0] for r in rebuilds) / statistics.median(r[0] for r in firsts)
    print(f"rebuild / first build (wall): {ratio:.2f}")


if __name__ == "__main__":
    main()
