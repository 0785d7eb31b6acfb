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
import sqlalchemy as sa

from metrics import access
from metrics.access.visibility import STAFF
from metrics.catalog import measures as catalog
from metrics.catalog.targets import set_target
from metrics.domain import overview, periods, rollup, scoring
from metrics.ingest.commit import ingest
from metrics.ingest.rollback import rollback
from metrics.store import db, meta, queries, schema
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


# --------------------------------------------------------------------------- vectorised = row by row

def _refresh_frames(url: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The frames refresh reads (same selects, every measure at once)."""
    m, o, t = schema.measures, schema.observations, schema.targets
    with db.reader(url) as conn:
        def frame(stmt) -> pd.DataFrame:
            result = conn.execute(stmt)
            return pd.DataFrame([tuple(r) for r in result], columns=list(result.keys()))
        return (frame(sa.select(m.c.id, m.c.direction)),
                frame(sa.select(o.c.measure_id, o.c.period, o.c.period_end, o.c.value)
                      .where(o.c.dimension == "", o.c.value.is_not(None))),
                frame(sa.select(t.c.measure_id, t.c.effective_from, t.c.effective_to, t.c.value, t.c.tolerance)
                      .order_by(t.c.measure_id, t.c.effective_from, t.c.id)))


def test_score_rows_equals_row_by_row_on_the_demo_city(seeded_url):
    measures, obs, targets = _refresh_frames(seeded_url)
    got = rollup.score_rows(measures, obs, targets)
    assert len(got) == len(obs) and set(got["status"]) >= {"on_track", "at_risk", "off_track", "no_target"}
    pd.testing.assert_frame_equal(got, score_rows_by_row(measures, obs, targets))
    with db.reader(seeded_url) as conn:  # and as the consistency check reads them (Arrow-typed frames)
        frames = (queries.fetch("measures", STAFF, conn=conn),
                  queries.fetch("composite_history", STAFF, conn=conn, since=date(1900, 1, 1)),
                  queries.fetch("targets", STAFF, conn=conn))
    pd.testing.assert_frame_equal(rollup.score_rows(*frames), score_rows_by_row(*frames))


def _obs(measure_id: str, values: dict[str, float], dimension: str = "") -> list[dict]:
    return [{"measure_id": measure_id, "period": label, "period_end": periods.parse(label).end,
             "dimension": dimension, "value": v} for label, v in values.items()]


def _edge_case_city() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    months = periods.period_range("2018-01", "2020-06")
    measures = pd.DataFrame({"id": ["hi", "lo", "none", "zero", "zlo", "tol", "yr", "fy", "day", "tie", "nantol",
                                    "ended"],
                             "direction": ["higher", "lower", "higher", "higher", "lower", "higher", "higher",
                                           "lower", "higher", "higher", "lower", "higher"]})
    rows = [
        *_obs("hi", {m: 100 + i for i, m in enumerate(months) if m != "2019-03"}),  # a gap: no previous
        *_obs("lo", {"2019-01": 4.0, "2019-02": 0.0, "2019-03": 6.0, "2020-02": 0.0}),  # 0: score cap, pct n/a
        *_obs("none", {"2018-Q4": 3.0, "2019-Q1": 4.0, "2019-Q4": 5.0, "2020-Q1": 2.0}),  # quarterly, no target
        *_obs("zero", {"2019-01": 0.0, "2019-02": 1.0, "2019-03": -1.0}),  # a target of zero
        *_obs("zlo", {"2019-01": 0.0, "2019-02": 1.0, "2019-03": -1.0}),
        *_obs("tol", {"2019-01": 190.0, "2019-02": 189.9, "2019-03": 200.0, "2019-04": 250.0, "2019-05": -0.0}),
        *_obs("yr", {str(y): 10.0 * (y - 2014) for y in range(2015, 2021)}),  # yearly
        *_obs("fy", {f"FY{y}": 50.0 - y % 7 for y in range(2016, 2021)}),  # fiscal
        *_obs("day", {"2019-12-30": 1.0, "2019-12-31": 2.0, "2020-01-01": 3.0, "2020-12-31": 4.0}),
        *_obs("tie", {m: 7.0 for m in months[:15]}),
        *_obs("nantol", {"2019-01": 5.0, "2019-02": 5.5}),
        *_obs("ended", {m: 9.0 for m in months}),
        *_obs("hi", {"2019-05": 999.0}, dimension="ward"),  # a breakdown: not judged
        *_obs("ghost", {"2019-05": 1.0}),  # not a measure of this frame
    ]
    late = [  # after the shuffled rows, so the repeated periods' last rows are these
        {"measure_id": "hi", "period": "2019-06", "period_end": None, "dimension": "", "value": 555.0},  # no end
        {"measure_id": "hi", "period": "2020-07", "period_end": date(2020, 7, 31), "dimension": "",
         "value": math.nan},  # no value: not judged
        {"measure_id": "hi", "period": "2019-08", "period_end": date(2019, 8, 31), "dimension": "",
         "value": 777.0},  # a repeated period: the last one counts
    ]
    obs = pd.concat([pd.DataFrame(rows).sample(frac=1, random_state=11), pd.DataFrame(late)], ignore_index=True)
    targets = pd.DataFrame([
        ("hi", date(2018, 1, 1), None, 110.0, 0.05),
        ("lo", date(2018, 1, 1), None, 5.0, 0.1),
        ("zero", date(2018, 1, 1), None, 0.0, 0.0),
        ("zlo", date(2018, 1, 1), None, 0.0, 0.0),
        ("tol", date(2018, 1, 1), None, 200.0, 0.05),
        ("yr", date(2016, 1, 1), date(2017, 12, 31), 25.0, 0.1),  # ends; nothing in force for 2018
        ("yr", date(2019, 1, 1), None, 45.0, 0.0),
        ("fy", date(2016, 7, 1), None, 45.0, 0.02),
        ("day", date(2019, 12, 31), date(2019, 12, 31), 2.0, 0.0),  # a one-day range
        ("tie", None, None, 1.0, 0.0),  # open both ways
        ("tie", date(2018, 6, 1), None, 6.0, 0.0),
        ("tie", date(2018, 6, 1), None, 8.0, 0.5),  # same day: the later row wins
        ("tie", date(2018, 9, 1), date(2018, 12, 31), 9.0, 0.0),  # ends: back to the tie's winner
        ("nantol", date(2018, 1, 1), None, 5.2, math.nan),
        ("ended", date(2018, 1, 1), date(2019, 6, 30), 10.0, 0.0),  # ends; nothing after
        ("ended", date(2030, 1, 1), date(9999, 12, 31), 1.0, 0.0),  # starts after every period
        ("ghost", date(2018, 1, 1), None, 1.0, 0.0),
    ], columns=["measure_id", "effective_from", "effective_to", "value", "tolerance"])
    return measures, obs, targets


def test_score_rows_equals_row_by_row_on_edge_cases():
    measures, obs, targets = _edge_case_city()
    got = rollup.score_rows(measures, obs, targets)
    pd.testing.assert_frame_equal(got, score_rows_by_row(measures, obs, targets))
    # what the stored rows say, in the terms a reader sees
    at = got.set_index(["measure_id", "period"]).sort_index()  # rows come in the (shuffled) input order
    assert at.loc[("hi", "2019-06"), "actual"] == 555.0 and at.loc[("hi", "2019-08"), "actual"] == 777.0
    assert ("hi", "2020-07") not in at.index and "ghost" not in set(got["measure_id"])
    assert math.isnan(at.loc[("hi", "2019-04"), "change_prev"])  # 2019-03 missing
    assert at.loc[("hi", "2019-04"), "change_yoy"] == at.loc[("hi", "2019-04"), "actual"] - 103
    assert at.loc[("lo", "2019-02"), "score"] == math.inf and math.isnan(at.loc[("lo", "2019-03"), "change_prev_pct"])
    assert set(at.loc["none", "status"]) == {"no_target"} and set(at.loc["none", "grain"]) == {"quarter"}
    assert at.loc["zero", "score"].tolist() == [1.0, math.inf, 0.0]
    assert at.loc["tol", "status"].tolist() == ["at_risk", "off_track", "on_track", "on_track", "off_track"]
    assert at.loc["yr", "target"].fillna(-1).tolist() == [-1, 25.0, 25.0, -1, 45.0, 45.0]
    assert at.loc["tie", "target"].tolist() == [1.0] * 5 + [8.0] * 3 + [9.0] * 4 + [8.0] * 3
    assert at.loc[("day", "2019-12-31"), "target"] == 2.0 and math.isnan(at.loc[("day", "2020-01-01"), "target"])
    assert at.loc["ended", "status"].tolist() == ["off_track"] * 18 + ["no_target"] * 12
    assert set(at.loc["fy", "grain"]) == {"fiscal_year"} and at.loc[("fy", "FY2017"), "change_prev"] == -1.0


def test_score_rows_without_directions_or_rows_as_before():
    measures, obs, targets = _edge_case_city()
    bare = measures[["id"]]  # no direction column: higher is better
    pd.testing.assert_frame_equal(rollup.score_rows(bare, obs, targets), score_rows_by_row(bare, obs, targets))
    pd.testing.assert_frame_equal(rollup.score_rows(measures, obs, None), score_rows_by_row(measures, obs, None))
    others = targets[targets["measure_id"] == "ghost"]  # targets, but none of a measure judged here
    pd.testing.assert_frame_equal(rollup.score_rows(measures, obs, others), score_rows_by_row(measures, obs, others))
    none = obs.iloc[:0]
    pd.testing.assert_frame_equal(rollup.score_rows(measures, none, targets), score_rows_by_row(measures, none, targets))
    sideways = measures.assign(direction=measures["direction"].where(measures["id"] != "none", "sideways"))
    # an unknown direction matters only where there is something to judge (a value and a target)
    pd.testing.assert_frame_equal(rollup.score_rows(sideways, obs, targets),
                                  score_rows_by_row(sideways, obs, targets))
    sideways = measures.assign(direction=measures["direction"].where(measures["id"] != "hi", "sideways"))
    for score_rows in (rollup.score_rows, score_rows_by_row):
        with pytest.raises(ValueError, match="'sideways'"):
            score_rows(sideways, obs, targets)
