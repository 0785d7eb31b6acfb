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
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from metrics.errors import MetricsError

DEFAULT_URL = "duckdb:///data/city.duckdb"
_LOCK_RETRY_SECONDS = 5.0
_duckdb_lock = threading.RLock()


class DatabaseError(MetricsError, RuntimeError):
    """A database problem explained in one line for a person, never a traceback."""


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
    return make_url(url).get_backend_name() == "duckdb"


def duckdb_path(url: str | URL) -> Path | None:
    u = make_url(url)
    if u.get_backend_name() != "duckdb" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


@lru_cache(maxsize=16)
def _engine(url: str, read_only: bool) -> sa.Engine:
    parsed = parse_url(url)
    if parsed.get_backend_name() == "duckdb":
        path = duckdb_path(parsed)
        if path is not None and not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        return sa.create_engine(parsed, poolclass=NullPool,
                                connect_args={"read_only": read_only} if path else {})
    engine = sa.create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=5)
    if read_only:
        engine = engine.execution_options(postgresql_readonly=True)
    return engine


def engine(url: str | None = None, read_only: bool = False) -> sa.Engine:
    return _engine(url or url_from_env(), read_only)


def _explain(exc: Exception, url: str) -> DatabaseError:
    text = str(exc)
    path = duckdb_path(url)
    if path is not None and ("lock" in text.lower() or "Conflicting lock" in text):
        holder = ""
        if "PID" in text:
            holder = " (held by PID " + text.split("PID", 1)[1].strip().split()[0].rstrip(")") + ")"
        return DatabaseError(
            f"The database file {path} is busy: another process has it open for writing{holder}. "
            "Try again in a moment, or stop that process.")
    if path is not None and not path.exists():
        return DatabaseError(f"The database file {path} does not exist yet: run `python -m metrics init`.")
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return DatabaseError(f"Cannot use the database at {masked(url)}: {first}")


@contextmanager
def _connect(url: str, read_only: bool, begin: bool) -> Iterator[sa.Connection]:
    eng = engine(url, read_only)
    duck = is_duckdb(url)
    lock = _duckdb_lock if duck else None
    deadline = time.monotonic() + _LOCK_RETRY_SECONDS
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
                    time.sleep(0.1)
                    continue
                raise _explain(exc, url) from exc
            except Exception as exc:  # noqa: BLE001 - driver errors of every kind become one line
                raise _explain(exc, url) from exc
        with conn:
            if begin:
                with conn.begin():
                    yield conn
            else:
                yield conn
    finally:
        if lock:
            lock.release()


@contextmanager
def reader(url: str | None = None) -> Iterator[sa.Connection]:
    """A short-lived connection for reading; read-only where the engine can enforce it."""
    url = url or url_from_env()
    path = duckdb_path(url)
    ro = path is not None and path.exists()
    with _connect(url, read_only=ro, begin=False) as conn:
        yield conn


@contextmanager
def writer(url: str | None = None) -> Iterator[sa.Connection]:
    """The single write path: one transaction, committed on success, rolled back on error."""
    with _connect(url or url_from_env(), read_only=False, begin=True) as conn:
        yield conn


def check(url: str | None = None) -> None:
    """Open and close a connection, turning any failure into a one-line DatabaseError."""
    with reader(url) as conn:
        conn.exec_driver_sql("SELECT 1")
