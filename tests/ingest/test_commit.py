"""Preview, commit, re-upload, rollback and atomicity on DuckDB and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pandas as pd
import pytest
import sqlalchemy as sa

from metrics.access import LOCAL_ADMIN
from metrics.ingest import commit
from metrics.ingest.commit import ingest
from metrics.ingest.rollback import RollbackRefused, rollback
from metrics.store import db, schema
from metrics.store import meta as store
from metrics.views import uploads
from tests.conftest import REPO, make_db, sql_frame
from tests.ingest.conftest import who


def history(url: str):
    return uploads.history(url, LOCAL_ADMIN, limit=200).rows


def snapshot(url: str) -> dict:
    with db.reader(url) as conn:
        counts = {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                  for t in schema.metadata.sorted_tables}
        version = conn.execute(sa.select(schema.meta.c.value).where(schema.meta.c.key == "data_version")).scalar()
    obs = sql_frame("SELECT measure_id, period, dimension, member, value, numerator, denominator, upload_id "
                        "FROM observations ORDER BY measure_id, period, dimension, member", url)
    return {"counts": counts, "data_version": version, "observations": obs.to_csv(index=False)}


def value(url: str, measure_id: str, period: str, dimension: str = "", member: str = ""):
    rows = sql_frame("SELECT value FROM observations WHERE measure_id = :m AND period = :p AND dimension = :d "
                         "AND member = :mb", url, m=measure_id, p=period, d=dimension, mb=member)
    return None if rows.empty else rows["value"].iloc[0]


REG = (b"measure_id,name,kind,unit,direction,frequency,department,owner,public\n"
       b"beds,Shelter beds,output,beds,higher,month,HSD,Ana,false\n"
       b"housed,Households housed,outcome,households,higher,quarter,HSD,Ana,true\n")


def _registry(url: str) -> None:
    out = ingest(REG, url, file_name="registry.csv", actor=who("t"))
    assert out.status == "committed", out.to_summary()


def test_registry_then_preview_commit_rollback(fresh_url):
    _registry(fresh_url)
    first = b"measure_id,period,value,target\nbeds,2018-01,100,120\nbeds,2018-02,110,\nhoused,2018-Q1,3000,2800\n"
    before = snapshot(fresh_url)
    dry = ingest(first, fresh_url, file_name="a.csv", dry_run=True, actor=who())
    assert dry.status == "preview" and dry.preview.counts["new"] == 3
    assert snapshot(fresh_url) == before
    a = ingest(first, fresh_url, file_name="a.csv", actor=who("ana"))
    assert a.status == "committed", a.to_summary()
    assert (a.counts["new"], a.counts["changed"], a.counts["targets_new"]) == (3, 0, 2)
    assert value(fresh_url, "beds", "2018-02") == 110
    # the same bytes again: recognised, nothing written
    again = ingest(first, fresh_url, file_name="a-copy.csv", actor=who())
    assert again.status == "duplicate" and f"#{a.upload_id}" in again.message
    assert len(history(fresh_url)) == 2
    # different bytes, one change: only that row gets a revision
    second = b"measure_id,period,value\nbeds,2018-01,100\nbeds,2018-02,115\nhoused,2018-Q1,3000\n"
    b = ingest(second, fresh_url, file_name="b.csv", actor=who("bo"))
    assert (b.counts["new"], b.counts["changed"], b.counts["unchanged"]) == (0, 1, 2)
    assert b.preview.changed[["old_value", "new_value"]].iloc[0].tolist() == [110, 115]
    revs = sql_frame("SELECT * FROM observation_revisions WHERE upload_id = :u", fresh_url,
                         u=b.upload_id)
    assert len(revs) == 1 and revs.old_upload_id.iloc[0] == a.upload_id
    # a cannot go while b changed its value; b can, then a can
    with pytest.raises(RollbackRefused, match=f"#{b.upload_id}"):
        rollback(a.upload_id, fresh_url, actor=who())
    rollback(b.upload_id, fresh_url, actor=who("t"))
    assert value(fresh_url, "beds", "2018-02") == 110
    obs_a = sql_frame("SELECT upload_id FROM observations WHERE measure_id='beds' AND period='2018-02'",
                          url=fresh_url)
    assert obs_a.upload_id.iloc[0] == a.upload_id
    rollback(a.upload_id, fresh_url, actor=who("t"))
    snap = snapshot(fresh_url)
    assert snap["observations"] == before["observations"]
    assert snap["counts"]["targets"] == before["counts"]["targets"]
    with pytest.raises(RollbackRefused, match="already rolled back"):
        rollback(a.upload_id, fresh_url, actor=who())
    statuses = history(fresh_url).set_index("id")["status"]
    assert statuses[a.upload_id] == statuses[b.upload_id] == "rolled_back"


def test_changed_values_restore_exactly_on_rollback(seeded_url):
    old = value(seeded_url, "households-stable-housing", "2018-Q1")
    before = snapshot(seeded_url)
    out = ingest(b"measure_id,period,value\nhouseholds-stable-housing,2018-Q1,3100\n", seeded_url, actor=who("t"))
    assert out.counts["changed"] == 1 and value(seeded_url, "households-stable-housing", "2018-Q1") == 3100
    rollback(out.upload_id, seeded_url, actor=who())
    assert value(seeded_url, "households-stable-housing", "2018-Q1") == old
    assert snapshot(seeded_url)["observations"] == before["observations"]


def test_unknown_measures_rejected_or_created(fresh_url):
    csv = b"name,period,value\nLibrary visits,2018-03,10\nLibrary visits,2018-04,12\n"
    before = snapshot(fresh_url)
    out = ingest(csv, fresh_url, actor=who())
    assert out.status == "rejected" and out.report.errors[0].code == "cell-unknown-measure"
    assert snapshot(fresh_url) == before
    out = ingest(csv, fresh_url, create_measures=True, actor=who())
    assert out.status == "committed" and out.counts["measures_created"] == 1
    m = sql_frame("SELECT * FROM measures", fresh_url).iloc[0]
    assert (m.id, m.frequency, m.state, bool(m.is_public), m.kind) == ("library-visits", "month", "draft", False,
                                                                      "output")


def test_budget_kinds_load_as_targets_estimates_held_out(fresh_url):
    """Adopted/Proposed budget figures are the level a city committed to: by default they load as
    targets, with the file as their reason; estimates are held out; a mapping may choose otherwise."""
    _registry(fresh_url)
    csv = b"measure_id,period,value\nbeds,2018-19 Adopted,100\nbeds,2018-19 Actual,90\n"
    out = ingest(csv, fresh_url, options={"grain": "fiscal_year"}, dry_run=True, actor=who())
    # beds is monthly, FY periods mismatch: rejected, which is right; use a yearly measure instead
    assert out.status == "rejected"
    ingest(b"measure_id,name,kind,unit,direction,frequency,department,owner,public\n"
           b"fy,Fiscal thing,output,,higher,fiscal_year,,,false\n", fresh_url, actor=who())
    csv = b"measure_id,period,value\nfy,2018-19 Adopted,100\nfy,2017-18 Actual,90\nfy,2018-19 Estimate,97\n"
    out = ingest(csv, fresh_url, file_name="fy.csv", actor=who())
    assert out.status == "committed", out.to_summary()
    assert (out.counts["new"], out.counts["targets_new"], out.counts["held_out"]) == (1, 1, 1)
    assert any(w.code == "row-held-out-kind" and "1 estimate" in w.message for w in out.report.warnings)
    assert value(fresh_url, "fy", "FY2019") is None
    t = sql_frame("SELECT value, reason FROM targets WHERE measure_id = 'fy'", fresh_url)
    assert list(t.value) == [100] and list(t.reason) == [f"from fy.csv (upload #{out.upload_id})"]
    rollback(out.upload_id, fresh_url, actor=who())
    assert sql_frame("SELECT COUNT(*) AS n FROM targets WHERE measure_id = 'fy'", fresh_url).n.iloc[0] == 0
    csv2 = csv + b"fy,2019-20 Actual,95\n"
    out = ingest(csv2, fresh_url, options={"actual_kinds": ["budget"], "target_kinds": []}, actor=who())
    assert value(fresh_url, "fy", "FY2019") == 100 and out.counts["targets"] == 0
    out = ingest(csv2 + b"fy,2020-21 Adopted,99\n", fresh_url, options={"actual_kinds": [], "target_kinds": []},
                 actor=who())
    assert out.counts["targets"] == 0 and out.counts["held_out"] == 3


def test_bad_registry_vocabulary_changes_nothing(fresh_url):
    before = snapshot(fresh_url)
    bad = REG.replace(b"outcome,households,higher", b"result,households,upwards")
    out = ingest(bad, fresh_url, actor=who())
    assert out.status == "rejected"
    assert {e.field_name for e in out.report.errors} == {"kind", "direction"}
    assert all(e.row_number == 3 for e in out.report.errors)
    assert snapshot(fresh_url) == before


def test_mapping_is_remembered_per_source(fresh_url):
    _registry(fresh_url)
    from metrics.ingest import Mapping
    csv = b"code,when,amount,other\nbeds,2018-01,5,7\n"
    m = Mapping(columns={"code": "measure_id", "when": "period", "other": "value"})
    out = ingest(csv, fresh_url, mapping=m, actor=who())
    assert out.status == "committed" and value(fresh_url, "beds", "2018-01") == 7
    out = ingest(csv.replace(b"5,7", b"5,8"), fresh_url, actor=who())  # no mapping given: the remembered one is used
    assert out.report.info.get("mapping_from") == "remembered"
    assert value(fresh_url, "beds", "2018-01") == 8


def test_failure_mid_commit_leaves_db_unchanged(fresh_url, monkeypatch):
    _registry(fresh_url)
    ingest(b"measure_id,period,value\nbeds,2018-01,1\n", fresh_url, actor=who())
    before = snapshot(fresh_url)

    def boom(*args, **kwargs):
        raise RuntimeError("injected failure after the upsert")

    monkeypatch.setattr(commit, "remember_mapping", boom)  # the step right after the observations upsert
    with pytest.raises(RuntimeError, match="injected"):
        ingest(b"measure_id,period,value\nbeds,2018-01,2\nbeds,2018-02,3\n", fresh_url, actor=who("t"))
    assert snapshot(fresh_url) == before
    monkeypatch.undo()
    monkeypatch.setattr(store, "bump_data_version", lambda conn: (_ for _ in ()).throw(RuntimeError("late")))
    with pytest.raises(RuntimeError, match="late"):
        ingest(b"measure_id,period,value\nbeds,2018-01,2\nbeds,2018-02,3\n", fresh_url, actor=who("t"))
    assert snapshot(fresh_url) == before


def _writer_holds_the_lock(url: str) -> bool:
    """True while some session holds the database-wide writer lock (PostgreSQL's pg_locks)."""
    with db.reader(url) as conn:
        return bool(conn.execute(sa.text("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' "
                                         "AND objid = :k AND granted"), {"k": db.WRITER_LOCK_KEY}).scalar())


@pytest.mark.parametrize("delay", [0.0, 0.3])
def test_killed_mid_commit_leaves_no_half_upload(fresh_url, tmp_path, delay):
    """kill -9 an ingest while it writes: the database holds everything it had before, or (had the
    commit finished first) the whole upload, never a part. On PostgreSQL the kill lands while the
    process holds the writer lock, i.e. inside its transaction, so nothing of it may remain."""
    _registry(fresh_url)
    ingest(b"measure_id,period,value\nbeds,2018-01,1\n", fresh_url, actor=who())
    before = snapshot(fresh_url)
    months = pd.period_range("1900-01", periods=1000, freq="M").strftime("%Y-%m")
    big = tmp_path / "big.csv"
    pd.DataFrame({"measure_id": "beds", "period": list(months) * 100, "dimension": "district",
                  "member": [str(i // 1000) for i in range(100_000)], "value": range(100_000)}).to_csv(big, index=False)
    env = {**os.environ, "METRICS_DB_URL": fresh_url}
    proc = subprocess.Popen([sys.executable, "-m", "metrics", "ingest", str(big)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    pg = fresh_url.startswith("postgresql")
    if pg:
        deadline = time.monotonic() + 60
        while not _writer_holds_the_lock(fresh_url) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, proc.stderr.read()
    else:
        time.sleep(1.0)  # past start-up: the file is being read, validated or written
    time.sleep(delay)
    inside = not pg or _writer_holds_the_lock(fresh_url)  # still in its transaction when the kill lands
    proc.kill()
    proc.wait()
    if pg:
        time.sleep(0.5)  # the server notices the dead client and rolls its transaction back
    after = snapshot(fresh_url)
    whole = (after["counts"]["uploads"] == before["counts"]["uploads"] + 1
             and after["counts"]["observations"] == before["counts"]["observations"] + 100_000)
    assert after == before or ((not pg or not inside) and whole)


def test_new_observation_periods_and_upload_columns(fresh_url):
    _registry(fresh_url)
    out = ingest(b"measure_id,period,value\nhoused,Q2 2018,10\n", fresh_url, actor=who("ana"))
    obs = sql_frame("SELECT * FROM observations", fresh_url).iloc[0]
    assert (obs.period, obs.grain, str(obs.period_start)[:10], str(obs.period_end)[:10]) == (
        "2018-Q2", "quarter", "2018-04-01", "2018-06-30")
    up = history(fresh_url).iloc[0]
    assert (up.uploaded_by, up.rows_new, up.status, len(up.sha256)) == ("ana", 1, "committed", 64)
    assert obs.upload_id == out.upload_id


def test_fresh_database_fixture_is_empty(tmp_path):
    url = make_db(f"duckdb:///{tmp_path / 'e.duckdb'}", seeded=False)
    assert snapshot(url)["counts"]["observations"] == 0
