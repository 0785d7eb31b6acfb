"""`python -m metrics score`: the scorecard a user pipes into a spreadsheet, checked against the data."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

from metrics.access.visibility import STAFF
from metrics.domain import periods, scoring
from metrics.store import queries
from tests.test_cli import run


def _reference(url: str, as_of, include_drafts: bool = False) -> tuple[dict, scoring.Composite]:
    """Score from the full history (not the depth-limited SQL the CLI uses), via the primitives;
    published measures only unless drafts are asked for (as the CLI does)."""
    measures = queries.fetch("measures", STAFF, url=url)
    measures = measures[measures["state"].isin(["published", "draft"] if include_drafts else ["published"])]
    obs = queries.fetch("goal_observations", STAFF, url=url, goal_ids=measures["goal_id"].dropna().unique().tolist())
    targets = queries.fetch("targets", STAFF, url=url)
    status = scoring.latest_status(measures, obs, targets, as_of)
    return status.set_index("measure_id").to_dict("index"), scoring.composite_from_status(status)


def test_json_as_of_a_quarter_matches_the_full_history(city_url):
    out = run("score", "--as-of", "2018-Q1", "--format", "json", url=city_url)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    as_of = periods.parse("2018-Q1").end
    ref, comp = _reference(city_url, as_of)
    assert result["composite"] == pytest.approx(comp.score)
    assert result["stale_excluded"] == comp.stale_excluded
    rows = {r["measure_id"]: r for r in result["measures"]}
    assert set(rows) == set(ref)
    for mid, r in rows.items():
        assert r["status"] == ref[mid]["status"], mid
        assert r["period"] == ref[mid]["period"]
        if r["actual"] is not None:
            assert r["actual"] == pytest.approx(ref[mid]["actual"])
    home = rows["households-stable-housing"]
    assert home["period"] == "2018-Q1" and home["actual"] == 3024
    targets = queries.fetch("targets", STAFF, url=city_url)
    t = scoring.target_for(targets, "households-stable-housing", as_of)
    assert home["target"] == t.value
    assert home["score"] == pytest.approx(scoring.score_ratio(3024, t.value))
    assert home["status"] == scoring.measure_status(3024, t.value, "higher", t.tolerance)


def test_csv_has_the_documented_columns_and_ends_with_the_composite(duck_city):
    out = run("score", "--as-of", "2019-06", "--format", "csv", url=duck_city)
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0]) == ["measure_id", "period", "actual", "target", "score", "status"]
    last = rows[-1]
    assert last["measure_id"] == "_composite" and last["status"] == "composite"
    as_json = json.loads(run("score", "--as-of", "2019-06", "--format", "json", url=duck_city).stdout)
    assert float(last["score"]) == pytest.approx(as_json["composite"])
    assert len(rows) - 1 == len(as_json["measures"])
    # nothing ends after the as-of date
    for r in rows[:-1]:
        if r["period"]:
            assert periods.parse(r["period"]).end <= periods.parse("2019-06").end


def test_default_is_today_and_counts_add_up(duck_city):
    result = json.loads(run("score", "--format", "json", url=duck_city).stdout)
    statuses = [r["status"] for r in result["measures"]]
    assert result["stale_excluded"] == statuses.count("stale") > 0
    assert result["n_scored"] == sum(s in scoring.SCORED_STATUSES for s in statuses)
    scored = [r["score"] for r in result["measures"] if r["status"] in scoring.SCORED_STATUSES]
    assert result["composite"] == pytest.approx(sum(scored) / len(scored))
    assert all(r["score"] is None or not math.isnan(r["score"]) for r in result["measures"])


def test_a_bad_period_is_one_line_and_non_zero(duck_city):
    out = run("score", "--as-of", "2018-13", url=duck_city)
    assert out.returncode != 0
    assert "Traceback" not in out.stderr and "--as-of" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert "score" in run("--help").stdout


def test_cli_composite_equals_the_overview_views_for_the_same_day(city_url):
    """The CLI and the Overview compute through the same view: the same day gives the same composite."""
    from datetime import date

    from metrics import access
    from metrics.views import overview as overview_view

    today = date.today()
    out = run("score", "--as-of", today.isoformat(), "--format", "json", url=city_url)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    view = overview_view.build(city_url, access.LOCAL_ADMIN, today=today)
    assert result["as_of_date"] == today.isoformat()
    assert result["composite"] == pytest.approx(view.composite.score)
    assert result["n_scored"] == view.composite.n_scored
    assert result["stale_excluded"] == view.composite.stale_excluded == view.counts["stale"]
    assert {r["measure_id"]: r["status"] for r in result["measures"]} == dict(
        zip(view.status["measure_id"], view.status["status"], strict=True))


def test_include_drafts_scores_the_drafts_too(duck_city):
    """Default: published measures only; --include-drafts adds the demo's drafts, matching the full history."""
    from metrics.demo import spec as demo_spec

    plain = json.loads(run("score", "--as-of", "2019-06", "--format", "json", url=duck_city).stdout)
    out = run("score", "--as-of", "2019-06", "--include-drafts", "--format", "json", url=duck_city)
    assert out.returncode == 0, out.stderr
    every = json.loads(out.stdout)
    ids, all_ids = {r["measure_id"] for r in plain["measures"]}, {r["measure_id"] for r in every["measures"]}
    assert not ids & demo_spec.DRAFTS and all_ids - ids == demo_spec.DRAFTS
    assert not plain["include_drafts"] and every["include_drafts"]
    assert plain["drafts_left_out"] == len(demo_spec.DRAFTS) and every["drafts_left_out"] == 0
    ref, comp = _reference(duck_city, periods.parse("2019-06").end, include_drafts=True)
    assert set(ref) == all_ids and every["composite"] == pytest.approx(comp.score)
    assert "--include-drafts" in run("score", "--help").stdout
