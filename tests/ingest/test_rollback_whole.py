"""Rollback undoes the whole upload (issue 10, item 2) on DuckDB and PostgreSQL.

Upload + rollback of each shared sample ("create unknown measures" on) returns the demo city to
exactly its earlier state: every table, all rows, compared. What is not compared is the record
of what happened: the upload's own row in `uploads` (it now says rolled back), the audit log,
and the change ledgers (`target_history`, `observation_revisions`, `upload_changes`), plus the
data version, which only ever moves forward so caches notice. The Overview's counts are the same
before, while the drafts exist, and after. A registry upload rolls back too, and a rollback that
would remove something another upload, person, link or goal now relies on refuses, naming it,
and changes nothing.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from metrics.ingest.commit import ingest
from metrics.ingest.rollback import RollbackRefused, rollback
from metrics.store import db, schema
from metrics.views import overview as overview_view
from tests.conftest import make_db
from tests.ingest.conftest import who
from tests.ingest.test_samples_db import FILES
from tests.test_drafts import VIEWER, headline

LEDGERS = {"audit_log", "target_history", "observation_revisions", "upload_changes"}
MOVING_META = {"data_version", "data_updated_at"}
TODAY = date.today()


def state(url: str, skip_upload: int | None = None) -> dict[str, list[tuple]]:
    """Every row of every table in the database (not only the ones schema.py knows), sorted."""
    out = {}
    with db.reader(url) as conn:
        for name in sorted(sa.inspect(conn).get_table_names()):
            if name in LEDGERS:
                continue
            rows = [tuple(r) for r in conn.execute(sa.text(f'SELECT * FROM "{name}"')).all()]  # noqa: S608 - names from the catalog
            if name == "uploads":
                rows = [r for r in rows if r[0] != skip_upload]
            if name == "meta":
                rows = [r for r in rows if r[0] not in MOVING_META]
            out[name] = sorted(rows, key=repr)
    return out


def assert_same(before: dict, after: dict) -> None:
    assert set(before) == set(after)
    for name in before:
        assert after[name] == before[name], f"table {name} differs after the rollback"


@pytest.fixture(params=["duckdb", "postgresql"])
def city(request, tmp_path) -> str:
    if request.param == "duckdb":
        return make_db(f"duckdb:///{tmp_path / 'city.duckdb'}")
    return make_db(request.getfixturevalue("new_pg_schema")())


def test_each_sample_rolls_back_to_exactly_the_earlier_state(city, samples):
    for name, opts in FILES.items():
        before, shown = state(city), headline(overview_view.build(city, VIEWER, today=TODAY))
        out = ingest(samples / name, city, options=opts, create_measures=True, actor=who())
        assert out.status == "committed", (name, out.to_summary())
        assert state(city) != before  # it did land: values (and drafts, targets) exist
        assert headline(overview_view.build(city, VIEWER, today=TODAY)) == shown, name  # drafts don't count
        message = rollback(out.upload_id, city, actor=who())
        if out.counts["measures_created"]:
            assert f"{out.counts['measures_created']:,} draft measures removed" in message
        assert_same(before, state(city, skip_upload=out.upload_id))
        assert headline(overview_view.build(city, VIEWER, today=TODAY)) == shown, name


REG = (b"measure_id,name,kind,unit,direction,frequency,department,owner,public\n"
       b"beds,Shelter beds,output,beds,higher,month,HSD,Ana,false\n"
       b"households-stable-housing,Households housed,outcome,households,higher,quarter,HSD,Bo,true\n")


def measure_rows(url: str) -> list[tuple]:
    with db.reader(url) as conn:
        return sorted(tuple(r) for r in conn.execute(sa.select(schema.measures)).all())


def test_a_registry_upload_rolls_back_its_measure_rows(city):
    before, everything = measure_rows(city), state(city)
    first = ingest(REG, city, file_name="registry.csv", actor=who())
    assert first.counts["measures_new"] == 1 and first.counts["measures_changed"] == 1, first.to_summary()
    second = ingest(REG.replace(b"Shelter beds", b"Shelter beds (nightly)"), city, file_name="r2.csv", actor=who())
    with pytest.raises(RollbackRefused, match=f"Roll back upload #{second.upload_id} first"):
        rollback(first.upload_id, city, actor=who())
    rollback(second.upload_id, city, actor=who())
    with db.reader(city) as conn:
        assert conn.execute(sa.select(schema.measures.c.name).where(schema.measures.c.id == "beds")).scalar() == \
            "Shelter beds"
    assert "1 measures restored" in rollback(first.upload_id, city, actor=who())
    assert measure_rows(city) == before  # the changed one has its old row back, the new one is gone
    with db.reader(city) as conn:
        skip = {first.upload_id, second.upload_id}
        uploads = [r for r in conn.execute(sa.select(schema.uploads.c.id)).scalars() if r not in skip]
    after = state(city)
    after["uploads"] = [r for r in after["uploads"] if r[0] not in skip]
    assert uploads == [r[0] for r in everything["uploads"]]
    assert_same(everything, after)


NEW = b"name,period,value,target\nTree plantings logged,2018-03,10,12\nTree plantings logged,2018-04,12,\n"


def _draft_upload(url: str) -> int:
    out = ingest(NEW, url, create_measures=True, actor=who())
    assert out.status == "committed" and out.counts["measures_created"] == 1, out.to_summary()
    return out.upload_id


def _refused(url: str, upload_id: int, match: str) -> None:
    before = state(url)
    with pytest.raises(RollbackRefused, match=match):
        rollback(upload_id, url, actor=who())
    assert state(url) == before  # a refusal changes nothing


def test_refuses_while_a_later_upload_has_values_in_its_draft(city):
    first = _draft_upload(city)
    later = ingest(b"measure_id,period,value\ntree-plantings-logged,2018-05,14\n", city, actor=who())
    _refused(city, first, f"tree-plantings-logged has 1 values from upload #{later.upload_id}")
    rollback(later.upload_id, city, actor=who())
    rollback(first, city, actor=who())
    assert all(r[0] != "tree-plantings-logged" for r in measure_rows(city))


def test_refuses_once_the_draft_was_published_or_given_a_goal(city):
    first = _draft_upload(city)
    m = schema.measures
    with db.writer(city) as conn:
        conn.execute(sa.update(m).where(m.c.id == "tree-plantings-logged").values(state="published", goal_id="g"))
    _refused(city, first, r"measure tree-plantings-logged was changed since \(goal_id, state\)")


def test_refuses_while_a_target_set_by_someone_else_or_a_link_refers_to_it(city):
    first = _draft_upload(city)
    t = schema.targets
    with db.writer(city) as conn:
        conn.execute(sa.update(t).where(t.c.measure_id == "tree-plantings-logged").values(value=20, set_by="ana",
                                                                                    reason="review"))
    _refused(city, first, "the target of tree-plantings-logged from 2018-03-01 was changed since")
    with db.writer(city) as conn:
        conn.execute(sa.insert(t).values(measure_id="tree-plantings-logged", effective_from=date(2019, 1, 1), value=5,
                                         set_by="bo"))
    _refused(city, first, "tree-plantings-logged has 1 target set by bo")
    with db.writer(city) as conn:
        conn.execute(sa.insert(schema.links).values(output_measure_id="tree-plantings-logged",
                                                    outcome_measure_id="households-stable-housing"))
    _refused(city, first, "tree-plantings-logged is linked to households-stable-housing")
