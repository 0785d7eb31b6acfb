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
