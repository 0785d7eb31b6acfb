"""Scoring: status against the target in force, staleness, trend, projection, composite, noise."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metrics.domain import periods, scoring
from metrics.domain.scoring import (
    STATUSES,
    composite,
    composite_from_status,
    composite_series,
    is_stale,
    latest_status,
    measure_status,
    movers,
    projection,
    score_ratio,
    target_for,
)
from metrics.domain.spc import control_limits, is_real_change, signals


def make_obs(measure_id: str, values: dict[str, float], dimension: str = "", member: str = "") -> pd.DataFrame:
    rows = []
    for label, v in values.items():
        p = periods.parse(label)
        rows.append({"measure_id": measure_id, "period": label, "period_start": p.start, "period_end": p.end,
                     "dimension": dimension, "member": member, "value": v,
                     "numerator": math.nan, "denominator": math.nan})
    return pd.DataFrame(rows)


def make_measures(*specs: tuple[str, str, str]) -> pd.DataFrame:
    """specs: (id, direction, frequency)."""
    return pd.DataFrame([{"id": i, "name": f"Measure {i}", "kind": "outcome", "unit": "count", "direction": d,
                          "frequency": f, "department": "D", "owner": "o", "goal_id": "g1", "is_public": True,
                          "state": "published"} for i, d, f in specs])


def make_targets(*rows: tuple[str, str, str | None, float, float]) -> pd.DataFrame:
    """rows: (measure_id, effective_from, effective_to, value, tolerance)."""
    return pd.DataFrame([{"measure_id": m, "effective_from": date.fromisoformat(a),
                          "effective_to": date.fromisoformat(b) if b else None, "value": v, "tolerance": t}
                         for m, a, b, v, t in rows])


# --------------------------------------------------------------------------- status

def test_statuses_have_label_colour_and_symbol_for_every_status():
    assert set(STATUSES) == {"on_track", "at_risk", "off_track", "no_target", "stale", "no_data"}
    colours = [s.colour for s in STATUSES.values()]
    symbols = [s.symbol for s in STATUSES.values()]
    assert len(set(colours)) == len(colours) and len(set(symbols)) == len(symbols)
    assert all(c.startswith("#") and len(c) == 7 for c in colours)
    assert STATUSES["off_track"].label == "Off track"


def test_tolerance_boundary_higher_is_better():
    # target 200, tolerance 5%: allowed miss = 0.05 * 200 = 10
    assert measure_status(200, 200, "higher", 0.05) == "on_track"   # meets
    assert measure_status(250, 200, "higher", 0.05) == "on_track"   # beats
    assert measure_status(190, 200, "higher", 0.05) == "at_risk"    # misses by exactly 10
    assert measure_status(189.9, 200, "higher", 0.05) == "off_track"  # misses by 10.1


def test_lower_is_better_flips_the_comparison():
    # response time target 10 days, tolerance 10%: allowed miss = 1 day
    assert measure_status(9, 10, "lower", 0.10) == "on_track"
    assert measure_status(11, 10, "lower", 0.10) == "at_risk"       # 1 day over
    assert measure_status(11.5, 10, "lower", 0.10) == "off_track"   # 1.5 days over
    assert measure_status(9, 10, "higher", 0.10) == "at_risk"        # same number, other direction


def test_missing_target_or_value_is_never_green():
    assert measure_status(120, None, "higher") == "no_target"
    assert measure_status(float("nan"), 100, "higher") == "no_data"


def test_target_for_picks_target_in_force_at_period_end():
    t = make_targets(("m", "2018-01-01", "2018-06-30", 100, 0.05),
                     ("m", "2018-07-01", None, 150, 0.05),
                     ("m", "2019-01-01", None, 175, 0.10))   # overlaps the open-ended 150 from 2019
    assert target_for(t, "m", date(2018, 6, 30)).value == 100
    assert target_for(t, "m", date(2018, 7, 31)).value == 150
    assert target_for(t, "m", date(2019, 3, 31)).value == 175   # latest effective_from wins
    assert target_for(t, "m", date(2017, 12, 31)) is None       # before any target
    assert target_for(t, "other", date(2018, 6, 30)) is None


# --------------------------------------------------------------------------- array forms = the scalar rules

EDGE_ACTUALS = [0.0, -0.0, 1.0, -1.0, 4.75, 5.0, 5.25, 189.9, 190.0, 200.0, 1e-12, math.inf, -math.inf, math.nan]
EDGE_TARGETS = [0.0, -0.0, 5.0, -5.0, 200.0, 1e-12, 0.5, math.inf, math.nan]
EDGE_TOLERANCES = [0.0, 0.05, 0.1, -0.05, 1.0, math.inf, math.nan]


def _grid() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    a, t, tol, way = zip(*itertools.product(EDGE_ACTUALS, EDGE_TARGETS, EDGE_TOLERANCES, ["higher", "lower"]),
                         strict=True)  # not a MultiIndex: its levels would fold -0.0 into 0.0
    return np.array(a), np.array(t), np.array(tol), np.array(way, dtype=object)


def _same_floats(got: np.ndarray, want: list[float]) -> None:
    """Equal values, NaN where NaN, and the same sign on zeros (what is stored is what is shown)."""
    want = np.array(want, dtype=float)
    np.testing.assert_array_equal(got, want)
    assert (np.signbit(got) == np.signbit(want)).all()


def test_array_status_and_score_equal_the_scalar_rules_on_every_edge_case():
    # The stored scores (domain.rollup) use the array forms: they must give what the page's scalar rules give.
    a, t, tol, way = _grid()
    py = a.tolist(), t.tolist(), tol.tolist(), way.tolist()  # the scalar rules get Python floats, as before
    want = [measure_status(x, y, d, z) for x, y, z, d in zip(*py, strict=True)]
    assert scoring.measure_statuses(a, t, way, tol).tolist() == want
    for cap in (scoring.DEFAULT_CAP, math.inf, 1):
        _same_floats(scoring.score_ratios(a, t, way, cap),
                     [score_ratio(x, y, d, cap) for x, y, _z, d in zip(*py, strict=True)])
    assert scoring.measure_statuses(a, t, "lower", 0.05).tolist() == [measure_status(x, y, "lower", 0.05)
                                                                       for x, y in zip(*py[:2], strict=True)]


def test_array_percent_change_equals_the_scalar_rule():
    change, base = (np.array(v) for v in zip(*itertools.product(EDGE_ACTUALS, EDGE_TARGETS), strict=True))
    _same_floats(scoring.pcts(change, base),
                 [scoring.pct(c, b) for c, b in zip(change.tolist(), base.tolist(), strict=True)])


def test_array_forms_refuse_an_unknown_direction_only_where_the_scalar_rules_would():
    with pytest.raises(ValueError, match="'sideways'"):
        measure_status(1.0, 2.0, "sideways")
    with pytest.raises(ValueError, match="'sideways'"):
        scoring.measure_statuses([math.nan, 1.0], [2.0, 2.0], ["higher", "sideways"])
    with pytest.raises(ValueError, match="'sideways'"):
        scoring.score_ratios([1.0], [2.0], ["sideways"])
    # nothing to judge (no value or no target): the scalar rules never ask for the direction
    assert scoring.measure_statuses([math.nan, 1.0], [2.0, math.nan], "sideways").tolist() == ["no_data",
                                                                                               "no_target"]
    assert np.isnan(scoring.score_ratios([1.0], [math.nan], "sideways")).all()


def test_targets_in_force_equals_target_lookup_for_every_pair():
    t = make_targets(("m", "2018-01-01", "2018-06-30", 100, 0.05),
                     ("m", "2018-07-01", None, 150, 0.05),
                     ("m", "2019-01-01", "2019-03-31", 175, 0.10),   # ends: back to the open-ended 150
                     ("m", "2020-01-01", None, 10, 0.0),
                     ("m", "2020-01-01", None, 20, 0.2),            # same day: the later row wins
                     ("e", "2010-01-01", "2011-12-31", 5, 0.0),      # over before any period
                     ("f", "2030-01-01", "9999-12-31", 5, 0.0),      # starts after every period
                     ("nan-tol", "2018-01-01", None, 8, math.nan),
                     ("gone", "2018-01-01", None, 1, 0.0))           # a measure with no periods here
    t = pd.concat([t, pd.DataFrame([{"measure_id": "open", "effective_from": None, "effective_to": None,
                                     "value": 3.0, "tolerance": 0.1},
                                    {"measure_id": "open", "effective_from": date(2019, 2, 1),
                                     "effective_to": date(2019, 2, 28), "value": 4.0, "tolerance": 0.1}])],
                  ignore_index=True)
    months = periods.period_range("2017-11", "2020-02")
    ids = [m for m in ("m", "e", "f", "nan-tol", "open", "none") for _ in months]
    ends = pd.Series(pd.to_datetime([periods.parse(x).end for x in months] * 6)).sample(frac=1, random_state=3)
    ids = pd.Series(ids).loc[ends.index]
    value, tolerance, found = scoring.targets_in_force(t, ids, ends)
    lookup = scoring.target_lookup(t)
    want = [lookup(m, e) for m, e in zip(ids, ends, strict=True)]
    assert found.tolist() == [w is not None for w in want]
    _same_floats(value, [w.value if w else math.nan for w in want])
    _same_floats(tolerance, [w.tolerance if w else math.nan for w in want])
    assert {v for v, m in zip(value, ids, strict=True) if m == "m"} >= {100, 150, 175, 20}  # every rule was hit
    assert not found[(ids == "none").to_numpy()].any()
    assert not scoring.targets_in_force(None, ids, ends)[2].any()


def test_status_uses_target_in_force_when_target_changes_mid_history():
    m = make_measures(("m", "higher", "month"))
    obs = make_obs("m", {"2018-05": 110, "2018-06": 120, "2018-07": 120})
    t = make_targets(("m", "2018-01-01", "2018-06-30", 100, 0.05), ("m", "2018-07-01", None, 150, 0.05))
    june = latest_status(m, obs, t, as_of=date(2018, 7, 15)).iloc[0]
    # 2018-06 against 100: 120 >= 100 -> on track
    assert (june["period"], june["target"], june["status"]) == ("2018-06", 100, "on_track")
    july = latest_status(m, obs, t, as_of=date(2018, 8, 15)).iloc[0]
    # 2018-07 against 150: miss 30 > 0.05 * 150 = 7.5 -> off track, even though the value didn't change
    assert (july["period"], july["target"], july["status"]) == ("2018-07", 150, "off_track")
    assert july["score"] == pytest.approx(0.8)  # 120 / 150


def test_stale_after_one_cycle_plus_grace():
    # monthly, latest 2018-03: next period ends 2018-04-30, + 45 days grace = 2018-06-14
    assert not is_stale("2018-03", date(2018, 6, 14))
    assert is_stale("2018-03", date(2018, 6, 15))
    # annual 2017: next period ends 2018-12-31, + 120 days = 2019-04-30
    assert not is_stale("2017", date(2019, 4, 30))
    assert is_stale("2017", date(2019, 5, 1))
    assert is_stale("2018-03", date(2018, 5, 1), grace_days=0)  # 2018-04-30 + 0 < 2018-05-01


def test_latest_status_stale_no_target_no_data_and_trend():
    m = make_measures(("a", "higher", "month"), ("b", "higher", "month"), ("c", "higher", "month"),
                      ("d", "lower", "month"))
    obs = pd.concat([
        make_obs("a", {"2017-03": 88, "2018-02": 100, "2018-03": 110}),
        make_obs("a", {"2018-04": 999}, dimension="ward", member="1"),   # breakdown row: not the city figure
        make_obs("b", {"2017-06": 50}),
        make_obs("d", {"2018-03": 5}),
    ])
    t = make_targets(("a", "2017-01-01", None, 100, 0.05), ("b", "2017-01-01", None, 100, 0.05))
    df = latest_status(m, obs, t, as_of=date(2018, 4, 10)).set_index("measure_id")
    a = df.loc["a"]
    assert a["period"] == "2018-03" and a["actual"] == 110 and a["status"] == "on_track"
    # vs previous month: 110 - 100 = 10 (10 / 100 = 10%); vs 2017-03: 110 - 88 = 22 (22 / 88 = 25%)
    assert (a["change_prev"], a["change_prev_pct"]) == (10, pytest.approx(10.0))
    assert (a["change_yoy"], a["change_yoy_pct"]) == (22, pytest.approx(25.0))
    assert a["score"] == pytest.approx(1.1)  # 110 / 100
    # b's latest is 2017-06: due 2017-07-31 + 45 days = 2017-09-14, long before 2018-04-10
    assert df.loc["b", "status"] == "stale"
    assert df.loc["c", "status"] == "no_data" and pd.isna(df.loc["c", "period"])
    assert df.loc["d", "status"] == "no_target" and pd.isna(df.loc["d", "score"])
    assert math.isnan(df.loc["d", "change_prev"])  # no 2018-02 value


def test_score_cap_and_zero_edge_cases():
    assert score_ratio(200, 100, "higher") == 1.25         # 2.0 capped at default 1.25
    assert score_ratio(200, 100, "higher", cap=1.5) == 1.5
    assert score_ratio(50, 100, "higher") == 0.5
    assert score_ratio(25, 20, "lower") == pytest.approx(0.8)  # 20 / 25
    assert score_ratio(0, 5, "lower") == 1.25              # zero incidents against a target of 5: best
    assert score_ratio(0, 0, "lower") == 1.0               # Vision Zero met
    assert score_ratio(3, 0, "lower") == 0.0               # Vision Zero missed
    assert score_ratio(3, 0, "higher") == 1.25             # beats a target of zero


# --------------------------------------------------------------------------- composite

def _composite_fixture():
    m = make_measures(("A", "higher", "month"), ("B", "higher", "month"), ("C", "lower", "month"),
                      ("D", "higher", "month"), ("E", "higher", "month"), ("F", "higher", "month"),
                      ("G", "higher", "month"))
    obs = pd.concat([make_obs("A", {"2020-01": 100}), make_obs("B", {"2020-01": 50}),
                     make_obs("C", {"2020-01": 25}), make_obs("D", {"2020-01": 300}),
                     make_obs("E", {"2019-01": 100}), make_obs("F", {"2020-01": 7})])
    t = make_targets(*[(x, "2019-01-01", None, v, 0.05) for x, v in
                       [("A", 100), ("B", 100), ("C", 20), ("D", 100), ("E", 100)]])
    return m, obs, t


def test_composite_weights_cap_and_exclusions():
    m, obs, t = _composite_fixture()
    c = composite(m, obs, t, date(2020, 2, 10), weights=pd.Series({"B": 2.0}))
    # scores: A 100/100 = 1, B 50/100 = 0.5 (weight 2), C 20/25 = 0.8, D 300/100 = 3 -> cap 1.25
    # weighted mean = (1 + 2*0.5 + 0.8 + 1.25) / (1 + 2 + 1 + 1) = 4.05 / 5 = 0.81
    assert c.score == pytest.approx(0.81)
    assert (c.n_scored, c.stale_excluded, c.no_target_excluded, c.no_data_excluded) == (4, 1, 1, 1)
    # contributions w*(s-1)/5: B 2*(-0.5)/5 = -0.2, C -0.2/5 = -0.04, A 0, D 0.25/5 = 0.05; worst first
    assert list(c.contributions["measure_id"]) == ["B", "C", "A", "D"]
    assert list(c.contributions["contribution"]) == pytest.approx([-0.2, -0.04, 0.0, 0.05])
    assert c.contributions["contribution"].sum() == pytest.approx(c.score - 1)


def test_composite_unweighted_and_series_over_time():
    m, obs, t = _composite_fixture()
    # unweighted: (1 + 0.5 + 0.8 + 1.25) / 4 = 3.55 / 4 = 0.8875
    assert composite(m, obs, t, date(2020, 2, 10)).score == pytest.approx(0.8875)
    more = pd.concat([obs, make_obs("B", {"2020-02": 100})])
    series = composite_series(m, more, t, ["2020-01", "2020-02"])
    # end of 2020-01: as above. End of 2020-02: B = 100/100 = 1 -> (1 + 1 + 0.8 + 1.25) / 4 = 1.0125
    assert list(series["label"]) == ["2020-01", "2020-02"]
    assert list(series["score"]) == pytest.approx([0.8875, 1.0125])
    assert list(series["stale_excluded"]) == [1, 1]


def test_composite_from_status_with_nothing_scored_is_nan_not_zero():
    status = pd.DataFrame({"measure_id": ["x"], "name": ["X"], "status": ["no_target"], "score": [math.nan]})
    c = composite_from_status(status)
    assert math.isnan(c.score) and c.n_scored == 0 and c.no_target_excluded == 1


# --------------------------------------------------------------------------- trajectory

def test_projection_sentence_and_will_meet():
    hist = pd.Series([1000, 1312, 1624, 1936], index=["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"])
    p = projection(hist, 3500, "2025-Q4", "higher", unit="households")
    # +312 a quarter = 1,248 a year; 2025-Q4 is 4 quarters after 2024-Q4: 1936 + 4 * 312 = 3184 < 3500
    assert p.slope_per_period == pytest.approx(312)
    assert p.slope_per_year == pytest.approx(1248)
    assert p.projected == pytest.approx(3184)
    assert p.uncertainty == pytest.approx(0, abs=1e-6)  # perfectly straight line
    assert p.will_meet is False
    assert p.sentence.startswith("At the current pace (+312 households a quarter) the goal of 3,500 by 2025-Q4 "
                                 "will not be met (projected 3,184")
    assert projection(hist, 3000, "2025-Q4").will_meet is True
    # lower is better: 3184 <= 3500 meets a "no more than 3,500" goal
    assert projection(hist, 3500, "2025-Q4", "lower").will_meet is True


def test_projection_uncertainty_widens_and_too_few_points():
    hist = pd.Series([10, 14, 11, 15, 13, 17], index=periods.period_range("2023-01", "2023-06"))
    near = projection(hist, 20, "2023-09")
    far = projection(hist, 20, "2025-12")
    assert near.uncertainty > 0 and far.uncertainty > near.uncertainty
    few = projection(hist.iloc[:3], 20, "2023-09")
    assert few.will_meet is None and "at least 4" in few.sentence


# --------------------------------------------------------------------------- noise

BASELINE = [10, 12, 11, 13, 14, 12]
# moving ranges 2, 1, 2, 1, 2 -> mean 8 / 5 = 1.6; sigma = 1.6 / 1.128 = 1.41844
# mean = 72 / 6 = 12; UCL = 12 + 3 * 1.41844 = 16.2553; LCL = 12 - 4.2553 = 7.7447


def test_xmr_limits_from_average_moving_range():
    lim = control_limits(pd.Series(BASELINE + [40]), baseline_n=6)  # the 7th point is outside the baseline
    assert lim.mean == pytest.approx(12)
    assert lim.mr_bar == pytest.approx(1.6)
    assert lim.sigma == pytest.approx(1.6 / 1.128)
    assert (lim.ucl, lim.lcl) == (pytest.approx(16.2553, abs=1e-4), pytest.approx(7.7447, abs=1e-4))


def test_point_beyond_limits_is_a_real_signal():
    values = pd.Series(BASELINE + [13, 17])
    sig = signals(values, baseline_n=6)
    assert list(sig["signal"]) == [False] * 7 + [True]   # 17 > 16.2553
    assert "upper control limit" in sig["reason"].iloc[-1]
    real, why = is_real_change(values, baseline_n=6)
    assert real and why.startswith("Real signal")
    calm, why = is_real_change(pd.Series(BASELINE + [13, 15]), baseline_n=6)
    assert not calm and why.startswith("Normal variation")


def test_eight_in_a_row_on_one_side_is_a_shift():
    # the baseline ends on the mean (12), so the run starts with the first 13
    values = pd.Series(BASELINE + [13] * 8)
    sig = signals(values, baseline_n=6)
    assert list(sig["signal"]) == [False] * 13 + [True]   # 8th consecutive point above 12
    assert "8 points in a row above the average" in sig["reason"].iloc[-1]
    assert not is_real_change(values.iloc[:-1], baseline_n=6)[0]   # 7 in a row: not yet
    assert is_real_change(values, baseline_n=6)[0]


def test_is_real_change_needs_enough_history():
    real, why = is_real_change(pd.Series([1, 2, 30]))
    assert not real and "too few" in why


# --------------------------------------------------------------------------- movers

def test_movers_adjusts_for_direction():
    status = pd.DataFrame({
        "measure_id": ["A", "B", "C", "D", "E"],
        "direction": ["higher", "lower", "higher", "lower", "higher"],
        "status": ["on_track", "on_track", "off_track", "at_risk", "stale"],
        "change_prev_pct": [10.0, -20.0, -5.0, 3.0, 50.0],
        "change_yoy_pct": [math.nan] * 5,
    })
    top = movers(status, n=5)
    # B's response time fell 20% -> +20 improvement; E is stale and left out
    assert list(top.improvers["measure_id"]) == ["B", "A"]
    assert list(top.improvers["improvement"]) == [20.0, 10.0]
    assert list(top.decliners["measure_id"]) == ["C", "D"]   # -5, then -3
    assert len(movers(status, n=1).improvers) == 1


def test_domain_modules_do_not_import_streamlit_or_a_database():
    """The domain is pure: every module under metrics/domain imports neither Streamlit nor a driver."""
    mods = ", ".join(f"metrics.domain.{p.stem}" for p in (Path(__file__).resolve().parents[1] / "metrics" / "domain").glob("*.py")
                     if p.stem != "__init__")
    code = (f"import sys, {mods}; "
            "bad = [m for m in ('streamlit', 'sqlalchemy', 'duckdb', 'psycopg') if m in sys.modules]; "
            "sys.exit(str(bad) if bad else 0)")
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)  # noqa: S603


@pytest.mark.parametrize("last_end, frequency, stale", [
    ("2024-12-31", "year", True), ("2025-12-31", "year", False), ("2025-06-30", "fiscal_year", False),
    ("2026-03-31", "quarter", False), ("2026-04-30", "month", False), ("2026-03-31", "month", True)])
def test_certification_and_overview_share_one_stale_rule(last_end, frequency, stale):
    """On 2026-06-15 a yearly measure last reported for 2024 is stale on the Overview (due 2026-04-30
    with 120 days' grace) and certification evidence ("measures updated on schedule") says so too;
    they used to disagree for yearly measures."""
    from metrics.domain import certification
    from metrics.domain import scoring as rules
    from metrics.domain.settings import Settings

    grace = Settings().grace_days
    label = periods.label_of(pd.Timestamp(last_end), frequency)
    assert rules.is_stale(label, date(2026, 6, 15), pd.Timestamp(last_end), grace) is stale
    assert certification._on_schedule(pd.Timestamp(last_end), frequency, date(2026, 6, 15), 7, grace) is (not stale)
