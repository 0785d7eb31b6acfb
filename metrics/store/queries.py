"""Named SQL from sql/*.sql, run with bound parameters, returned as DataFrames via Arrow.

`pd.read_sql` builds Python tuples row by row; here DuckDB hands back Arrow directly and
PostgreSQL is read through ADBC (libpq COPY into Arrow), so a million-row fetch stays in
columnar memory end to end. SQL text is written once with `:name` parameters and compiled
per engine by SQLAlchemy, so the same file runs on both.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from metrics.access.visibility import Visibility
from metrics.errors import MetricsError
from metrics.store import db

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
_PG_DOLLAR = postgresql.psycopg.dialect(paramstyle="numeric_dollar")


INTERNAL_PREFIXES = ("ingest_",)  # the write path's staging and diff queries


class UnknownQuery(MetricsError, KeyError):
    pass


@lru_cache(maxsize=128)
def sql_text(name: str) -> str:
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file() or path.parent != SQL_DIR:
        raise UnknownQuery(name)
    return path.read_text()


def _compile(sql: str, params: dict, dialect: sa.Dialect) -> tuple[str, list]:
    stmt = sa.text(sql)
    expanding = [sa.bindparam(k, v, expanding=True) for k, v in params.items() if isinstance(v, list | tuple | set)]
    if expanding:
        stmt = stmt.bindparams(*expanding)
    plain = {k: v for k, v in params.items() if not isinstance(v, list | tuple | set)}
    if plain:
        stmt = stmt.bindparams(**plain)
    compiled = stmt.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    bound = compiled.params
    return str(compiled), [bound[n] for n in (compiled.positiontup or [])]


def _adbc_uri(url: sa.URL) -> str:
    """libpq URI for ADBC with the same connect timeout as the SQLAlchemy engine."""
    query = {**url.query, "connect_timeout": str(max(1, round(db.connect_timeout_seconds())))}
    return url.set(drivername="postgresql", query=query).render_as_string(hide_password=False)


def _prepared(name: str, vis: Visibility | None) -> tuple[str, dict]:
    if name.startswith(INTERNAL_PREFIXES):
        return sql_text(name), {}
    if not isinstance(vis, Visibility):
        raise TypeError(f"query '{name}' is a read: pass the reader's access.Visibility")
    return vis.apply(sql_text(name)), vis.params()


def fetch_arrow(name: str, vis: Visibility | None, conn: sa.Connection | None = None, url: str | None = None,
                **params) -> pa.Table:
    """Run a named query and return an Arrow table.

    Every read query is wrapped in the visibility CTEs for `vis` (required: there is no
    default reader). Only the write path's own staging queries (`ingest_*`) run without
    one, and they read nothing but their own temporary tables and the rows they change.
    """
    sql, vis_params = _prepared(name, vis)
    params = {**params, **vis_params}
    if conn is not None:
        return _fetch_on(conn, sql, params)
    url = url or db.url_from_env()
    if db.is_duckdb(url):
        with db.reader(url) as c:
            return _fetch_on(c, sql, params)
    return _fetch_pg_adbc(url, sql, params)


def fetch(name: str, vis: Visibility | None, conn: sa.Connection | None = None, url: str | None = None,
          **params) -> pd.DataFrame:
    return fetch_arrow(name, vis, conn=conn, url=url, **params).to_pandas()


def read_names() -> list[str]:
    """Every named read query (each joins the visibility rule); tests walk this list."""
    return sorted(p.stem for p in SQL_DIR.glob("*.sql") if not p.stem.startswith((*INTERNAL_PREFIXES, "_")))


def _fetch_on(conn: sa.Connection, sql: str, params: dict) -> pa.Table:
    raw = conn.connection.driver_connection
    if conn.dialect.name == "duckdb":
        text, args = _compile(sql, params, conn.dialect)
        return raw.execute(text, args).to_arrow_table()
    # PostgreSQL inside an open SQLAlchemy transaction (e.g. an upload's diff): psycopg.
    result = conn.execute(sa.text(sql), params) if not any(
        isinstance(v, list | tuple | set) for v in params.values()) else conn.execute(
        sa.text(sql).bindparams(*(sa.bindparam(k, expanding=True) for k, v in params.items()
                                  if isinstance(v, list | tuple | set))), params)
    cols = list(result.keys())
    rows = result.fetchall()
    return pa.Table.from_pandas(pd.DataFrame(rows, columns=cols), preserve_index=False)


def _fetch_pg_adbc(url: str, sql: str, params: dict) -> pa.Table:
    import adbc_driver_postgresql.dbapi as adbc

    text, args = _compile(sql, params, _PG_DOLLAR)
    try:
        with adbc.connect(_adbc_uri(db.parse_url(url))) as conn, conn.cursor() as cur:
            cur.execute(f"SET statement_timeout = {int(db.statement_timeout_seconds() * 1000)}")
            cur.execute(text, parameters=args or None)
            return cur.fetch_arrow_table()
    except Exception as exc:  # noqa: BLE001 - one line for the person, details in the chain
        raise db.DatabaseError(f"Query failed on {db.masked(url)}: {str(exc).splitlines()[0]}") from exc
