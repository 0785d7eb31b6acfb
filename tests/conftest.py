"""Shared fixtures: a seeded DuckDB file, a seeded PostgreSQL schema, and a bare database.

The PostgreSQL fixtures use the real server at 127.0.0.1:5432 (database `test`), each run
in its own schema so parallel or repeated runs never collide; the schema is dropped at
the end. Nothing here mocks a database.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from metrics.demo import city as demo
from metrics.store import db, meta
from metrics.wwc import store as wwc_store

PG_BASE = os.environ.get("METRICS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REPO = Path(__file__).resolve().parents[1]


def make_db(url: str, seeded: bool = True) -> str:
    with db.writer(url, create=True) as conn:
        meta.migrate(conn)
        wwc_store.load_criteria(conn)
        if seeded:
            demo.seed_demo(conn)
    return url


def pg_schema_url(schema_name: str) -> str:
    return f"{PG_BASE}?options=-csearch_path%3D{schema_name}"


@pytest.fixture(scope="session")
def pg_admin() -> sa.Engine:
    eng = sa.create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.exec_driver_sql("SELECT 1")
    return eng


@pytest.fixture(scope="session")
def new_pg_schema(pg_admin):
    made = []

    def make() -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with pg_admin.connect() as c:
            c.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        made.append(name)
        return pg_schema_url(name)

    yield make
    with pg_admin.connect() as c:
        for name in made:
            c.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture(scope="session")
def duck_city(tmp_path_factory) -> str:
    """A read-mostly seeded demo city on DuckDB, shared by the session."""
    path = tmp_path_factory.mktemp("duck") / "city.duckdb"
    return make_db(f"duckdb:///{path}")


@pytest.fixture(scope="session")
def pg_city(new_pg_schema) -> str:
    return make_db(new_pg_schema())


@pytest.fixture(params=["duckdb", "postgresql"])
def city_url(request, duck_city) -> str:
    """Every storage test runs on both engines."""
    if request.param == "duckdb":
        return duck_city
    return request.getfixturevalue("pg_city")


@pytest.fixture(params=["duckdb", "postgresql"])
def fresh_url(request, tmp_path) -> str:
    """An empty, initialised database per test (for tests that write)."""
    if request.param == "duckdb":
        return make_db(f"duckdb:///{tmp_path / 'fresh.duckdb'}", seeded=False)
    return make_db(request.getfixturevalue("new_pg_schema")(), seeded=False)


@pytest.fixture
def seeded_url(duck_city, tmp_path) -> str:
    """A private seeded DuckDB for tests that change data: a copy of the session's city file
    (no connection is ever left open, so the file is complete on disk)."""
    import shutil
    target = tmp_path / "seeded.duckdb"
    shutil.copyfile(db.duckdb_path(duck_city), target)
    return f"duckdb:///{target}"


def sql_frame(sql: str, url: str, **params):
    """Raw SQL for assertions about stored rows (tests only: the product reads through views)."""
    import pandas as pd
    import sqlalchemy as sa

    from metrics.store import db

    with db.reader(url) as conn:
        result = conn.execute(sa.text(sql), params)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def data_table_rows(at, columns: tuple[str, ...] = ("period", "dimension", "member", "value")):
    """Every row of a page's paged table (the first with `columns`: by default the Measure page's Data
    table), turning its pages as a reader would (100 rows each)."""
    import re

    import pandas as pd

    def table():
        return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))

    box = next((n for n in at.number_input if n.label.startswith("Page")), None)
    if box is None:
        return table()
    pages = int(re.search(r"of ([\d,]+)", box.label).group(1).replace(",", ""))
    frames = [table()]
    for k in range(2, pages + 1):
        next(n for n in at.number_input if n.label.startswith("Page")).set_value(k).run()
        frames.append(table())
    return pd.concat(frames, ignore_index=True)
