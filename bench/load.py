"""Load benchmark: N concurrent browser sessions on the Overview, against 1 and 2 app processes.

    python -m bench.load [--sessions 1,5,10,20] [--processes 1,2] [--window 30] [--db-url URL]

Builds the demo city in a temporary PostgreSQL schema (127.0.0.1:5432/test, dropped at the
end) unless --db-url names one, then for each process count starts the `make serve-pg` set-up
(scripts/serve_pg.py: app processes behind nginx with cookie affinity) and, for each N, opens N
headless Chromium contexts spread evenly over the processes (pinned by the route cookie, as
many real users would spread). Each session opens the app, then for --window seconds switches
between the Overview and the Measure page in the sidebar, as a reader does: a page time is from
the click to the finished run with the page's own figure on screen (one script run on the
server, no document reload). Reported: p50/p95 page time, views per minute (all sessions), and
the CPU each app process used (cores). The baseline, measured in the same run, is a trivial
two-page Streamlit app (a metric and one plotly chart; a metric) on one process behind the same
nginx at N=1; `ratio` is p50 over the baseline's p50.

The browser runs on the same machine and takes a share of its cores, so figures from a small
machine understate what the servers alone could do; compare rows within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from playwright.async_api import async_playwright

from scripts.serve_pg import ROUTE_COOKIE, Cluster

REPO = Path(__file__).resolve().parents[1]
PG_BASE = os.environ.get("METRICS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-renderer-backgrounding",
                 "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows"]
# A view: click a page in the sidebar and wait for its run to finish with its marker on screen
# (Streamlit navigates inside the open session: no document reload, one script run).
PAGES = (("Overview", "Measures on track"), ("Measure", "Target in force"))
TRIVIAL = """
import plotly.graph_objects as go
import streamlit as st


def overview():
    st.title("Trivial overview")
    st.metric("Measures on track", 1)
    st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2])))


def measure():
    st.title("Trivial measure")
    st.metric("Target in force", 2)


st.navigation([st.Page(overview, title="Overview", url_path="overview", default=True),
               st.Page(measure, title="Measure", url_path="measure")]).run()
"""
PAGE_TIMEOUT_MS = 120_000


@dataclass(frozen=True)
class Row:
    label: str
    processes: int
    sessions: int
    times: list[float]  # page time of every view started inside the window
    finished: int  # views that finished inside the window
    window: float
    cores: list[float]  # CPU each app process used during the window, in cores

    @property
    def p50(self) -> float:
        return statistics.median(self.times)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]

    @property
    def per_minute(self) -> float:
        return self.finished / self.window * 60


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def demo_schema(db_url: str | None):
    """The demo city on PostgreSQL: the given database as is, or a temporary schema."""
    if db_url:
        yield db_url
        return
    from tests.conftest import make_db  # the same build the tests use: init + criteria + demo city
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield make_db(f"{PG_BASE}?options=-csearch_path%3D{schema}")
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _metric(page, label: str):
    """The metric card whose label starts with `label` (a page's own figure, not prose that mentions it)."""
    return page.get_by_test_id("stMetricLabel").filter(has_text=re.compile(f"^{re.escape(label)}")).first


async def _settled(page, marker: str, other: str) -> None:
    await _metric(page, marker).wait_for(timeout=PAGE_TIMEOUT_MS)
    await _metric(page, other).wait_for(state="detached", timeout=PAGE_TIMEOUT_MS)
    await page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                                 timeout=PAGE_TIMEOUT_MS)


async def _view(page, title: str, marker: str, other: str) -> float:
    t0 = time.perf_counter()
    await page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    await _settled(page, marker, other)
    return time.perf_counter() - t0


async def run_step(browser, cluster: Cluster, sessions: int, window: float, label: str) -> Row:
    """`sessions` contexts, spread evenly over the processes, switching between the two pages
    for `window` seconds."""
    routes = list(cluster.routes().values())
    contexts = []
    for i in range(sessions):
        ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
        await ctx.add_cookies([{"name": ROUTE_COOKIE, "value": routes[i % len(routes)], "url": cluster.url}])
        contexts.append(ctx)
    pages = [await ctx.new_page() for ctx in contexts]
    (first, first_marker), (second, second_marker) = PAGES

    async def open_app(page) -> None:
        await page.goto(f"{cluster.url}/")
        await _settled(page, first_marker, second_marker)

    try:
        await asyncio.gather(*(open_app(p) for p in pages))  # warm: static files and views cached
        pids = [b.proc.pid for b in cluster.backends]
        cpu0 = [cpu_seconds(p) for p in pids]
        start = time.perf_counter()
        end = start + window
        times: list[float] = []
        finished: list[float] = []

        async def loop(page) -> None:
            showing_first = True
            while time.perf_counter() < end:
                if showing_first:
                    took = await _view(page, second, second_marker, first_marker)
                else:
                    took = await _view(page, first, first_marker, second_marker)
                showing_first = not showing_first
                times.append(took)  # every view started inside the window has a page time
                if time.perf_counter() <= end:  # throughput: the views that finished inside it
                    finished.append(took)

        await asyncio.gather(*(loop(p) for p in pages))
        elapsed = time.perf_counter() - start
        cores = [(cpu_seconds(p) - c) / elapsed for p, c in zip(pids, cpu0, strict=True)]
    finally:
        for ctx in contexts:
            await ctx.close()
    return Row(label, len(cluster.backends), sessions, times, len(finished), window, cores)


def print_row(row: Row, base: float) -> None:
    cores = " + ".join(f"{c:.2f}" for c in row.cores)
    print(f"{row.label:<9} {row.processes:>5} {row.sessions:>8} {row.p50:>7.2f} {row.p95:>7.2f} "
          f"{row.per_minute:>9.0f} {row.p50 / base:>6.1f}x {len(row.times):>5}  {cores}", flush=True)


async def main_async(args: argparse.Namespace) -> None:
    sessions = [int(n) for n in args.sessions.split(",")]
    processes = [int(n) for n in args.processes.split(",")]
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; window {args.window:.0f} s "
          f"per row; the browser shares the machine", flush=True)
    with demo_schema(args.db_url) as url, tempfile.TemporaryDirectory() as tmp:
        trivial = Path(tmp) / "trivial.py"
        trivial.write_text(TRIVIAL)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                with Cluster(url, 1, port=0, app_port=0, run_dir=Path(tmp) / "trivial", script=str(trivial)) as c:
                    baseline = await run_step(browser, c, 1, args.window, "trivial")
                print(f"{'page':<9} {'procs':>5} {'sessions':>8} {'p50 s':>7} {'p95 s':>7} {'views/min':>9} "
                      f"{'ratio':>7} {'views':>5}  cores per process", flush=True)
                print_row(baseline, baseline.p50)
                for p in processes:
                    with Cluster(url, p, port=0, app_port=0, run_dir=Path(tmp) / f"p{p}") as c:
                        for n in sessions:
                            print_row(await run_step(browser, c, n, args.window, "dashboard"),
                                      baseline.p50)
            finally:
                await browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", default="1,5,10,20", help="concurrent sessions per row (default 1,5,10,20)")
    ap.add_argument("--processes", default="1,2", help="app process counts (default 1,2)")
    ap.add_argument("--window", type=float, default=30.0, help="seconds measured per row (default 30)")
    ap.add_argument("--db-url", help="a PostgreSQL database that already holds a city (default: a temporary "
                                     "schema with the demo city)")
    args = ap.parse_args()
    os.chdir(REPO)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
