"""Equity: small-count suppression (primary and complementary), gaps, gap series, the city setting."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.domain import equity, settings
from metrics.store import db, meta
from metrics.views import base


def frame(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["period", "member", "value"]).assign(dimension="district")


def test_counts_below_threshold_are_hidden_and_never_shown_as_numbers():
    f = frame([("2020-Q1", "1", 4), ("2020-Q1", "2", 7), ("2020-Q1", "3", 120), ("2020-Q1", "4", 300)])
    out = equity.suppress(f, threshold=11)
    assert out["suppressed"].tolist() == [True, True, False, False]
    assert out["shown"].isna().tolist() == [True, True, False, False]
    text = equity.display_values(out).tolist()
    assert text[:2] == [equity.SUPPRESSED, equity.SUPPRESSED]
    assert "4" not in text and "7" not in text


def test_one_suppressed_cell_takes_the_next_smallest_with_it():
    f = frame([("2020-Q1", "1", 3), ("2020-Q1", "2", 50), ("2020-Q1", "3", 40), ("2020-Q1", "4", 900),
               ("2020-Q2", "1", 30), ("2020-Q2", "2", 50), ("2020-Q2", "3", 40), ("2020-Q2", "4", 900)])
    out = equity.suppress(f, threshold=11)
    q1 = out[out["period"] == "2020-Q1"].set_index("member")["suppressed"]
    assert q1.to_dict() == {"1": True, "2": False, "3": True, "4": False}  # 40 is the next smallest
    assert not out[out["period"] == "2020-Q2"]["suppressed"].any()
    # the city total minus what is shown can't single out one hidden value
    for _, g in out.groupby("period"):
        assert g["suppressed"].sum() != 1


def test_zero_counts_are_suppressed_and_threshold_zero_turns_it_off():
    f = frame([("2020", "a", 0), ("2020", "b", 0), ("2020", "c", 25)])
    assert equity.suppress(f, 11)["suppressed"].tolist() == [True, True, False]
    assert not equity.suppress(f, 0)["suppressed"].any()


def test_a_lone_group_suppressed_with_nothing_else_to_hide_stays_alone():
    f = frame([("2020", "a", 5), ("2020", "b", math.nan)])
    out = equity.suppress(f, 11)
    assert out["suppressed"].tolist() == [True, False]


def test_gaps_use_only_shown_values():
    f = frame([("2020", "a", 5), ("2020", "b", 6), ("2020", "c", 40), ("2020", "d", 100),
               ("2021", "a", 50), ("2021", "b", 60)])
    shown = equity.suppress(f, 11)
    g = equity.gaps(shown).set_index("period")
    expected_2020 = shown[(shown["period"] == "2020") & shown["shown"].notna()]["shown"]
    assert g.at["2020", "value"] == expected_2020.max() - expected_2020.min()
    assert g.at["2020", "low_member"] == "c" and g.at["2020", "high_member"] == "d"
    assert g.at["2021", "value"] == 10


def test_gap_series_is_a_canonical_measure():
    f = pd.concat([frame([("2020", "a", 10), ("2020", "b", 14), ("2021", "a", 9), ("2021", "b", 20)]),
                   frame([("2020", "x", 1)]).assign(dimension="race")])
    s = equity.gap_series(f, "library-visits", "district")
    assert list(s.columns) == ["measure_id", "period", "value"]
    assert set(s["measure_id"]) == {"library-visits-gap-district"}
    by = f[f["dimension"] == "district"].groupby("period")["value"]
    assert s.set_index("period")["value"].to_dict() == (by.max() - by.min()).to_dict()


def test_vs_city_share_for_counts_and_difference_for_rates():
    groups = frame([("2020", "a", 25.0), ("2020", "b", 75.0)]).assign(shown=[25.0, 75.0])
    city = pd.DataFrame({"period": ["2020"], "value": [100.0]})
    assert equity.vs_city(groups, city, counts=True)["vs_city"].tolist() == [25.0, 75.0]
    assert equity.vs_city(groups, city, counts=False)["vs_city"].tolist() == [-75.0, -25.0]


@pytest.mark.parametrize("raw,expected", [("5", 5), ("11.0", 11), (None, 11), ("many", 11), ("-3", 11)])
def test_threshold_setting_falls_back_to_the_default(raw, expected):
    assert settings.from_rows({"suppress_below": raw}).suppress_below == expected


def test_threshold_is_a_city_setting_with_default(seeded_url):
    assert base.status(seeded_url).settings.suppress_below == 11
    with db.writer(seeded_url) as conn:
        meta.set_meta(conn, "suppress_below", "25")
    assert base.status(seeded_url).settings.suppress_below == 25


def test_complementary_suppression_hides_every_tied_next_smallest():
    """One small cell and two equal next-smallest: both are hidden. One would do, but the rule (here
    and in sql/_visibility.sql, which can't pick one of two equal cells) errs towards hiding more."""
    f = frame([("2020", "a", 3.0), ("2020", "b", 40.0), ("2020", "c", 40.0), ("2020", "d", 90.0)])
    out = equity.suppress(f, 11)
    assert out["suppressed"].tolist() == [True, True, True, False]
