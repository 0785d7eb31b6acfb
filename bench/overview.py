"""Overview benchmark: the Overview page on a big city vs a trivial plotly page, same run.

    python -m bench.overview [--runs 5] [--keep PATH] [--profile]

Builds the large demo city (1,000 monthly measures x 15 years x 10 districts) in a
temporary DuckDB file, renders the Overview with AppTest once to warm the caches, then
times --runs warm renders. A one-chart plotly page rendered by AppTest in the same
process is the baseline, so the ratio says what the Overview costs beyond Streamlit's
own overhead. Goal: <= 1.5 s and <= 10x the trivial page. --profile prints the top of a
cProfile of one Overview run (--profile warm|cold).
"""

from __future__ import annotations

import argparse
import os
import pstats
import statistics
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from metrics.demo import city as demo
from metrics.store import db, meta
from metrics.wwc import store as wwc_store

REPO = Path(__file__).resolve().parents[1]
TRIVIAL = """
import plotly.graph_objects as go
import streamlit as st
st.title("Trivial")
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2])))
"""
PROFILED = """
import cProfile
import runpy
import streamlit as st
if {cold!r}:
    st.cache_data.clear()
prof = cProfile.Profile()
prof.enable()
try:
    runpy.run_path({page!r}, run_name="__main__")
finally:
    prof.disable()
    prof.dump_stats({out!r})
"""
GOAL_SECONDS = 1.5
GOAL_RATIO = 10.0


def build(url: str) -> None:
    with db.writer(url, create=True) as conn:
        meta.migrate(conn)
        wwc_store.load_criteria(conn)
        demo.load(conn, demo.build_scale())


def timed(make, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        at = make()
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        if at.exception:
            raise RuntimeError(f"page raised: {at.exception[0].message}")
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep", help="build (or reuse) the big city at this DuckDB path instead of a temp file")
    ap.add_argument("--profile", choices=["warm", "cold"], help="cProfile one Overview run (cold: caches cleared)")
    args = ap.parse_args()
    os.chdir(REPO)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "big.duckdb"
        url = f"duckdb:///{path}"
        if not path.exists():
            t0 = time.perf_counter()
            build(url)
            print(f"built the big city in {time.perf_counter() - t0:.1f}s ({path})")
        os.environ["METRICS_DB_URL"] = url

        def overview() -> AppTest:
            return AppTest.from_file(str(REPO / "app.py"), default_timeout=300)

        def trivial() -> AppTest:
            return AppTest.from_string(TRIVIAL, default_timeout=60)

        cold = timed(overview, 1)[0]
        timed(trivial, 1)
        ours = timed(overview, args.runs)
        base = timed(trivial, args.runs)
        o, b = statistics.median(ours), statistics.median(base)
        print(f"Overview (big city)  cold={cold:.3f}s  warm median={o:.3f}s  best={min(ours):.3f}s  (n={args.runs})")
        print(f"Trivial plotly page  warm median={b:.3f}s  best={min(base):.3f}s")
        ratio = o / b
        verdict = "OK" if o <= GOAL_SECONDS and ratio <= GOAL_RATIO else "OVER GOAL"
        print(f"ratio {ratio:.1f}x  (goal <= {GOAL_SECONDS}s and <= {GOAL_RATIO:.0f}x): {verdict}")
        if args.profile:  # the script runs on AppTest's own thread: profile inside it
            out = Path(tmp) / "overview.prof"
            AppTest.from_string(PROFILED.format(out=str(out), cold=args.profile == "cold", page=str(REPO / "app_pages" / "overview.py")), default_timeout=300).run()
            pstats.Stats(str(out)).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
