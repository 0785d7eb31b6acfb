"""Engines and connections: DuckDB file by default, PostgreSQL by URL.

DuckDB lets one process write a file at a time and any open connection (even read-only)
blocks other processes from writing. So DuckDB engines never pool: a connection lives
for one action and is closed, which lets `python -m metrics ingest` load data while the
dashboard runs. Inside one process a lock serialises DuckDB connections, because a
read-only and a read-write connection to the same file cannot coexist in a process.
PostgreSQL uses an ordinary pool; readers run in read-only transactions.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from metrics.errors import MetricsError

DEFAULT_URL = "duckdb:///data/city.duckdb"
WRITER_LOCK_KEY = 7_303_731  # pg_advisory_xact_lock key: one database-wide writer at a time
_duckdb_lock = threading.RLock()


class DatabaseError(MetricsError, RuntimeError):
    """A database problem explained in one line for a person, never a traceback."""


class DatabaseBusy(DatabaseError):
    """Another writer (or, on DuckDB, another process) holds the database longer than we wait."""

    exit_code = 4


class DatabaseUnreachable(DatabaseError):
    """The server does not answer, refuses us, or the URL names no database we can open."""

    exit_code = 5


class NotInitialised(DatabaseError):
    """The database file is missing or has no tables: `python -m metrics init` creates it."""

    exit_code = 6


def _seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if 0 < value < 86_400 else default


def write_wait_seconds() -> float:
    """How long a writer waits for another writer (METRICS_WRITE_WAIT, default 120 s)."""
    return _seconds("METRICS_WRITE_WAIT", 120.0)


def read_wait_seconds() -> float:
    """How long a reader waits for a DuckDB file another process is writing (METRICS_READ_WAIT,
    default 30 s): a page would rather wait out a short upload than fail, but not for minutes."""
    return _seconds("METRICS_READ_WAIT", 30.0)


def connect_timeout_seconds() -> float:
    return _seconds("METRICS_CONNECT_TIMEOUT", 10.0)


def statement_timeout_seconds() -> float:
    return _seconds("METRICS_STATEMENT_TIMEOUT", 300.0)


def url_from_env() -> str:
    return os.environ.get("METRICS_DB_URL", DEFAULT_URL)


def masked(url: str | URL) -> str:
    """The URL as safe to print: password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - unparsable: show it with anything after ':' and before '@' hidden
        text = str(url)
        if "@" in text and "://" in text:
            scheme, rest = text.split("://", 1)
            creds, host = rest.rsplit("@", 1)
            return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
        return text


def parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise DatabaseError(f"METRICS_DB_URL is not a database URL: {masked(url)}") from exc
    if parsed.get_backend_name() not in ("duckdb", "postgresql"):
        raise DatabaseError(
            f"METRICS_DB_URL must be duckdb:///FILE or postgresql+psycopg://…, got {masked(url)}")
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def is_duckdb(url: str | URL) -> bool:
    return parse_url(str(url) if isinstance(url, URL) else url).get_backend_name() == "duckdb"


def duckdb_path(url: str | URL) -> Path | None:
    u = url if isinstance(url, URL) else parse_url(url)
    if u.get_backend_name() != "duckdb" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


@lru_cache(maxsize=16)
def _engine(url: str, read_only: bool) -> sa.Engine:
    parsed = parse_url(url)
    if parsed.get_backend_name() == "duckdb":
        path = duckdb_path(parsed)
        return sa.create_engine(parsed, poolclass=NullPool,
                                connect_args={"read_only": read_only} if path else {})
    # the URL's own options (e.g. -csearch_path=…) are kept: connect_args would otherwise replace them
    options = " ".join(filter(None, [str(parsed.query.get("options") or ""),
                                     f"-c statement_timeout={int(statement_timeout_seconds() * 1000)}"]))
    engine = sa.create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=5, pool_timeout=30,
                              connect_args={"connect_timeout": max(1, round(connect_timeout_seconds())),
                                            "options": options})
    if read_only:
        engine = engine.execution_options(postgresql_readonly=True)
    return engine


def engine(url: str | None = None, read_only: bool = False) -> sa.Engine:
    return _engine(url or url_from_env(), read_only)


def _missing(path: Path) -> NotInitialised:
    return NotInitialised(f"The database file {path} does not exist: run `python -m metrics init` to create it.")


def _holder(text: str) -> str:
    match = re.search(r"PID (\d+)", text)
    return f" (process {match.group(1)})" if match else ""


def _explain(exc: Exception, url: str) -> DatabaseError:
    text = str(exc)
    path = duckdb_path(url)
    if path is not None and ("lock" in text.lower() or "Conflicting lock" in text):
        return DatabaseBusy(
            f"The database file {path} is busy: another process{_holder(text)} has it open. "
            "Try again in a moment, or stop that process.")
    if path is not None and not path.exists():
        return _missing(path)
    detail = str(getattr(exc, "orig", None) or exc)  # the driver's words, without "(psycopg.errors.X)"
    first = detail.strip().splitlines()[0] if detail.strip() else type(exc).__name__
    if "statement timeout" in text or "lock timeout" in text:
        return DatabaseBusy(f"The database at {masked(url)} did not answer within "
                            f"{statement_timeout_seconds():g} s (METRICS_STATEMENT_TIMEOUT): another session may "
                            "be holding a lock. Try again in a moment.")
    if isinstance(exc, sa.exc.OperationalError) and not is_duckdb(url):
        return DatabaseUnreachable(f"Cannot reach the database at {masked(url)}: {first}. "
                                   "Check that the server is running and METRICS_DB_URL is right.")
    if "does not exist" in text and ("relation" in text or "Table with name" in text):
        return NotInitialised(f"The database at {masked(url)} has no tables yet: run `python -m metrics init`.")
    return DatabaseError(f"Cannot use the database at {masked(url)}: {first}")


WaitCallback = Callable[[float, str], None]


@contextmanager
def _connect(url: str, read_only: bool, begin: bool, on_wait: WaitCallback | None = None) -> Iterator[sa.Connection]:
    duck = is_duckdb(url)
    eng = engine(url, read_only)
    lock = _duckdb_lock if duck else None
    started = time.monotonic()
    deadline = started + (write_wait_seconds() if begin else read_wait_seconds())
    if lock:
        lock.acquire()
    try:
        while True:
            try:
                conn = eng.connect()
                break
            except sa.exc.DBAPIError as exc:
                busy = duck and "lock" in str(exc).lower()
                if busy and time.monotonic() < deadline:
                    if on_wait:
                        on_wait(time.monotonic() - started, f"another process{_holder(str(exc))} has the file open")
                    time.sleep(0.2)
                    continue
                raise _explain(exc, url) from exc
            except Exception as exc:  # noqa: BLE001 - driver errors of every kind become one line
                raise _explain(exc, url) from exc
        with conn:
            try:
                if begin:
                    with conn.begin():
                        if not duck:
                            _take_writer_lock(conn, url, started, deadline, on_wait)
                        yield conn
                else:
                    yield conn
            except sa.exc.DBAPIError as exc:
                raise _explain(exc, url) from exc
    finally:
        if lock:
            lock.release()


def _take_writer_lock(conn: sa.Connection, url: str, started: float, deadline: float,
                      on_wait: WaitCallback | None) -> None:
    """One writer at a time on PostgreSQL: a transaction-scoped advisory lock, taken before the
    writer reads anything it will compare against, so its diff and conflict checks see every
    commit that came before it (READ COMMITTED takes a fresh snapshot per statement)."""
    while not conn.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({WRITER_LOCK_KEY})").scalar():
        waited = time.monotonic() - started
        if time.monotonic() >= deadline:
            raise DatabaseBusy(f"The database at {masked(url)} is busy: another change has been running for "
                               f"{waited:.0f} s. Try again when it has finished.")
        if on_wait:
            on_wait(waited, "another change is being saved")
        time.sleep(0.2)


@contextmanager
def reader(url: str | None = None, *, on_wait: WaitCallback | None = None) -> Iterator[sa.Connection]:
    """A short-lived connection for reading; read-only where the engine can enforce it.

    A DuckDB file that does not exist is reported, never created: only `init` creates one.
    While another process holds a DuckDB file the reader waits (METRICS_READ_WAIT), calling
    `on_wait(seconds, why)` meanwhile.
    """
    url = url or url_from_env()
    path = duckdb_path(url)
    if path is not None and not path.exists():
        raise _missing(path)
    with _connect(url, read_only=path is not None, begin=False, on_wait=on_wait) as conn:
        yield conn


@contextmanager
def writer(url: str | None = None, *, create: bool = False,
           on_wait: WaitCallback | None = None) -> Iterator[sa.Connection]:
    """The single write path: one transaction, committed on success, rolled back on error.

    Writers are serialised (advisory lock on PostgreSQL, the file lock on DuckDB) and wait up
    to METRICS_WRITE_WAIT seconds for one another, calling `on_wait(seconds, why)` meanwhile.
    Only `init` passes create=True: anything else finding no database file says so.
    """
    url = url or url_from_env()
    path = duckdb_path(url)
    if path is not None and not path.exists():
        if not create:
            raise _missing(path)
        path.parent.mkdir(parents=True, exist_ok=True)
    with _connect(url, read_only=False, begin=True, on_wait=on_wait) as conn:
        yield conn


def check(url: str | None = None) -> None:
    """Open and close a connection, turning any failure into a one-line DatabaseError."""
    with reader(url) as conn:
        conn.exec_driver_sql("SELECT 1")
