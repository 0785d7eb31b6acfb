"""The stored scores (schema v11) stay equal to scoring from scratch after every kind of write.

The Overview and the score CLI read `measure_scores`, which each write keeps in its own
transaction (metrics/store/rollups.py). After an upload, a rollback, a target edit, publishing
and unpublishing, a measure edit, deleting a measure and a change of the city's settings, the
statuses and the composite's movement read from the stored rows must equal what
scoring.latest_status and scoring.composite_series compute from every observation, on DuckDB and
PostgreSQL, and the Overview must show that same headline.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from metrics import access
from metrics.access.visibility import STAFF
from metrics.catalog import measures as catalog
from metrics.catalog.targets import set_target
from metrics.domain import overview, rollup, scoring
from metrics.ingest.commit import ingest
from metrics.ingest.rollback import rollback
from metrics.store import db, meta, queries
from metrics.views import base
from metrics.views import overview as overview_view
from tests.conftest import make_db

ADMIN = access.Actor("user", "ada", "admin")
DAYS = (date(2026, 12, 2), date(2025, 6, 30), date(2027, 3, 1))  # today in the demo, a past day, later on
MEASURE = "shelter-beds"  # monthly, published, under a public goal


@pytest.fixture(params=["duckdb", "postgresql"])
def url(request, seeded_url) -> str:
    if request.param == "duckdb":
        return seeded_url
    return make_db(request.getfixturevalue("new_pg_schema")())


def assert_consistent(url: str) -> None:
    """Stored rows, statuses on several days and the movement all equal the from-scratch values."""
    with db.reader(url) as conn:
        cfg = base.load_settings(conn)
        measures = queries.fetch("measures", STAFF, conn=conn)
        obs = queries.fetch("composite_history", STAFF, conn=conn, since=date(1900, 1, 1))
        targets = queries.fetch("targets", STAFF, conn=conn)
        stored = queries.fetch("measure_scores", STAFF, conn=conn, since=date(1900, 1, 1))
    key = ["measure_id", "period"]
    fresh = rollup.score_rows(measures, obs, targets).sort_values(key).reset_index(drop=True)
    kept = stored.assign(period_end=pd.to_datetime(stored["period_end"]).dt.date)[rollup.SCORE_COLUMNS]
    pd.testing.assert_frame_equal(kept.sort_values(key).reset_index(drop=True), fresh, check_dtype=False)
    rules = {"cap": cfg.composite_cap, "grace_days": cfg.grace_days}
    for day in DAYS:
        since = overview.movement_since(day)
        with db.reader(url) as conn:
            window = queries.fetch("measure_scores", STAFF, conn=conn, since=since)
        pd.testing.assert_frame_equal(rollup.status_at(measures, window, day, **rules),
                                      scoring.latest_status(measures, obs, targets, day, **rules), check_dtype=False)
        points = overview.movement_points(day)
        pd.testing.assert_frame_equal(rollup.series(measures, window, points, **rules),
                                      scoring.composite_series(measures, obs, targets, points, **rules),
                                      check_dtype=False)
    counted = overview.counted_measures(measures)
    v = overview_view.build(url, ADMIN, today=DAYS[0])
    scratch = scoring.composite(counted, obs, targets, DAYS[0], **rules)
    assert v.composite.n_scored == scratch.n_scored
    assert v.composite.score == pytest.approx(scratch.score, rel=1e-12)
    assert v.movement["score"].tolist() == pytest.approx(
        scoring.composite_series(counted, obs, targets, overview.movement_points(DAYS[0]), **rules)["score"].tolist(),
        rel=1e-12, nan_ok=True)


def score_rows_by_row(measures: pd.DataFrame, observations: pd.DataFrame, targets: pd.DataFrame | None
                      ) -> pd.DataFrame:
    """The row-by-row score_rows that rollup.score_rows replaced, kept here as the reference.

    One target lookup, measure_status, score_ratio and pct per aggregate row (the scalar rules
    of `scoring`, called as the stored scores were first computed). bench/rollups.py times
    against it too.
    """
    direction = dict(zip(measures["id"], measures["direction"] if "direction" in measures.columns
                         else ["higher"] * len(measures), strict=True))
    obs = scoring.of_aggregates(observations)
    obs = obs[obs["measure_id"].isin(direction)]
    target_of = scoring.target_lookup(targets)
    mids, labels = obs["measure_id"].tolist(), obs["period"].astype(str).tolist()
    stamps = pd.to_datetime(obs["_end"])
    ends, days, actuals = stamps.tolist(), stamps.dt.date.tolist(), obs["value"].astype(float).tolist()
    values = dict(zip(zip(mids, labels, strict=True), actuals, strict=True))
    facts = {}
    for label in set(labels):
        prev_label, yoy_label, grain, length = scoring.label_facts(label)
        facts[label] = (prev_label, yoy_label, grain, int(length / pd.Timedelta(days=1)))
    rows = []
    for mid, label, end, day, actual in zip(mids, labels, ends, days, actuals, strict=True):
        prev_label, yoy_label, grain, next_days = facts[label]
        way = direction[mid]
        t = target_of(mid, end)
        prev, yoy = values.get((mid, prev_label), math.nan), values.get((mid, yoy_label), math.nan)
        rows.append((mid, label, day, grain, next_days, actual,
                     t.value if t else math.nan, t.tolerance if t else math.nan,
                     scoring.measure_status(actual, t.value if t else None, way, t.tolerance if t else 0.0),
                     scoring.score_ratio(actual, t.value, way, math.inf) if t else math.nan,
                     actual - prev, scoring.pct(actual - prev, prev), actual - yoy, scoring.pct(actual - yoy, yoy)))
    return pd.DataFrame(rows, columns=rollup.SCORE_COLUMNS)


def _csv(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_seeded_city_is_consistent(url):
    assert_consistent(url)


def test_upload_and_rollback(url, tmp_path):
    csv = _csv(tmp_path, "beds.csv", "measure_id,period,value,target\n"
               f"{MEASURE},2026-10,1.0,5000\n{MEASURE},2026-11,9999,5000\n")
    out = ingest(csv, url, actor=ADMIN)
    assert out.status == "committed", out.message
    assert_consistent(url)
    v = overview_view.build(url, ADMIN, today=DAYS[0])
    row = v.status[v.status["measure_id"] == MEASURE].iloc[0]
    assert (row["period"], row["actual"]) == ("2026-11", 9999.0)  # what a reader notices: the new figure
    rollback(out.upload_id, url, actor=ADMIN)
    assert_consistent(url)
    v = overview_view.build(url, ADMIN, today=DAYS[0])
    assert v.status[v.status["measure_id"] == MEASURE].iloc[0]["period"] != "2026-11"


def test_target_edit(url):
    before = overview_view.build(url, ADMIN, today=DAYS[0])
    set_target(url, MEASURE, "2020-01", 1e9, reason="a target nobody can meet", actor=ADMIN)
    assert_consistent(url)
    after = overview_view.build(url, ADMIN, today=DAYS[0])
    row = after.status[after.status["measure_id"] == MEASURE].iloc[0]
    assert row["target"] == 1e9 and row["status"] in ("off_track", "stale")
    assert after.version > before.version


def test_unpublish_and_publish(url):
    catalog.unpublish_measures(url, [MEASURE], actor=ADMIN)
    assert_consistent(url)
    assert MEASURE not in set(overview_view.build(url, ADMIN, today=DAYS[0]).status["measure_id"])
    catalog.publish_measures(url, [MEASURE], actor=ADMIN)
    assert_consistent(url)
    assert MEASURE in set(overview_view.build(url, ADMIN, today=DAYS[0]).status["measure_id"])


def test_measure_edit_direction(url):
    catalog.edit_measure(url, MEASURE, {"direction": "lower"}, actor=ADMIN)
    assert_consistent(url)


def test_new_measure_from_upload_then_deleted_after_rollback(url, tmp_path):
    csv = _csv(tmp_path, "new.csv", "measure_id,period,value\nbrand-new-thing,2026-10,3\n")
    out = ingest(csv, url, actor=ADMIN, create_measures=True)
    assert out.status == "committed", out.message
    assert_consistent(url)
    rollback(out.upload_id, url, actor=ADMIN)  # removes the draft the upload created
    assert_consistent(url)


def test_setting_change(url):
    # No command writes these yet; the stored rows don't depend on them (grace and cap apply when read).
    with db.writer(url) as conn:
        meta.set_meta(conn, "stale_grace_days", "5")
        meta.set_meta(conn, "composite_cap", "1.05")
        meta.bump_data_version(conn)
    assert_consistent(url)
