"""Faults through the real CLI (issue 14, section 3): every failure is one line and a distinct exit code.

Each test runs `python -m metrics ...` as a subprocess and asserts: no traceback, exactly one
line on stderr, the exit code of its kind (4 busy, 5 unreachable, 6 not initialised), and
that it fails in bounded time. Nothing here mocks a database: the PostgreSQL cases use the
real server (or a port nothing listens on, or a listener that never answers), the DuckDB
cases real files held open by a real second process.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from metrics import access
from metrics.ingest.commit import ingest
from metrics.store import db
from tests.conftest import REPO, make_db

HH = "households-stable-housing"


def run(url: str, *args: str, timeout: float = 60, **env: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "metrics", *args], cwd=REPO, text=True, capture_output=True,
                       timeout=timeout, env={**os.environ, "METRICS_DB_URL": url, **env})
    return r, time.monotonic() - started


def one_line(r: subprocess.CompletedProcess, code: int) -> str:
    err = r.stderr
    assert "Traceback" not in err and "Traceback" not in r.stdout, err
    assert len(err.strip().splitlines()) == 1, err
    assert r.returncode == code, (r.returncode, err)
    return err.strip()


# (a) a missing DuckDB file is reported, never created, except by `init`

@pytest.mark.parametrize("command", [["export"], ["score"], ["uploads"], ["ingest", "FILE"]])
def test_missing_duckdb_file_is_reported_not_created(tmp_path, command):
    path = tmp_path / "nowhere" / "city.duckdb"
    f = tmp_path / "one.csv"
    f.write_text("measure_id,period,value\nhouseholds-stable-housing,2016-Q1,4321\n")
    r, _ = run(f"duckdb:///{path}", *[str(f) if c == "FILE" else c for c in command])
    err = one_line(r, 6)
    assert str(path) in err and "does not exist" in err and "metrics init" in err
    assert not path.exists() and not path.parent.exists()


def test_init_creates_the_missing_file(tmp_path):
    path = tmp_path / "new" / "city.duckdb"
    r, _ = run(f"duckdb:///{path}", "init")
    assert r.returncode == 0, r.stderr
    assert path.exists()
    r, _ = run(f"duckdb:///{path}", "export")
    assert r.returncode == 0 and r.stdout.startswith("measure_id,period"), r.stderr


# (b) unreachable PostgreSQL: one line, password masked, exit 5

@pytest.mark.parametrize("command", ["export", "score", "uploads"])
def test_unreachable_postgresql(command):
    r, took = run("postgresql+psycopg://city:s3cret-pw@127.0.0.1:1/test", command)
    err = one_line(r, 5)
    assert "s3cret-pw" not in err and "city:***@127.0.0.1:1" in err
    assert "Cannot reach" in err
    assert took < 30


# (c) a server that accepts the connection and never answers: the connect timeout ends it

@pytest.fixture
def silent_server():
    """A TCP listener on loopback that accepts connections and never sends a byte (bounded: 60 s)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.2)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        end = time.monotonic() + 60
        while not stop.is_set() and time.monotonic() < end:
            try:
                conn, _ = sock.accept()
                held.append(conn)
            except OSError:
                pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield sock.getsockname()[1]
    stop.set()
    t.join(timeout=5)
    for c in held:
        c.close()
    sock.close()


@pytest.mark.parametrize("command", ["export", "score"])
def test_server_that_never_answers(silent_server, command):
    r, took = run(f"postgresql+psycopg://city:s3cret-pw@127.0.0.1:{silent_server}/test", command,
                  timeout=40, METRICS_CONNECT_TIMEOUT="2")
    err = one_line(r, 5)
    assert "s3cret-pw" not in err and "timeout" in err.lower()
    assert took < 12, took


# (d) a statement that waits on a lock past METRICS_STATEMENT_TIMEOUT

@pytest.fixture
def pg_url(new_pg_schema) -> str:
    return make_db(new_pg_schema())


def test_statement_timeout(pg_url):
    holder = sa.create_engine(pg_url)
    try:
        with holder.connect() as conn, conn.begin():
            conn.exec_driver_sql("LOCK TABLE observations IN ACCESS EXCLUSIVE MODE")
            r, took = run(pg_url, "export", timeout=60, METRICS_STATEMENT_TIMEOUT="2")
        err = one_line(r, 4)
        assert "did not answer within 2 s" in err and "METRICS_STATEMENT_TIMEOUT" in err
        assert took < 10, took
    finally:
        holder.dispose()
    r, _ = run(pg_url, "export", METRICS_STATEMENT_TIMEOUT="2")  # lock released: it works again
    assert r.returncode == 0, r.stderr


# (e) a DuckDB file held open by another process

HOLDER = """
import sys, time, duckdb
conn = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("held", flush=True)
time.sleep(float(sys.argv[3]))
conn.close()
print("released", flush=True)
time.sleep(30)
"""


def hold(path: Path, seconds: float, mode: str = "rw") -> subprocess.Popen:
    p = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), mode, str(seconds)], text=True,
                         stdout=subprocess.PIPE)
    assert p.stdout.readline().strip() == "held"
    return p


@pytest.fixture
def duck_file(tmp_path) -> Path:
    url = make_db(f"duckdb:///{tmp_path / 'held.duckdb'}")
    return db.duckdb_path(url)


@pytest.mark.parametrize("mode", ["rw", "ro"])
def test_duckdb_held_by_another_process_writer_gives_up(duck_file, mode):
    holder = hold(duck_file, 60, mode)
    try:
        r, took = run(f"duckdb:///{duck_file}", "init", METRICS_WRITE_WAIT="1")
        err = one_line(r, 4)
        assert str(duck_file) in err and f"process {holder.pid}" in err and "busy" in err
        assert "for writing" not in err  # a read-only holder is not "writing"
        assert took < 10, took
    finally:
        holder.kill()
        holder.wait()


def test_duckdb_held_briefly_writer_waits_and_succeeds(duck_file, tmp_path):
    f = tmp_path / "one.csv"
    f.write_text("measure_id,period,value\nhouseholds-stable-housing,2016-Q1,4321\n")
    holder = hold(duck_file, 1.0)
    try:
        r, took = run(f"duckdb:///{duck_file}", "ingest", str(f), METRICS_WRITE_WAIT="10")
        assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
        assert "loaded as upload" in r.stdout
        assert 0.5 < took < 15, took
    finally:
        holder.kill()
        holder.wait()
    with db.reader(f"duckdb:///{duck_file}") as conn:
        assert conn.exec_driver_sql("SELECT value FROM observations WHERE measure_id = 'households-stable-housing' "
                                    "AND period = '2016-Q1' AND dimension = ''").scalar() == 4321


def test_duckdb_held_ingest_gives_up_in_one_line(duck_file, tmp_path):
    """The whole upload path (its pre-read and its writer) against a holder that never lets go."""
    f = tmp_path / "one.csv"
    f.write_text("measure_id,period,value\nhouseholds-stable-housing,2016-Q1,4321\n")
    holder = hold(duck_file, 60)
    try:
        r, took = run(f"duckdb:///{duck_file}", "ingest", str(f), METRICS_WRITE_WAIT="1", METRICS_READ_WAIT="1")
        err = one_line(r, 4)
        assert str(duck_file) in err and f"process {holder.pid}" in err
        assert took < 10, took
    finally:
        holder.kill()
        holder.wait()


# a writer that must wait says so: ingest passes on_wait to the database, the Upload page shows it

def test_ingest_reports_its_wait_while_the_file_is_held(duck_file):
    url = f"duckdb:///{duck_file}"
    calls: list[tuple[float, str]] = []
    holder = hold(duck_file, 1.0)
    try:
        started = time.monotonic()
        out = ingest(f"measure_id,period,value\n{HH},2016-Q1,4321\n".encode(), url, actor=access.LOCAL_ADMIN,
                     file_name="one.csv", on_wait=lambda s, why: calls.append((s, why)))
        took = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert out.status == "committed", out.to_summary()
    assert calls and took >= 0.5
    assert all(f"process {holder.pid}" in why for _, why in calls)
    assert [s for s, _ in calls] == sorted(s for s, _ in calls) and calls[-1][0] >= 0.5


def test_writer_on_postgresql_reports_its_wait(pg_url):
    """db.writer's on_wait while another session holds the writer lock (released after ~1.5 s)."""
    calls: list[tuple[float, str]] = []
    with hold_writer_lock(pg_url, 1.5):
        out = ingest(f"measure_id,period,value\n{HH},2016-Q1,4321\n".encode(), pg_url, actor=access.LOCAL_ADMIN,
                     file_name="one.csv", on_wait=lambda s, why: calls.append((s, why)))
    assert out.status == "committed", out.to_summary()
    assert calls and calls[-1][0] >= 1.0 and all(why == "another change is being saved" for _, why in calls)


def plain(markdown: str) -> str:
    """What a reader sees of text escaped by domain.text.md (AppTest returns the Markdown source)."""
    return re.sub(r"\\(.)", r"\1", markdown)


@contextmanager
def hold_writer_lock(url: str, seconds: float):
    """Another session takes the database-wide writer lock and lets go `seconds` after a writer has
    started waiting for it (seen in pg_stat_activity), so a slow machine cannot let the writer
    arrive after the lock is gone."""
    eng = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    conn = eng.connect()
    watch = eng.connect()
    conn.exec_driver_sql(f"SELECT pg_advisory_lock({db.WRITER_LOCK_KEY})")
    holder_pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    done = threading.Event()

    def release() -> None:
        deadline = time.monotonic() + 120
        while not done.is_set() and time.monotonic() < deadline:
            waiting = watch.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE pid NOT IN (pg_backend_pid(), :holder) "
                "AND query LIKE :q"), {"holder": holder_pid, "q": "SELECT pg_try_advisory_xact_lock%"}).scalar()
            if waiting:
                break
            time.sleep(0.05)
        done.wait(seconds)
        conn.exec_driver_sql(f"SELECT pg_advisory_unlock({db.WRITER_LOCK_KEY})")

    holder = threading.Thread(target=release)
    holder.start()
    try:
        yield
    finally:
        done.set()
        holder.join()
        conn.close()
        watch.close()
        eng.dispose()


def test_upload_page_shows_that_it_waited(pg_url, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("METRICS_DB_URL", pg_url)
    monkeypatch.chdir(REPO)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("app_pages/upload.py")
    at.session_state["upload"] = ("q.csv", f"measure_id,period,value\n{HH},2016-Q1,4321\n".encode())
    at = at.run()
    assert not at.exception and not at.error
    next(b for b in at.button if b.label == "Accept and load").click()
    with hold_writer_lock(pg_url, 2.0):
        started = time.monotonic()
        at = at.run()
        took = time.monotonic() - started
    assert not at.exception and not at.error
    assert any("loaded as upload #1" in plain(s.value) for s in at.success), [s.value for s in at.success]
    assert any(re.search(r"Waited \d+ s for another change", plain(i.value)) for i in at.info), [i.value for i in at.info]
    assert took >= 1.5
