"""Every shared sample lands in a fresh database with --create-measures; SOURCES.md spot checks hold.

LA's FY18-19 long extract holds only budget values (`2017-18 Adopted`, `2018-19 Proposed`):
by default they are held out of observations with a warning (only actuals are observations),
and `actual_kinds=["budget"]` (CLI `--as-actual budget`) loads them when a city wants them.
"""

from __future__ import annotations

import pytest

from metrics.ingest.commit import ingest
from tests.conftest import sql_frame
from tests.ingest.conftest import who
from tests.ingest.test_commit import value

FILES = {
    "la_performance_fy21_22_wide.csv": {},
    "la_performance_fy18_19_long.csv": {},
    "nyc_mmr_indicators_wide.csv": {"grain": "fiscal_year"},
    "boston_budget_health_fy19.json": {},
    "cityscore_toolkit_values_fixture.json": {},
}


@pytest.fixture(scope="module")
def loaded(samples, tmp_path_factory):
    from tests.conftest import make_db
    url = make_db(f"duckdb:///{tmp_path_factory.mktemp('samples') / 's.duckdb'}", seeded=False)
    outcomes = {name: ingest(samples / name, url, options=opts, create_measures=True, actor=who("test"))
                for name, opts in FILES.items()}
    return url, outcomes


def test_every_sample_commits(loaded):
    _, outcomes = loaded
    for name, out in outcomes.items():
        assert out.status == "committed", (name, out.to_summary())


def test_spot_checks(loaded):
    url, outcomes = loaded
    assert value(url, "02MEALS", "FY2018") == 1388026
    assert value(url, "38FIRETRAVEL", "FY2019") == 4.49
    assert value(url, "84OUTAGE", "FY2020") == 18.2
    assert value(url, "119", "FY2019") == 4.38
    assert value(url, "2381", "FY2020") == 5841
    mhl = sql_frame("SELECT id FROM measures WHERE name = :n", url,
                        n="Individuals served by the Mayor's Health Line (MHL)")["id"].iloc[0]
    assert value(url, mhl, "FY2016") == 15071
    boston = outcomes["boston_budget_health_fy19.json"].counts
    assert boston["observations"] + boston["targets"] == 42  # 42 non-missing values: actuals + targets
    # The CityScore fixture names its metric by foreign key (1 = "Library Users" in BOSdata.json,
    # which is not among the samples), so the draft measure's id is "1"; periods are days.
    lib = sql_frame("SELECT id, frequency FROM measures WHERE id = '1'", url)
    assert lib.frequency.iloc[0] == "day"
    assert value(url, "1", "2012-04-27") == 9000
    assert value(url, "1", "2012-04-28") == 12000
    # budget/estimate values are held out, not loaded as actuals
    assert value(url, "02MEALS", "FY2022") is None
    assert outcomes["la_performance_fy21_22_wide.csv"].counts["held_out"] > 0


def test_la_wide_counts(loaded):
    url, outcomes = loaded
    obs = sql_frame("SELECT COUNT(*) AS n FROM observations WHERE measure_id = '02MEALS'", url)
    assert obs.n.iloc[0] == 3  # three years of actuals; adopted budget and estimates are held out
    assert outcomes["la_performance_fy21_22_wide.csv"].counts["measures_created"] == 186


def test_targets_from_files(loaded):
    url, _ = loaded
    t = sql_frame("SELECT value, effective_from, effective_to FROM targets WHERE measure_id = '119' "
                      "ORDER BY effective_from", url)
    assert len(t) > 0 and set(t.value) == {12}
    assert str(t.effective_from.iloc[0])[:10].endswith("-07-01")


def test_la_long_budget_values_held_out_then_loaded_on_request(loaded, samples, tmp_path):
    url, outcomes = loaded
    out = outcomes["la_performance_fy18_19_long.csv"]
    assert out.counts["new"] == 0 and out.counts["held_out"] == 292
    assert any(w.code == "row-held-out-kind" for w in out.report.warnings)
    # FY2019 holds the wide file's "2018-19 Actuals" figure; the long file's proposed budget (16) did not overwrite it
    wide = outcomes["la_performance_fy21_22_wide.csv"].upload_id
    row = sql_frame("SELECT value, upload_id FROM observations WHERE measure_id = '70BOOKING' AND period = 'FY2019'",
                        url=url).iloc[0]
    assert row.upload_id == wide and row.value != 16
    from tests.conftest import make_db
    url2 = make_db(f"duckdb:///{tmp_path / 'b.duckdb'}", seeded=False)
    out = ingest(samples / "la_performance_fy18_19_long.csv", url2, options={"actual_kinds": ["budget"]},
                 create_measures=True, actor=who())
    assert out.status == "committed", out.to_summary()
    assert value(url2, "70BOOKING", "FY2019") == 16
    assert value(url2, "66CLINIC", "FY2018") == 70
