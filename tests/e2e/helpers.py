"""Starting the app and waiting on it, like streamlit's own e2e suite: no sleeps."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SHOTS = REPO / "artifacts" / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(db_url: str, port: int | None = None, script: str = "serve.py",
              extra: tuple[str, ...] = ()) -> tuple[subprocess.Popen, str, Path]:
    """Start the app as `make run` does (serve.py: app.py plus the sign-in endpoints) on a free port,
    or on `port` again to restart a server in place."""
    port = port or free_port()
    log = REPO / "artifacts" / f"streamlit-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "METRICS_DB_URL": db_url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *extra],
        cwd=REPO, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return proc, url, log
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"streamlit did not become healthy:\n{log.read_text()}")


def wait_for_app(page: Page, timeout: int = 60000) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def open_tab(page: Page, name: str) -> None:
    """Click a tab and let the rerun a tracked tab (st.tabs on_change="rerun") starts finish: typing into
    its form before then is lost when the rerun draws the form again (seen in CI under load)."""
    tab = page.get_by_role("tab", name=name)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    page.wait_for_timeout(300)  # the rerun message goes out after the click; give it time to start
    wait_for_app(page)


def shot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
