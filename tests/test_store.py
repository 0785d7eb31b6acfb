"""The store on both engines: schema, migrations, demo city, queries, export."""

from __future__ import annotations

import subprocess
import sys

import pyarrow as pa
import pytest
import sqlalchemy as sa

from metrics.access import LOCAL_ADMIN
from metrics.access.visibility import PUBLIC, STAFF
from metrics.demo import city as demo
from metrics.store import db, meta, queries, schema
from metrics.views import exports as export
from tests.conftest import REPO, make_db


def test_schema_is_current_and_criteria_loaded(city_url):
    with db.reader(city_url) as conn:
        assert meta.schema_version(conn) == schema.LATEST_VERSION
        n = conn.execute(sa.select(sa.func.count()).select_from(schema.wwc_criteria)).scalar_one()
    assert n == 43


def test_init_is_idempotent(fresh_url):
    with db.writer(fresh_url) as conn:
        assert meta.migrate(conn) == []
        assert meta.schema_version(conn) == schema.LATEST_VERSION


def test_older_database_is_upgraded_in_place(request, tmp_path):
    url = f"duckdb:///{tmp_path / 'old.duckdb'}"
    with db.writer(url, create=True) as conn:
        meta.migrate(conn, target=1)
        conn.execute(sa.insert(schema.priorities).values(id="p", name="Kept", sort=0))
    with db.writer(url) as conn:
        assert meta.schema_version(conn) == 1
        assert meta.migrate(conn) == [v for v, _, _ in schema.MIGRATIONS if v > 1]
    with db.reader(url) as conn:
        assert conn.execute(sa.select(schema.priorities.c.name)).scalar_one() == "Kept"
        assert sa.inspect(conn).has_table("users")


def test_a_migration_merged_below_the_applied_version_still_runs(tmp_path, monkeypatch):
    """Two branches add migrations 11 and 12; a database that ran 12 first must still get 11."""
    url = f"duckdb:///{tmp_path / 'branches.duckdb'}"
    late = (schema.LATEST_VERSION + 2, "second branch", lambda c: c.exec_driver_sql("CREATE TABLE late_t (x INT)"))
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, late])
    with db.writer(url, create=True) as conn:
        meta.migrate(conn)
    early = (schema.LATEST_VERSION + 1, "first branch", lambda c: c.exec_driver_sql("CREATE TABLE early_t (x INT)"))
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS[:-1], early, late])
    with db.writer(url) as conn:
        assert meta.migrate(conn) == [early[0]]
        assert meta.migrate(conn) == []
        assert sa.inspect(conn).has_table("early_t") and meta.schema_version(conn) == late[0]


def test_demo_city_has_the_promised_shape(city_url):
    m = queries.fetch("measures", STAFF, url=city_url)
    assert 110 <= len(m) <= 140
    assert set(m["kind"]) == {"input", "output", "efficiency", "outcome"}
    assert {"month", "quarter", "fiscal_year", "year"} <= set(m["frequency"])
    assert (m["state"] == "draft").sum() >= 3
    goals = queries.fetch("goals", STAFF, url=city_url)
    assert 18 <= len(goals) <= 22
    assert goals["priority_id"].nunique() == 6


def test_homelessness_story_numbers(city_url):
    rows = export.canonical_rows(city_url, LOCAL_ADMIN, "households-stable-housing")
    agg = rows[rows["dimension"] == ""].set_index("period")["value"]
    assert 1700 <= agg["2017-Q1"] <= 1900
    assert 3000 < agg["2018-Q1"] < 3100
    assert agg["2018-Q1"] - agg["2017-Q1"] > 1200
    links = queries.fetch("links", STAFF, url=city_url)
    outputs = set(links[links["outcome_measure_id"] == "households-stable-housing"]["output_measure_id"])
    assert {"shelter-beds", "outreach-contacts", "case-management-hours", "homeless-contract-spending"} <= outputs


def test_public_view_hides_drafts_and_private(city_url):
    staff = queries.fetch("measures", STAFF, url=city_url)
    public = queries.fetch("measures", PUBLIC, url=city_url)
    assert len(public) < len(staff)
    assert (public["state"] == "published").all() and public["is_public"].all()
    draft_id = staff[staff["state"] == "draft"]["id"].iloc[0]
    assert queries.fetch("measure_observations", PUBLIC, url=city_url, measure_id=draft_id).empty
    assert not queries.fetch("measure_observations", STAFF, url=city_url, measure_id=draft_id).empty


def test_engines_agree_byte_for_byte(duck_city, pg_city):
    a = export.to_csv(export.canonical_rows(duck_city, LOCAL_ADMIN))
    b = export.to_csv(export.canonical_rows(pg_city, LOCAL_ADMIN))
    assert a == b and a.count("\n") > 10000


def test_same_seed_same_bytes_other_seed_differs():
    one = demo.build_city(7)["observations"]
    two = demo.build_city(7)["observations"]
    three = demo.build_city(8)["observations"]
    assert one.equals(two)
    assert not one["value"].equals(three["value"])


def test_targets_change_over_time_with_history(city_url):
    t = queries.fetch("targets", STAFF, url=city_url)
    per = t.groupby("measure_id").size()
    assert (per >= 2).mean() > 0.8
    with db.reader(city_url) as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(schema.target_history)).scalar_one()
    assert n == len(t)


def test_list_parameters_expand(city_url):
    df = queries.fetch("goal_observations", STAFF, url=city_url, goal_ids=["reduce-homelessness", "violent-crime"])
    assert set(df["measure_id"]) >= {"households-stable-housing", "violent-crimes"}


def test_bulk_insert_rolls_back_with_the_transaction(fresh_url):
    data = pa.table({"id": ["p1"], "name": ["One"], "description": [None], "sort": [1]})
    with pytest.raises(RuntimeError), db.writer(fresh_url) as conn:
        meta.bulk_insert(conn, "priorities", data)
        raise RuntimeError("fail after the load")
    assert queries.fetch("priorities", STAFF, url=fresh_url).empty
    with db.writer(fresh_url) as conn:
        meta.bulk_insert(conn, "priorities", data)
    assert queries.fetch("priorities", STAFF, url=fresh_url)["name"].tolist() == ["One"]


def test_bulk_insert_loads_a_table_whose_columns_are_chunked_differently(fresh_url):
    """A column that shares a frame's buffers comes in several chunks (one of them empty) next to a
    column built whole: every row arrives as written (PostgreSQL refused the COPY with NUL bytes)."""
    data = pa.table({"id": pa.chunked_array([pa.array([], pa.large_string()), pa.array(["p1", "p2"], pa.large_string())]),
                     "name": pa.chunked_array([pa.array(["One"]), pa.array(["Two"])]),
                     "description": pa.array([None, "second"], pa.string()), "sort": pa.array([1, 2])})
    with db.writer(fresh_url) as conn:
        assert meta.bulk_insert(conn, "priorities", data) == 2
    got = queries.fetch("priorities", STAFF, url=fresh_url).sort_values("id")
    assert got["id"].tolist() == ["p1", "p2"] and got["name"].tolist() == ["One", "Two"]
    assert got["description"].tolist()[1] == "second"


def test_data_version_bumps(fresh_url):
    with db.writer(fresh_url) as conn:
        before = meta.data_version(conn)
        meta.bump_data_version(conn)
    with db.reader(fresh_url) as conn:
        assert meta.data_version(conn) == before + 1


def test_export_neutralises_formulas():
    import pandas as pd
    out = export.to_csv(pd.DataFrame({"measure_id": ["=HYPERLINK(\"x\")", "ok"], "value": [-5.0, 2.0]}))
    assert "'=HYPERLINK" in out and "\n-5\n" not in out.replace(",", "\n") or ",-5" in out
    assert ",-5" in out  # a negative number is data, never prefixed


def test_bad_url_gives_one_line_with_password_masked():
    with pytest.raises(db.DatabaseError) as exc:
        db.check("postgresql+psycopg://alice:s3cret@127.0.0.1:1/nowhere")
    assert "s3cret" not in str(exc.value) and "***" in str(exc.value)
    with pytest.raises(db.DatabaseError):
        db.parse_url("not a url at all")


def test_busy_duckdb_file_is_named(tmp_path, monkeypatch):
    """A writer waits METRICS_WRITE_WAIT seconds for another process, then names the file and holder."""
    monkeypatch.setenv("METRICS_WRITE_WAIT", "1")
    path = tmp_path / "busy.duckdb"
    url = make_db(f"duckdb:///{path}", seeded=False)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(30)"),
        str(path)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert holder.stdout.readline().strip() == "ready"
        waits = []
        with pytest.raises(db.DatabaseBusy) as exc, db.writer(url, on_wait=lambda s, why: waits.append(why)) as conn:
            conn.exec_driver_sql("SELECT 1")
        assert str(path) in str(exc.value) and "busy" in str(exc.value)
        assert f"process {holder.pid}" in str(exc.value) and "open for writing" not in str(exc.value)
        assert waits and "another process" in waits[0]
    finally:
        holder.kill()
        holder.wait()
