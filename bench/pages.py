"""Page benchmark in a real browser: Overview, Goal and Measure on the large city, cold and warm.

    python -m bench.pages [--runs 3] [--keep PATH] [--app-root DIR] [--pages overview,goal,measure]

Builds (or reuses with --keep) the large city of bench.overview (1,000 monthly measures x 15
years x 10 districts), serves the app and a trivial one-chart Streamlit page side by side, and
times in Chromium (Playwright, /usr/bin/chromium) from navigation to the app being idle
(`[data-testid=stApp][data-test-script-state=notRunning]` with the page's title drawn):

- cold: the first visit after an upload (one observation loaded with `python -m metrics ingest`,
  which bumps the data version, so every cached view is stale), in a fresh browser session;
- warm: a second visit in a fresh session (the caches filled by the first).

The trivial page is timed the same way in the same run, so the ratio says what a page costs
beyond Streamlit and the browser. `--app-root` serves another checkout (e.g. main) against the
same database, for before/after figures. Medians are printed; goal: <= 1.5 s warm, <= 2.5 s cold
and <= 3x the trivial page.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from bench.overview import build

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
TRIVIAL = """
import plotly.graph_objects as go
import streamlit as st
st.title("Trivial")
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2])))
"""
PAGES = {"overview": "overview", "goal": "goal?goal=g00", "measure": "measure?measure=m0001"}  # g00: 25 outcomes
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
GOAL_WARM, GOAL_COLD, GOAL_RATIO = 1.5, 2.5, 3.0


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(script: str, cwd: Path, env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = _port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                            cwd=cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"streamlit did not start:\n{log.read_text()}")


def visit(browser: Browser, url: str) -> float:
    """Seconds from navigation to the app idle with its title drawn, in a fresh session."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("h1", timeout=300_000)
        page.wait_for_selector(IDLE, timeout=300_000)
        return time.perf_counter() - t0
    finally:
        ctx.close()


def upload(db_url: str, tmp: Path, k: int) -> None:
    """One observation through the real ingest path: the data version moves, caches go stale."""
    csv = tmp / f"upload-{k}.csv"
    csv.write_text(f"measure_id,period,value\nm0000,2026-10,{100 + k}\n")
    subprocess.run([sys.executable, "-m", "metrics", "ingest", str(csv)], cwd=REPO, check=True,
                   env={**os.environ, "METRICS_DB_URL": db_url}, stdout=subprocess.DEVNULL)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", help="build (or reuse) the big city at this DuckDB path")
    ap.add_argument("--app-root", default=str(REPO), help="the checkout whose app.py is served")
    ap.add_argument("--pages", default=",".join(PAGES))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        path = Path(args.keep) if args.keep else tmp / "big.duckdb"
        db_url = f"duckdb:///{path.resolve()}"
        if not path.exists():
            t0 = time.perf_counter()
            build(db_url)
            print(f"built the big city in {time.perf_counter() - t0:.1f}s ({path})")
        (tmp / "trivial.py").write_text(TRIVIAL)
        env = {**os.environ, "METRICS_DB_URL": db_url}
        app, app_url = serve("app.py", Path(args.app_root), env, tmp / "app.log")
        triv, triv_url = serve("trivial.py", tmp, env, tmp / "trivial.log")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                visit(browser, triv_url)
                base = [visit(browser, triv_url) for _ in range(args.runs)]
                b = statistics.median(base)
                print(f"trivial page           median {b:.2f}s  (n={args.runs})")
                for k, name in enumerate(n for n in args.pages.split(",") if n):
                    cold, warm = [], []
                    for r in range(args.runs):
                        upload(db_url, tmp, 10 * k + r)
                        cold.append(visit(browser, f"{app_url}/{PAGES[name]}"))
                        warm.append(visit(browser, f"{app_url}/{PAGES[name]}"))
                    c, w = statistics.median(cold), statistics.median(warm)
                    ok = w <= GOAL_WARM and c <= GOAL_COLD and w <= GOAL_RATIO * b
                    print(f"{name:<10} cold median {c:.2f}s  warm median {w:.2f}s  warm/trivial {w / b:.1f}x  "
                          f"cold/trivial {c / b:.1f}x  {'OK' if ok else 'OVER GOAL'}")
                browser.close()
        finally:
            for proc in (app, triv):
                proc.terminate()
                proc.wait(timeout=30)


if __name__ == "__main__":
    main()
