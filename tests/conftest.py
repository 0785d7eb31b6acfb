"""Shared fixtures: a seeded DuckDB file, a seeded PostgreSQL schema, and a bare database.

The PostgreSQL fixtures use the real server at 127.0.0.1:5432 (database `test`), each run
in its own schema so parallel or repeated runs never collide; the schema is dropped at
the end. Nothing here mocks a database.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from metrics.demo import city as demo
from metrics.store import db, meta
from metrics.wwc import store as wwc_store

PG_BASE = os.environ.get("METRICS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REPO = Path(__file__).resolve().parents[1]


def _build(url: str, seeded: bool) -> str:
    with db.writer(url, create=True) as conn:
        meta.migrate(conn)
        wwc_store.load_criteria(conn)
        if seeded:
            demo.seed_demo(conn)
    return url


# Built once per test process (an xdist worker is a process) on first use, then copied: seeding the
# demo city takes seconds and about a hundred fixtures want one. A copy is the same database
# (`init` + `demo`), tables, sequences and data.
_templates: dict[tuple[str, bool], str] = {}
_template_dir: Path | None = None


def _duck_template(seeded: bool) -> Path:
    global _template_dir
    key = ("duckdb", seeded)
    if key not in _templates:
        if _template_dir is None:
            _template_dir = Path(tempfile.mkdtemp(prefix="metrics-templates-"))
            atexit.register(shutil.rmtree, _template_dir, True)
        _templates[key] = _build(f"duckdb:///{_template_dir / f'city-{int(seeded)}.duckdb'}", seeded)
    return db.duckdb_path(_templates[key])


def _pg_schema(url: str) -> str | None:
    match = re.search(r"search_path=([A-Za-z0-9_]+)", str(sa.engine.make_url(url).query.get("options") or ""))
    return match.group(1) if match and url.startswith(PG_BASE) else None


def _pg_template(seeded: bool) -> str:
    key = ("postgresql", seeded)
    if key not in _templates:
        name = f"t_tmpl_{uuid.uuid4().hex[:12]}"
        with _admin().connect() as c:
            c.exec_driver_sql(f'CREATE SCHEMA "{name}"')
        atexit.register(_drop_schema, name)
        _build(pg_schema_url(name), seeded)
        _templates[key] = name
    return _templates[key]


def _drop_schema(name: str) -> None:
    with _admin().connect() as c:
        c.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def _admin() -> sa.Engine:
    return sa.create_engine(PG_BASE, isolation_level="AUTOCOMMIT", poolclass=NullPool)


def _clone_schema(source: str, target: str) -> None:
    """Every table (columns, defaults, keys, indexes, rows) and sequence (with its position) of
    `source` into the empty schema `target`, in one transaction."""
    q = sa.text
    with sa.create_engine(PG_BASE, poolclass=NullPool).begin() as c:
        for (seq,) in c.execute(q("SELECT sequence_name FROM information_schema.sequences "
                                  "WHERE sequence_schema = :s"), {"s": source}):
            c.exec_driver_sql(f'CREATE SEQUENCE "{target}"."{seq}"')
            c.execute(q(f'SELECT setval(:t, last_value, is_called) FROM "{source}"."{seq}"'),  # noqa: S608 - catalog names
                      {"t": f'"{target}"."{seq}"'})
        tables = c.execute(q("SELECT table_name FROM information_schema.tables "
                             "WHERE table_schema = :s AND table_type = 'BASE TABLE'"), {"s": source}).scalars().all()
        for t in tables:
            c.exec_driver_sql(f'CREATE TABLE "{target}"."{t}" (LIKE "{source}"."{t}" INCLUDING ALL)')
            c.exec_driver_sql(f'INSERT INTO "{target}"."{t}" SELECT * FROM "{source}"."{t}"')  # noqa: S608
        defaults = c.execute(q("SELECT table_name, column_name, column_default FROM information_schema.columns "
                               "WHERE table_schema = :s AND column_default LIKE 'nextval(%'"), {"s": target}).all()
        renames = c.execute(q(  # LIKE names keys its own way: give them the source's names
            "SELECT tc.relname, t.conname, s.conname FROM pg_constraint s "
            "JOIN pg_class sc ON sc.oid = s.conrelid JOIN pg_class tc ON tc.relname = sc.relname "
            "JOIN pg_constraint t ON t.conrelid = tc.oid AND t.contype = s.contype "
            "AND pg_get_constraintdef(t.oid) = pg_get_constraintdef(s.oid) "
            "WHERE s.connamespace = CAST(:sn AS regnamespace) AND tc.relnamespace = CAST(:tn AS regnamespace) "
            "AND t.conname <> s.conname"), {"tn": target, "sn": source}).all()
        for rel, old, new in renames:
            c.exec_driver_sql(f'ALTER TABLE "{target}"."{rel}" RENAME CONSTRAINT "{old}" TO "{new}"')
        for t, col, default in defaults:  # LIKE copies nextval() of the source's sequence: point it at ours
            c.exec_driver_sql(f'ALTER TABLE "{target}"."{t}" ALTER COLUMN "{col}" '
                              f'SET DEFAULT {default.replace(source, target)}')


def make_db(url: str, seeded: bool = True) -> str:
    """`init` (and `demo` when seeded) on a new DuckDB file or empty PostgreSQL schema: a copy of a
    database built that way once per process (a seeded one on PostgreSQL)."""
    path = db.duckdb_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_duck_template(seeded), path)
        return url
    schema = _pg_schema(url)
    if schema is None or not seeded:  # an empty database is as quick to build as to copy
        return _build(url, seeded)
    _clone_schema(_pg_template(seeded), schema)
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


@pytest.fixture(scope="session", autouse=True)
def chart_cache(tmp_path_factory) -> Path:
    """One chart-image cache for the run (METRICS_CHART_CACHE), as a city's publishing job would keep:
    sites built from the same data draw each chart once (drawing through kaleido is a build's slow part)."""
    folder = tmp_path_factory.mktemp("chart-cache")
    os.environ["METRICS_CHART_CACHE"] = str(folder)
    return folder
