from datetime import date

import pandas as pd
import pytest

from metrics.domain import periods


def test_fiscal_year_is_named_by_its_ending_year():
    p = periods.parse("FY2019")
    assert (p.start, p.end) == (date(2018, 7, 1), date(2019, 6, 30))
    p = periods.parse("FY2019", fiscal_start_month=10)
    assert (p.start, p.end) == (date(2018, 10, 1), date(2019, 9, 30))


def test_quarter_month_year_day_bounds():
    assert periods.parse("2018-Q1").end == date(2018, 3, 31)
    assert periods.parse("2018-02").end == date(2018, 2, 28)
    assert periods.parse("2020").start == date(2020, 1, 1)
    assert periods.parse("2018-03-31").grain == "day"


@pytest.mark.parametrize("raw,grain,expected", [
    ("Q1 2018", None, "2018-Q1"), ("2018Q3", None, "2018-Q3"), ("Jan-2019", None, "2019-01"),
    ("FY19", None, "FY2019"), ("2017-18 Actuals", None, "FY2018"), ("2020-21 Adopted Budget", None, "FY2021"),
    ("2019", "fiscal_year", "FY2019"), ("2019", None, "2019"),
    ("2018-03-31T00:00:00", "month", "2018-03"), ("2018-05-15", "quarter", "2018-Q2"), ("2018-03", None, "2018-03"),
])
def test_department_labels_become_canonical(raw, grain, expected):
    assert periods.normalise(raw, grain) == expected


@pytest.mark.parametrize("bad", ["2018-13", "Q5 2018", "next year", "", "2017-19"])
def test_bad_labels_are_refused(bad):
    with pytest.raises(periods.PeriodError):
        periods.normalise(bad)


def test_shift_and_same_period_last_year():
    assert periods.shift("2018-Q1", -1) == "2017-Q4"
    assert periods.shift("2018-12", 1) == "2019-01"
    assert periods.shift("FY2019", 1) == "FY2020"
    assert periods.same_period_last_year("2018-Q1") == "2017-Q1"
    assert periods.same_period_last_year("2018-03") == "2017-03"


def test_frame_parses_each_label_once_and_maps_back():
    out = periods.frame(pd.Series(["2018-Q1", "2018-Q1", "FY2019"]))
    assert out["grain"].tolist() == ["quarter", "quarter", "fiscal_year"]
    assert out["period_end"].tolist()[2] == date(2019, 6, 30)
