"""Every shared sample reads with the counts and spot checks listed in SOURCES.md."""

import pandas as pd
import pytest

from metrics.ingest import read_file, validate


def _value(df, mid, period, kind="actual", col="value"):
    row = df[(df.measure_id == mid) & (df.period == period) & (df.value_kind == kind)]
    assert len(row) == 1, (mid, period, kind, len(row))
    return row[col].iloc[0]


def test_la_wide(samples):
    df, report = read_file(samples / "la_performance_fy21_22_wide.csv")
    assert report.valid, report.to_summary()
    assert report.info["layout"] == "wide" and report.info["encoding"] == "utf-8-sig"
    assert df.measure_id.nunique() == 186
    assert df.field_name.nunique() == 6
    assert df.value.notna().sum() == 1073
    assert len(df) == 186 * 6
    assert _value(df, "02MEALS", "FY2018") == 1388026
    assert _value(df, "02MEALS", "FY2022", "budget") == 1341733
    assert _value(df, "06LIVESAVE", "FY2020") == 91
    assert _value(df, "38FIRETRAVEL", "FY2019") == 4.49
    assert _value(df, "84OUTAGE", "FY2020") == 18.2
    assert pd.isna(_value(df, "02CONTACTS", "FY2018"))
    assert _value(df, "02CONTACTS", "FY2020") == 149727
    # 2020-21 holds two kinds: the adopted budget and the estimate
    assert set(df[(df.measure_id == "02MEALS") & (df.period == "FY2021")].value_kind) == {"budget", "estimate"}
    assert df[df.measure_id == "06LIVESAVE"].unit.iloc[0] == "percentage"
    assert {w.code for w in report.warnings} == {"row-totals-row", "row-blank-row"}
    assert sorted(w.row_number for w in report.warnings) == [188, 189]


def test_la_long(samples):
    df, report = read_file(samples / "la_performance_fy18_19_long.csv")
    assert report.valid, report.to_summary()
    assert report.info["layout"] == "long"
    assert len(df) == 300 and df.measure_id.nunique() == 189
    assert set(df.period) == {"FY2018", "FY2019"}
    assert df.value.notna().sum() == 292
    assert _value(df, "66CLINIC", "FY2018", "budget") == 70
    assert _value(df, "70BOOKING", "FY2019", "budget") == 16
    assert pd.isna(_value(df, "30ARTFACILITIES", "FY2018", "budget"))
    assert _value(df, "30ARTFACILITIES", "FY2019", "budget") == 425000
    first = df.iloc[0]
    assert (first.measure_id, first.value, first.row_number) == ("14CITYRECORDS", 2250000, 2)
    assert pd.isna(first.unit)
    assert df.iloc[-1].measure_id == "86NEWSIDEWALK" and pd.isna(df.iloc[-1].value)
    assert df.iloc[-1].row_number == 301
    assert validate(df).valid


def test_nyc_wide(samples):
    df, report = read_file(samples / "nyc_mmr_indicators_wide.csv", options={"grain": "fiscal_year"})
    assert report.valid, report.to_summary()
    assert report.info["layout"] == "wide"
    assert df.measure_id.nunique() == 299 and df.measure_name.nunique() == 299
    assert sorted(df.period.unique()) == [f"FY{y}" for y in range(2016, 2024)]
    assert df.value.notna().sum() == 2270
    assert "YTDScaled" not in set(df.field_name) and "Avg3yr" not in set(df.field_name)
    assert _value(df, "114", "FY2016") == 61.92 and _value(df, "114", "FY2023") == 50.34
    assert pd.isna(_value(df, "114", "FY2016", col="target"))
    assert _value(df, "119", "FY2019") == 4.38 and _value(df, "119", "FY2022") == 8.5
    assert _value(df, "119", "FY2019", col="target") == 12
    assert _value(df, "2381", "FY2020") == 5841
    assert (df[df.measure_id == "2374"].value == 100).all()
    assert [w.code for w in report.warnings] == ["header-missing-label"]


def test_nyc_bare_years_default_to_calendar_years(samples):
    df, _ = read_file(samples / "nyc_mmr_indicators_wide.csv")
    assert _value(df, "119", "2019") == 4.38


def test_boston_json(samples):
    df, report = read_file(samples / "boston_budget_health_fy19.json")
    assert report.valid, report.to_summary()
    assert df.measure_id.nunique() == 13
    assert set(df.period) == {"FY2016", "FY2017", "FY2018", "FY2019"}
    assert df.value.notna().sum() + df.target.notna().sum() == 42
    mhl = "individuals-served-by-the-mayor-s-health-line-mhl"
    assert _value(df, mhl, "FY2016") == 15071
    assert _value(df, mhl, "FY2019", col="target") == 13000
    assert _value(df, "of-babies-who-are-low-birthweight", "FY2016") == 8.8
    assert _value(df, "median-response-time-for-priority-1-calls", "FY2017") == 6.4
    assert _value(df, "median-response-time-for-priority-1-calls", "FY2019", col="target") == 6
    placed = "number-of-individuals-placed-in-recovery-services"
    assert pd.isna(_value(df, placed, "FY2016"))
    assert _value(df, placed, "FY2018", col="target") == 9349
    asthma = df[df.measure_name == "ED visits for asthma in children ages 5 and younger"]
    assert len(asthma) and asthma.value.isna().all() and asthma.target.isna().all()
    assert (df.row_number > 1).all()


def test_cityscore_json(samples):
    df, report = read_file(samples / "cityscore_toolkit_values_fixture.json")
    assert report.valid
    assert list(df.value) == [1000, 9000, 12000]
    assert list(df.period) == ["2012-04-23", "2012-04-27", "2012-04-28"]
    assert set(df.measure_id) == {"1"}


def test_cityscore_headerless_csv():
    data = b"1000,2012-04-23,Library Users\n9000,2012-04-27,Library Users\n12000,2012-04-28,Library Users\n"
    df, report = read_file(data)
    assert report.valid, report.to_summary()
    assert report.info["layout"] == "cityscore"
    assert list(df.value) == [1000, 9000, 12000]
    assert list(df.row_number) == [1, 2, 3]
    assert set(df.measure_name) == {"Library Users"} and set(df.measure_id) == {"library-users"}


@pytest.mark.parametrize("name", ["la_performance_fy21_22_wide.csv", "la_performance_fy18_19_long.csv",
                                  "nyc_mmr_indicators_wide.csv"])
def test_mapping_is_remembered(samples, name):
    from metrics.ingest import Mapping

    df, report = read_file(samples / name)
    again, report2 = read_file(samples / name, mapping=Mapping.from_json(report.info["mapping"]))
    pd.testing.assert_frame_equal(df, again)
    assert report.info["source_key"] == report2.info["source_key"]


def test_details_read_from_the_samples(samples):
    """Direction, department, owner and unit columns are found by name and kept per row as written."""
    nyc, report = read_file(samples / "nyc_mmr_indicators_wide.csv")
    fields = report.info["mapping"]
    assert '"Desired.Direction": "direction"' in fields and '"Agency.Full.Name.y": "department"' in fields
    row = nyc[nyc.measure_id == "119"].iloc[0]
    assert (row.direction, row.department) == ("Down", "Department of Buildings")
    la, _ = read_file(samples / "la_performance_fy21_22_wide.csv")
    assert set(la[la.measure_id == "06LIVESAVE"].department) == {"Animal Services"}
    boston, _ = read_file(samples / "boston_budget_health_fy19.json")
    assert set(boston.department) == {"Public Health Commission"}
    assert set(boston.owner) == {"Monica Valdes Lupi, Executive Director"}
    low = boston[boston.measure_id == "of-babies-who-are-low-birthweight"]
    assert set(low.unit) == {"%"}  # "8.8%" in the file
    mhl = boston[boston.measure_id == "individuals-served-by-the-mayor-s-health-line-mhl"]
    assert mhl.unit.isna().all()  # "15,071": no unit
    city, _ = read_file(samples / "cityscore_toolkit_values_fixture.json")
    assert set(city.measure_name) == {"CityScore metric 1"}  # a foreign key is not a name


def test_cityscore_fixture_with_metric_records_names_the_measure():
    """The toolkit's BOSdata.json-style fixture carries the metric: its name, direction and target."""
    doc = ('[{"model": "cityscore.metric", "pk": 1, "fields": {"name": "Library Users", "direction": true, '
           '"historic": false, "target": 10000}},'
           '{"model": "cityscore.value", "id": 1, "fields": {"val": 1000, "entry_date": "2012-04-23", "metric": 1}}]')
    df, report = read_file(doc.encode())
    assert report.valid, report.to_summary()
    row = df.iloc[0]
    assert (row.measure_id, row.measure_name, row.direction, row.target) == ("1", "Library Users", "higher", 10000)


@pytest.mark.parametrize("text, expected", [
    ("Up", "higher"), ("Down", "lower"), ("Higher", "higher"), ("lower", "lower"), ("Increase", "higher"),
    ("DECREASE", "lower"), ("higher is better", "higher"), ("Lower is better", "lower"), (" down ", "lower"),
    ("Neutral", None), ("", None), (None, None), (float("nan"), None)])
def test_direction_words(text, expected):
    from metrics.ingest.metadata import direction_of
    assert direction_of(text) == expected


@pytest.mark.parametrize("name, unit", [
    ("Permitted jobs professionally certified (%)", "%"), ("Average response time (days)", "days"),
    ("Individuals served by the Mayor's Health Line (MHL)", None),
    ("Average days to complete first plan review (Borough offices) - New buildings", None), ("Plain name", None)])
def test_unit_from_a_name(name, unit):
    from metrics.ingest.metadata import unit_from_name
    assert unit_from_name(name) == unit


def test_drafts_get_the_files_details_and_a_name_that_is_not_a_key():
    from metrics.ingest.metadata import fill_drafts
    from metrics.ingest.registry import draft_measures
    from metrics.ingest.validate import _period_facts

    data = (b"measure_id,name,period,value,desired_direction,agency,owner,methodology\n"
            b"a,Potholes filled (days),2018-Q1,5,Down,Streets,Ana,Counted at close\n"
            b"a,Potholes filled (days),2018-Q2,6,Down,Streets,Ana,Counted at close\n"
            b"7,,2018-Q1,1,sideways,,,\n")
    df, report = read_file(data)
    assert report.valid, report.to_summary()
    drafts = draft_measures(df, _period_facts(df, 7)[0], set(), "f.csv")
    drafts, lines = fill_drafts(drafts, df, "f.csv", df.attrs["fields"])
    a = drafts.set_index("id").loc["a"]
    assert (a["name"], a["unit"], a["direction"], a["department"], a["owner"], a["methodology"], a["frequency"]) == (
        "Potholes filled (days)", "days", "lower", "Streets", "Ana", "Counted at close", "quarter")
    seven = drafts.set_index("id").loc["7"]
    assert seven["name"] == "Measure 7 from f.csv" and seven["direction"] == "higher" and seven["department"] is None
    assert any("direction the importer can't read (sideways" in ln for ln in lines)
    assert any("1 have no direction in the file" in ln for ln in lines)
