"""Load benchmark: N concurrent Streamlit sessions on the dashboard, against 1 and 2 app processes.

    python -m bench.load [--sessions 1,5,10,20] [--processes 1,2] [--window 30] [--db-url URL]

Builds the demo city in a temporary PostgreSQL schema (127.0.0.1:5432/test, dropped at the
end) unless --db-url names one, then for each process count starts the `make serve-pg` set-up
(scripts/serve_pg.py: app processes behind nginx with cookie affinity) and, for each N, opens N
sessions spread evenly over the processes (pinned by the route cookie). Each session is a
client of Streamlit's own WebSocket protocol (the protobuf messages the browser exchanges at
/_stcore/stream, through nginx): for --window seconds it alternates between the Overview and
the Measure page as a reader clicking in the sidebar does. A page time is from the rerun
request to `script_finished`, with every element the page sends received (a page that raises
or shows an error fails the run). A browser would add its own rendering, and on a small
machine Chromium's renderers take the cores the servers need (tried first: with 5 headless
sessions the servers sat at 0.06 cores while pages took 30 s), so the client here is lean.
Reported: p50/p95 page time, views per minute (all sessions), and the CPU each app process used
(cores). The baseline, measured in the same run, is a trivial two-page Streamlit app (a metric
and one plotly chart; a metric) on one process behind the same nginx, one session; `ratio` is
p50 over the baseline's p50.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from scripts.serve_pg import ROUTE_COOKIE, Cluster

REPO = Path(__file__).resolve().parents[1]
PG_BASE = os.environ.get("METRICS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PAGES = ("", "measure")  # url paths: the default page (Overview), then the Measure page
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
PAGE_SECONDS = 300.0


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


class PageFailed(RuntimeError):
    """A page raised or showed an error: the figures would be of the wrong page."""


async def view(ws, page_name: str) -> float:
    """Ask for one run of a page, as the browser does on a sidebar click; seconds to its end."""
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_name = page_name
    t0 = time.perf_counter()
    await ws.send(msg.SerializeToString())
    while True:
        fwd = ForwardMsg()
        fwd.ParseFromString(await asyncio.wait_for(ws.recv(), PAGE_SECONDS))
        kind = fwd.WhichOneof("type")
        if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            element = fwd.delta.new_element
            if element.WhichOneof("type") == "exception" or (
                    element.WhichOneof("type") == "alert" and element.alert.format == element.alert.ERROR):
                raise PageFailed(f"page {page_name or 'default'!r} showed an error")
        if kind == "script_finished":
            return time.perf_counter() - t0


async def run_step(cluster: Cluster, sessions: int, window: float, label: str) -> Row:
    """`sessions` WebSocket sessions, spread evenly over the processes, alternating between the
    two pages for `window` seconds."""
    routes = list(cluster.routes().values())
    stream = cluster.url.replace("http://", "ws://", 1) + "/_stcore/stream"
    conns = [await websockets.connect(stream, subprotocols=["streamlit"], max_size=None, open_timeout=60,
                                      additional_headers={"Cookie": f"{ROUTE_COOKIE}={routes[i % len(routes)]}"})
             for i in range(sessions)]
    try:
        await asyncio.gather(*(view(ws, PAGES[0]) for ws in conns))  # warm: new sessions, views cached
        pids = [b.proc.pid for b in cluster.backends]
        cpu0 = [cpu_seconds(p) for p in pids]
        start = time.perf_counter()
        end = start + window
        times: list[float] = []
        finished: list[float] = []

        async def loop(ws) -> None:
            i = 1
            while time.perf_counter() < end:
                took = await view(ws, PAGES[i % 2])
                i += 1
                times.append(took)  # every view started inside the window has a page time
                if time.perf_counter() <= end:  # throughput: the views that finished inside it
                    finished.append(took)

        await asyncio.gather(*(loop(ws) for ws in conns))
        elapsed = time.perf_counter() - start
        cores = [(cpu_seconds(p) - c) / elapsed for p, c in zip(pids, cpu0, strict=True)]
    finally:
        for ws in conns:
            await ws.close()
    return Row(label, len(cluster.backends), sessions, times, len(finished), window, cores)


def print_row(row: Row, base: float) -> None:
    cores = " + ".join(f"{c:.2f}" for c in row.cores)
    print(f"{row.label:<9} {row.processes:>5} {row.sessions:>8} {row.p50:>7.2f} {row.p95:>7.2f} "
          f"{row.per_minute:>9.0f} {row.p50 / base:>6.1f}x {len(row.times):>5}  {cores}", flush=True)


async def main_async(args: argparse.Namespace) -> None:
    sessions = [int(n) for n in args.sessions.split(",")]
    processes = [int(n) for n in args.processes.split(",")]
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; window {args.window:.0f} s "
          f"per row", flush=True)
    with demo_schema(args.db_url) as url, tempfile.TemporaryDirectory() as tmp:
        trivial = Path(tmp) / "trivial.py"
        trivial.write_text(TRIVIAL)
        with Cluster(url, 1, port=0, app_port=0, run_dir=Path(tmp) / "trivial", script=str(trivial)) as c:
            baseline = await run_step(c, 1, args.window, "trivial")
        print(f"{'page':<9} {'procs':>5} {'sessions':>8} {'p50 s':>7} {'p95 s':>7} {'views/min':>9} "
              f"{'ratio':>7} {'views':>5}  cores per process", flush=True)
        print_row(baseline, baseline.p50)
        for p in processes:
            with Cluster(url, p, port=0, app_port=0, run_dir=Path(tmp) / f"p{p}") as c:
                for n in sessions:
                    print_row(await run_step(c, n, args.window, "dashboard"), baseline.p50)
        print(f"load average {os.getloadavg()[0]:.1f} at the end", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", default="1,5,10,20", help="concurrent sessions per row (default 1,5,10,20)")
    ap.add_argument("--processes", default="1,2", help="app process counts (default 1,2)")
    ap.add_argument("--window", type=float, default=30.0, help="seconds measured per row (default 30)")
    ap.add_argument("--db-url", help="a PostgreSQL database that already holds a city (default: a temporary "
                                     "schema with the demo city)")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # unwind: stop the servers, drop the schema
    os.chdir(REPO)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
