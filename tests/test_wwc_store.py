"""WWC storage: status with history, evidence, new standards, suggestions from the city's own data.

Reads run on DuckDB and PostgreSQL (city_url); writes run on a private seeded database per test on
both engines (`writable_city`). Expected values are computed from the database, never typed in.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from metrics import access
from metrics.access.visibility import STAFF
from metrics.charts import certification as cc
from metrics.domain import certification, overview
from metrics.store import db, meta, queries, schema
from metrics.views import certification as cert_view
from metrics.wwc import store as wwc_store
from tests.conftest import make_db

STAFF_READER = access.LOCAL_ADMIN


def criteria(url: str) -> pd.DataFrame:
    """The criteria with status as staff read them (the Certification view, as the page and CLI do)."""
    return cert_view.build(url, STAFF_READER).criteria


def history(code: str, url: str) -> pd.DataFrame:
    return cert_view.detail(url, STAFF_READER, criterion=code).history


def evidence(code: str, url: str) -> pd.DataFrame:
    return cert_view.detail(url, STAFF_READER, criterion=code).evidence


TESTER = access.Actor("user", "tester", "editor")  # writes require an actor; its name is recorded


@pytest.fixture(params=["duckdb", "postgresql"])
def writable_city(request, tmp_path) -> str:
    """A private seeded demo city on each engine, for tests that write."""
    if request.param == "duckdb":
        return make_db(f"duckdb:///{tmp_path / 'w.duckdb'}")
    return make_db(request.getfixturevalue("new_pg_schema")())


@pytest.fixture(scope="module")
def refusing_city(tmp_path_factory) -> str:
    """One seeded DuckDB shared by the refused-update cases: they must leave it exactly as it was."""
    return make_db(f"duckdb:///{tmp_path_factory.mktemp('refuse') / 'r.duckdb'}")


def snapshot(url: str) -> dict:
    """Everything set_status may touch, to prove a refused update wrote nothing."""
    with db.reader(url) as conn:
        counts = {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                  for t in (schema.wwc_history, schema.wwc_evidence, schema.audit_log)}
        status = conn.execute(sa.select(schema.wwc_status).order_by(schema.wwc_status.c.code)).all()
        return {**counts, "status": [tuple(r) for r in status], "version": meta.data_version(conn)}


def test_criteria_status_matches_tables(city_url):
    df = criteria(city_url)
    with db.reader(city_url) as conn:
        version = wwc_store.current_version(conn)
        raw = pd.DataFrame(conn.execute(sa.select(schema.wwc_status.c.code, schema.wwc_status.c.status)
                                        .where(schema.wwc_status.c.standard_version == version)).all(),
                           columns=["code", "status"])
        n_ev = conn.execute(sa.select(sa.func.count()).select_from(schema.wwc_evidence)
                            .where(schema.wwc_evidence.c.standard_version == version)).scalar_one()
    assert len(df) == len(raw) == certification.load_levels().criteria_count
    assert dict(zip(df["code"], df["status"], strict=True)) == dict(zip(raw["code"], raw["status"], strict=True))
    assert int(df["evidence_count"].sum()) == n_ev


def test_demo_city_is_a_believable_silver(city_url):
    """Partly certified: Silver, core met, some practices strong and some weak, two years of history."""
    config = certification.load_levels()
    a = certification.assess(criteria(city_url), config)
    assert a.level == config.levels[0][0]  # the lowest level (Silver)
    assert a.core_missing == ()
    assert a.next_level is not None and a.needed_for_next > 1
    shares = a.by_practice["share"]
    assert shares.max() >= 0.75 and shares.min() <= 0.25
    with db.reader(city_url) as conn:
        first, last = conn.execute(sa.select(sa.func.min(schema.wwc_history.c.changed_at),
                                             sa.func.max(schema.wwc_history.c.changed_at))).one()
    assert (pd.Timestamp(last) - pd.Timestamp(first)).days >= 365


def test_set_status_writes_fields_evidence_history_audit(writable_city):
    url = writable_city
    before = criteria(url).set_index("code").loc["EV-01"]
    v0 = snapshot(url)["version"]
    with db.writer(url) as conn:
        result = wwc_store.set_status(
            conn, "EV-01", status="met", owner="Evaluation Lead 2", target_date="2027-03-31",
            notes="Evaluation plan adopted",
            evidence=["https://evaluation.example.gov/plan", "measure:households-stable-housing",
                      "goal:reduce-homelessness", {"kind": "document", "ref": "Evaluation policy.pdf"}],
            actor=TESTER)
    assert set(result["changed"]) == {"status", "owner", "target_date", "notes"}
    after = criteria(url).set_index("code").loc["EV-01"]
    assert after["status"] == "met" and after["owner"] == "Evaluation Lead 2"
    assert pd.Timestamp(after["target_date"]).date() == date(2027, 3, 31)
    assert pd.Timestamp(after["last_reviewed"]).date() == meta.now().date()
    assert after["evidence_count"] == before["evidence_count"] + 4

    ev = evidence("EV-01", url)
    assert sorted(ev["kind"].tolist()[:4]) == ["document", "goal", "measure", "url"]
    hist = history("EV-01", url)
    mine = hist[hist["changed_by"] == "tester"]
    by_field = mine.set_index("field")
    assert by_field.loc["status", "old_value"] == before["status"]
    assert by_field.loc["status", "new_value"] == "met"
    assert by_field.loc["owner", "old_value"] == before["owner"]
    assert (mine["field"] == "evidence").sum() == 4
    with db.reader(url) as conn:
        audit = conn.execute(sa.select(schema.audit_log.c.actor, schema.audit_log.c.object_id)
                             .where(schema.audit_log.c.action == "wwc_status_set")).all()
        assert meta.data_version(conn) == v0 + 1
    assert ("tester", "EV-01") in [tuple(r) for r in audit]

    # Unchanged fields write no history.
    row = criteria(url).set_index("code").loc["PA-02"]
    n0 = len(history("PA-02", url))
    with db.writer(url) as conn:
        result = wwc_store.set_status(conn, "PA-02", status=row["status"], owner=row["owner"], actor=TESTER)
    assert result["changed"] == {}
    assert len(history("PA-02", url)) == n0

    # A refused update on this engine leaves every table as it was.
    before = snapshot(url)
    with pytest.raises(wwc_store.CertificationError), db.writer(url) as conn:
        wwc_store.set_status(conn, "OD-04", status="met", evidence=["https://ok.example.gov/", "javascript:x"],
                             actor=TESTER)
    assert snapshot(url) == before


@pytest.mark.parametrize("kwargs, expected", [
    ({"code": "XX-99", "status": "met"}, ["Unknown criterion code"]),
    ({"code": "EV-01", "status": "done"}, ["Status 'done' is not allowed"]),
    ({"code": "EV-01", "status": "met", "evidence": ["javascript:alert(1)"]}, ["http:// or https://"]),
    ({"code": "EV-01", "status": "met", "notes": "x" * (certification.NOTE_MAX_CHARS + 1)}, ["the limit is"]),
    ({"code": "EV-01", "status": "met", "evidence": ["measure:no-such-measure", "goal:nope"]},
     ["no measure with id 'no-such-measure'", "no goal with id 'nope'"]),
    ({"code": "EV-01", "target_date": "2026-02-30"}, ["is not a date"]),
    ({"code": "XX-99", "status": "done", "evidence": ["data:text/html,hi"]},
     ["Unknown criterion code", "not allowed", "http:// or https://"]),
])
def test_invalid_update_writes_nothing(refusing_city, kwargs, expected):
    before = snapshot(refusing_city)
    with pytest.raises(wwc_store.CertificationError) as info, db.writer(refusing_city) as conn:
        wwc_store.set_status(conn, actor=TESTER, **kwargs)
    assert len(info.value.errors) == len(expected)
    for fragment, message in zip(expected, info.value.errors, strict=True):
        assert fragment in message
    assert snapshot(refusing_city) == before


def _next_standard_csv(tmp_path) -> tuple[str, set[str], str]:
    df = pd.read_csv(certification.DEFAULT_CRITERIA_PATH, dtype=str, keep_default_na=False)
    dropped = df["code"].iloc[-1]
    df = df.iloc[:-1]
    new = pd.DataFrame([{"practice": "Community Impact", "code": "CI-04", "criterion": "Resident co-design",
                         "description": "Residents help design services.", "confirmed": "no"}])
    df = pd.concat([df, new], ignore_index=True)
    path = tmp_path / "wwc_2026.csv"
    df.to_csv(path, index=False)
    return str(path), set(df["code"]) - {"CI-04"}, dropped


def test_load_standard_keeps_history_and_carries_status(writable_city, tmp_path):
    url = writable_city
    csv, shared, dropped = _next_standard_csv(tmp_path)
    old = criteria(url).set_index("code")
    old_version = old["standard_version"].iloc[0]
    with db.writer(url) as conn:
        result = wwc_store.load_standard(conn, csv, "2026", "Standard 2026", actor=TESTER)
    assert result["carried_over"] == len(shared) and result["new"] == 1 and result["previous"] == old_version

    new = criteria(url).set_index("code")
    assert (new["standard_version"] == "2026").all()
    assert dropped not in new.index and new.loc["CI-04", "status"] == "not_started"
    for code in shared:
        assert new.loc[code, "status"] == old.loc[code, "status"]
        assert new.loc[code, "evidence_count"] == old.loc[code, "evidence_count"]
    hist = history("PA-01", url)
    carried = hist[hist["field"] == "carried_over"]
    assert len(carried) == 1 and carried["standard_version"].iloc[0] == "2026"
    assert (hist["standard_version"] == old_version).any()  # the old history is still readable
    with db.reader(url) as conn:
        kept = conn.execute(sa.select(sa.func.count()).select_from(schema.wwc_status)
                            .where(schema.wwc_status.c.standard_version == old_version)).scalar_one()
        standards = conn.execute(sa.select(schema.wwc_standards.c.version, schema.wwc_standards.c.is_current)).all()
    assert kept == len(old)
    assert dict(standards) == {old_version: False, "2026": True}

    # A change now lands on the new standard; loading the same version again is refused.
    with db.writer(url) as conn:
        wwc_store.set_status(conn, "CI-04", status="in_progress", actor=TESTER)
    assert criteria(url).set_index("code").loc["CI-04", "status"] == "in_progress"
    before = snapshot(url)
    with pytest.raises(wwc_store.CertificationError, match="already loaded"), db.writer(url) as conn:
        wwc_store.load_standard(conn, csv, "2026", actor=TESTER)
    assert snapshot(url) == before


def test_load_standard_rejects_malformed_file(refusing_city, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("practice,code,criterion,description\nOpen Data,OD-01,A,x\nOpen Data,OD-01,B,y\n")
    before = snapshot(refusing_city)
    with pytest.raises(wwc_store.CertificationError, match="duplicate"), db.writer(refusing_city) as conn:
        wwc_store.load_standard(conn, bad, "2030", actor=TESTER)
    assert snapshot(refusing_city) == before


def test_suggestions_match_counts_from_the_database(city_url):
    sugg = cert_view.build(city_url, STAFF_READER).suggestions.set_index("code")
    with db.reader(city_url) as conn:
        m = pd.DataFrame(conn.execute(sa.select(schema.measures.c.id, schema.measures.c.kind,
                                                schema.measures.c.goal_id, schema.measures.c.state)).all(),
                         columns=["id", "kind", "goal_id", "state"])
        goal_ids = {r[0] for r in conn.execute(sa.select(schema.goals.c.id))}
        disagg = {r[0] for r in conn.execute(sa.select(schema.observations.c.measure_id).distinct()
                                             .where(schema.observations.c.dimension != ""))}
    active = m[~m["state"].str.lower().isin(certification.INACTIVE_MEASURE_STATES)]
    with_outcome = set(active.loc[active["kind"] == "outcome", "goal_id"].dropna()) & goal_ids
    assert sugg.loc["PA-01", "value"] == pytest.approx(len(with_outcome) / len(goal_ids))
    assert sugg.loc["DM-08", "value"] == pytest.approx(len(set(active["id"]) & disagg) / len(active))
    assert sugg.loc["PA-01", "suggests_met"] == (len(with_outcome) / len(goal_ids) >= certification.SUGGEST_MIN_SHARE)
    # Advice only: computing suggestions changed no status.
    assert criteria(city_url)["status"].isin(certification.STATUSES).all()


def test_observations_summary(city_url):
    summary = queries.fetch("wwc_observations_summary", STAFF, url=city_url).set_index("measure_id")
    with db.reader(city_url) as conn:
        last = conn.execute(sa.select(sa.func.max(schema.observations.c.period_end))
                            .where(schema.observations.c.measure_id == "households-stable-housing",
                                   schema.observations.c.dimension == "")).scalar_one()
    assert pd.Timestamp(summary.loc["households-stable-housing", "last_period_end"]).date() == last
    assert summary["has_disaggregation"].dtype == bool


def test_charts_carry_counts_and_titles(duck_city):
    a = certification.assess(criteria(duck_city), certification.load_levels())
    fig = cc.practice_progress_figure(a.by_practice)
    assert [t.name for t in fig.data] == ["Met", "In progress", "Not started"]
    assert f"{a.met} of {a.total} met" in fig.layout.title.text
    assert sum(int(x) for x in fig.data[0].x) == a.met

    measures = queries.fetch("measures", STAFF, url=duck_city)
    recent = queries.fetch("recent_aggregates", STAFF, url=duck_city, depth=overview.RECENT_DEPTH)
    targets = queries.fetch("targets", STAFF, url=duck_city)
    status = overview.measure_status(measures, recent, targets, date.today())
    progress = certification.goal_progress_by_priority(status)
    assert progress["measures"].sum() == len(status)
    assert progress["on_track"].sum() == (status["status"] == "on_track").sum()
    fig = cc.goal_progress_figure(progress)
    assert "measures on track" in fig.layout.title.text
