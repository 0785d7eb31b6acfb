"""Every shared sample lands in a fresh database with --create-measures, on DuckDB and PostgreSQL;
SOURCES.md spot checks hold, and the drafts carry the details the files give (direction, unit,
department, owner, name, frequency) and the files' targets.

LA's FY18-19 long extract holds only budget values (`2017-18 Adopted`, `2018-19 Proposed`): by
default they load as targets (the level the city committed to), not as observations, and
`actual_kinds=["budget"]` (CLI `--as-actual budget`) loads them as actuals when a city wants that.
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


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def loaded(request, samples, tmp_path_factory):
    from tests.conftest import make_db
    if request.param == "duckdb":
        url = make_db(f"duckdb:///{tmp_path_factory.mktemp('samples') / 's.duckdb'}", seeded=False)
    else:
        url = make_db(request.getfixturevalue("new_pg_schema")(), seeded=False)
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
    # which is not among the samples), so the draft measure's id is "1" (named "CityScore metric 1"); days.
    lib = sql_frame("SELECT id, frequency FROM measures WHERE id = '1'", url)
    assert lib.frequency.iloc[0] == "day"
    assert value(url, "1", "2012-04-27") == 9000
    assert value(url, "1", "2012-04-28") == 12000
    # budget values are targets and estimates held out: neither becomes an actual
    assert value(url, "02MEALS", "FY2022") is None and value(url, "02MEALS", "FY2021") is None
    assert outcomes["la_performance_fy21_22_wide.csv"].counts["held_out"] == 182  # 2020-21 Estimates


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


def test_la_long_budget_values_load_as_targets_or_as_actuals_on_request(loaded, samples, tmp_path):
    url, outcomes = loaded
    out = outcomes["la_performance_fy18_19_long.csv"]
    assert out.counts["new"] == 0 and out.counts["held_out"] == 0 and out.counts["targets"] == 292
    assert target(url, "66CLINIC", "2017-07-01") == 70 and target(url, "66CLINIC", "2018-07-01") == 70
    assert target(url, "70BOOKING", "2017-07-01") == 10 and target(url, "70BOOKING", "2018-07-01") == 16
    assert target(url, "30ARTFACILITIES", "2017-07-01") is None  # NA in the file
    assert target(url, "30ARTFACILITIES", "2018-07-01") == 425000
    # FY2019 holds the wide file's "2018-19 Actuals" figure; the long file's proposed budget (16) is its target
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
    assert out.counts["targets"] == 0


def target(url: str, measure_id: str, effective_from: str):
    t = sql_frame("SELECT value FROM targets WHERE measure_id = :m AND effective_from = :f", url,
                  m=measure_id, f=effective_from)
    return None if t.empty else t["value"].iloc[0]


def measure(url: str, measure_id: str) -> dict:
    rows = sql_frame("SELECT id, name, unit, direction, frequency, department, owner, methodology, data_source, "
                     "state FROM measures WHERE id = :m", url, m=measure_id)
    assert len(rows) == 1, measure_id
    return {k: (None if v is None or v != v else v) for k, v in rows.iloc[0].to_dict().items()}


def test_nyc_drafts_carry_direction_department_unit_and_target(loaded):
    url, _ = loaded
    m = measure(url, "119")
    assert m["name"] == "Average days to complete first plan review (Borough offices) - New buildings"
    assert (m["direction"], m["department"], m["frequency"], m["state"]) == (
        "lower", "Department of Buildings", "fiscal_year", "draft")
    assert m["unit"] is None  # neither a unit column nor a unit in the name
    assert target(url, "119", "2021-07-01") == 12  # Target.MMR
    m = measure(url, "114")
    assert (m["direction"], m["unit"], m["department"]) == ("higher", "%", "Department of Buildings")
    assert measure(url, "2381")["department"] == "Department of Correction"
    assert measure(url, "2374")["unit"] == "%" and target(url, "2374", "2022-07-01") == 100
    directions = sql_frame("SELECT direction, COUNT(*) AS n FROM measures WHERE data_source = "
                           "'nyc_mmr_indicators_wide.csv' GROUP BY direction", url).set_index("direction").n
    assert directions.to_dict() == {"higher": 251, "lower": 48}  # Desired.Direction: 251 Up, 48 Down


def test_la_drafts_carry_unit_department_and_adopted_targets(loaded):
    url, outcomes = loaded
    m = measure(url, "06LIVESAVE")
    assert (m["name"], m["unit"], m["department"], m["frequency"]) == (
        "Animal Live/Save Rate", "percentage", "Animal Services", "fiscal_year")  # name trimmed
    assert measure(url, "38FIRETRAVEL")["unit"] == "in minutes"
    assert measure(url, "84OUTAGE")["unit"] == "in working days"
    assert measure(url, "02MEALS")["department"] == "Aging" and measure(url, "02MEALS")["unit"] is None
    assert measure(url, "02MEALS")["direction"] == "higher"  # LA files have no direction: assumed, and said so
    assert target(url, "02MEALS", "2021-07-01") == 1341733  # 2021-22 Adopted: a future period for the file
    assert target(url, "06LIVESAVE", "2021-07-01") == 91
    lines = outcomes["la_performance_fy21_22_wide.csv"].report.info["measure_details"]
    assert any("department for 186 (from “Department Name”)" in ln for ln in lines)
    assert any("186 have no direction in the file: higher is better is assumed" in ln for ln in lines)
    # the long file met measures the wide file had created: their definitions were left alone, and said so
    assert measure(url, "38FIRETRAVEL")["data_source"] == "la_performance_fy21_22_wide.csv"
    long_lines = outcomes["la_performance_fy18_19_long.csv"].report.info["measure_details"]
    assert any("existing measure" in ln and "38FIRETRAVEL unit" in ln for ln in long_lines)
    assert measure(url, "14VOTERAWARE")["department"] == "City Clerk"  # a draft the long file created


def test_boston_and_cityscore_drafts(loaded):
    url, _ = loaded
    mhl = sql_frame("SELECT id FROM measures WHERE name = :n", url,
                    n="Individuals served by the Mayor's Health Line (MHL)")["id"].iloc[0]
    m = measure(url, mhl)
    assert (m["department"], m["owner"], m["unit"]) == (
        "Public Health Commission", "Monica Valdes Lupi, Executive Director", None)
    assert target(url, mhl, "2018-07-01") == 13000  # FY19 Target
    assert measure(url, "of-babies-who-are-low-birthweight")["unit"] == "%"  # "8.8%" in the file
    placed = "number-of-individuals-placed-in-recovery-services"
    assert target(url, placed, "2017-07-01") == 9349
    lib = measure(url, "1")
    assert lib["name"] == "CityScore metric 1" and lib["frequency"] == "day"


def test_no_draft_text_is_the_word_nan(loaded):
    url, _ = loaded
    cols = ["name", "unit", "department", "owner", "methodology", "data_source"]
    bad = sql_frame("SELECT id FROM measures WHERE " + " OR ".join(f"LOWER({c}) IN ('nan', 'none', '')" for c in cols),
                    url)
    assert bad.empty, bad.id.tolist()[:5]


def test_a_data_file_never_changes_an_existing_measures_definition(fresh_url):
    """An editor's curated definition stays as it is, blanks included; the preview says where the file differs."""
    reg = (b"measure_id,name,kind,unit,direction,frequency,department,owner,public\n"
           b"beds,Shelter beds,output,beds,higher,month,HSD,Ana,false\n"
           b"housed,Households housed,outcome,,higher,quarter,,Ana,true\n")
    assert ingest(reg, fresh_url, file_name="registry.csv", actor=who()).status == "committed"
    before = sql_frame("SELECT * FROM measures ORDER BY id", fresh_url)
    data = (b"measure_id,period,value,direction,department,unit\n"
            b"beds,2018-01,100,Down,Parks,cots\nhoused,2018-Q1,3000,,Housing,\nnew-one,2018-Q1,5,Down,Parks,\n")
    out = ingest(data, fresh_url, file_name="d.csv", create_measures=True, actor=who())
    assert out.status == "committed", out.to_summary()
    after = sql_frame("SELECT * FROM measures WHERE id <> 'new-one' ORDER BY id", fresh_url)
    assert after.drop(columns=["updated_at"]).equals(before.drop(columns=["updated_at"]))
    lines = " ".join(out.report.info["measure_details"])
    assert "differ from 2 existing measures and were not applied" in lines
    assert "beds direction: file “lower”, measure “higher”" in lines and "housed department" in lines
    new = measure(fresh_url, "new-one")
    assert (new["direction"], new["department"], new["state"]) == ("lower", "Parks", "draft")


def test_a_mapping_remembered_before_details_were_read_gains_them(fresh_url, samples):
    """An installation that remembered LA's mapping before this version (no department role, no
    `target_kinds` in its JSON) still gets each draft's department from the file."""
    import json

    import sqlalchemy as sa

    from metrics.ingest import read_file
    from metrics.store import db, meta, schema

    _, report = read_file(samples / "la_performance_fy21_22_wide.csv")
    old = json.loads(report.info["mapping"])
    old.pop("target_kinds")
    old["columns"] = {c: r for c, r in old["columns"].items() if r != "department"}
    with db.writer(fresh_url) as conn:
        conn.execute(sa.insert(schema.column_mappings).values(source_key=report.info["source_key"],
                                                              mapping=json.dumps(old), updated_at=meta.now()))
    out = ingest(samples / "la_performance_fy21_22_wide.csv", fresh_url, create_measures=True, dry_run=True,
                 actor=who())
    assert out.report.info.get("mapping_from") == "remembered"
    assert out.drafts.set_index("id").at["02MEALS", "department"] == "Aging"
