"""Outcomes vs outputs: alignment and roll-up, conversion, lagged correlation, divergence, mix."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics.domain import periods
from metrics.domain.compare import (
    aligned,
    conversion,
    cost_per_outcome,
    divergence,
    goals_without_outcome,
    lagged_correlation,
    measurement_mix,
    rollup_method,
)


def make_obs(measure_id: str, values: dict[str, float], dimension: str = "") -> pd.DataFrame:
    rows = []
    for label, v in values.items():
        p = periods.parse(label)
        rows.append({"measure_id": measure_id, "period": label, "period_start": p.start, "period_end": p.end,
                     "dimension": dimension, "member": "" if not dimension else "x", "value": v,
                     "numerator": math.nan, "denominator": math.nan})
    return pd.DataFrame(rows)


MEASURES = pd.DataFrame([
    # id, kind, unit, frequency, department, goal_id
    ("housed", "outcome", "households", "quarter", "Housing", "g1"),
    ("hours", "output", "hours", "month", "Housing", "g1"),
    ("placed", "output", "percent", "month", "Housing", "g1"),
    ("spend", "input", "$", "quarter", "Housing", "g1"),
    ("annual", "output", "count", "year", "Housing", None),
    ("potholes", "output", "count", "month", "Streets", "g2"),
    ("response", "efficiency", "days", "month", "Streets", "g2"),
    ("satisfaction", "outcome", "percent", "year", "Streets", "g3"),
], columns=["id", "kind", "unit", "frequency", "department", "goal_id"]).assign(
    name=lambda d: d["id"], direction="higher", owner="o", is_public=True, state="published")


def test_rollup_rule_by_unit():
    assert rollup_method("households") == "sum"
    assert rollup_method("hours") == "sum"          # hours of effort add up
    assert rollup_method("$") == "sum"
    assert rollup_method("%") == "mean"
    assert rollup_method("percent") == "mean"
    assert rollup_method("days") == "mean"          # average response time
    assert rollup_method("calls per 1,000 residents") == "mean"
    assert rollup_method("dollars", kind="efficiency") == "mean"


def test_monthly_outputs_roll_up_to_quarters():
    obs = pd.concat([
        make_obs("housed", {"2018-Q1": 5, "2018-Q2": 7, "2018-Q3": 9}),
        make_obs("hours", {"2018-01": 10, "2018-02": 20, "2018-03": 30, "2018-04": 40, "2018-05": 50,
                           "2018-06": 60, "2018-07": 70}),
        make_obs("hours", {"2018-01": 5000}, dimension="ward"),   # breakdown rows are ignored
        make_obs("placed", {"2018-01": 80, "2018-02": 90, "2018-03": 100, "2018-04": 70, "2018-05": 70,
                            "2018-06": 70}),
    ])
    df = aligned(obs, "housed", ["hours", "placed"], MEASURES)
    assert list(df.index) == ["2018-Q1", "2018-Q2", "2018-Q3"]
    assert list(df.columns) == ["housed", "hours", "placed"]
    # hours summed: Q1 = 10 + 20 + 30 = 60, Q2 = 40 + 50 + 60 = 150; Q3 has only July -> NaN, not 70
    assert df["hours"].iloc[:2].tolist() == [60, 150] and math.isnan(df.at["2018-Q3", "hours"])
    # percent averaged: Q1 = (80 + 90 + 100) / 3 = 90, Q2 = 70
    assert df["placed"].iloc[:2].tolist() == [90, 70]
    partial = aligned(obs, "housed", ["hours"], MEASURES, require_complete=False)
    assert partial.at["2018-Q3", "hours"] == 70
    forced = aligned(obs, "housed", ["placed"], MEASURES, how={"placed": "sum"})
    assert forced.at["2018-Q1", "placed"] == 270   # 80 + 90 + 100


def test_aligned_keeps_gaps_and_rolls_the_finer_side_up_in_either_direction():
    obs = pd.concat([make_obs("housed", {"2018-Q1": 5, "2018-Q3": 9}), make_obs("annual", {"2018": 12})])
    df = aligned(obs, "housed", [], MEASURES)
    assert list(df.index) == ["2018-Q1", "2018-Q2", "2018-Q3"] and math.isnan(df.at["2018-Q2", "housed"])
    # an annual output: the quarterly outcome is rolled up to years (a year missing a quarter is NaN)
    yearly = aligned(obs, "housed", ["annual"], MEASURES)
    assert list(yearly.index) == ["2018"] and math.isnan(yearly.at["2018", "housed"])
    full = pd.concat([make_obs("housed", {"2018-Q1": 5, "2018-Q2": 6, "2018-Q3": 9, "2018-Q4": 1}),
                      make_obs("annual", {"2018": 12})])
    assert aligned(full, "housed", ["annual"], MEASURES).loc["2018"].tolist() == [21, 12]


def test_levels_take_the_last_value_and_the_measure_says_how():
    measures = pd.DataFrame({"id": ["deaths", "cameras", "share"], "unit": ["deaths", "cameras", "units"],
                             "kind": ["outcome", "output", "output"], "frequency": ["month", "quarter", "month"],
                             "rollup": ["sum", "last", "mean"]})
    obs = pd.concat([make_obs("deaths", {"2018-01": 1, "2018-02": 2, "2018-03": 3, "2018-04": 4, "2018-05": 5,
                                         "2018-06": 6}),
                     make_obs("cameras", {"2018-Q2": 30, "2018-Q1": 20}),
                     make_obs("share", {"2018-03": 30, "2018-01": 10, "2018-02": 20})])
    df = aligned(obs, "deaths", ["cameras", "share"], measures)
    assert list(df.index) == ["2018-Q1", "2018-Q2"]
    assert df["deaths"].tolist() == [6, 15]  # monthly counts summed into the outputs' quarters
    assert df["cameras"].tolist() == [20, 30]
    assert df.at["2018-Q1", "share"] == 20  # the rollup column wins over the unit rule (sum)
    levels = measures.assign(rollup=["last", "last", "last"])
    # levels: the value at the end of each quarter, whatever order the rows came in
    assert aligned(obs, "deaths", ["cameras", "share"], levels).loc["2018-Q1"].tolist() == [3, 20, 30]


def test_calendar_and_fiscal_years_do_not_nest():
    measures = pd.DataFrame({"id": ["a", "b"], "unit": ["x", "x"], "kind": ["outcome", "input"],
                             "frequency": ["year", "fiscal_year"]})
    obs = pd.concat([make_obs("a", {"2018": 1}), make_obs("b", {"FY2019": 2})])
    with pytest.raises(ValueError, match="do not nest"):
        aligned(obs, "a", ["b"], measures)


def test_conversion_and_cost_per_outcome():
    df = pd.DataFrame({"housed": [5, 6, 4], "hours": [60, 0, 200], "spend": [10_000, 9_000, 0]},
                      index=["2018-Q1", "2018-Q2", "2018-Q3"])
    c = conversion(df, "housed", "hours", per=100)
    # 5 / 60 * 100 = 8.333 households per 100 hours; zero hours -> NaN; 4 / 200 * 100 = 2
    assert c.at["2018-Q1", "conversion"] == pytest.approx(8.3333, abs=1e-4)
    assert math.isnan(c.at["2018-Q2", "conversion"])
    assert c.at["2018-Q3", "conversion"] == 2
    cost = cost_per_outcome(df, "housed", "spend")
    # 10,000 / 5 = 2,000 per household; 9,000 / 6 = 1,500
    assert cost["cost_per_outcome"].tolist()[:2] == [2000, 1500]


def test_lagged_correlation_finds_output_leading_by_two_periods():
    labels = periods.period_range("2018-Q1", "2020-Q2")   # 10 quarters
    output = [3, 7, 2, 9, 4, 8, 1, 6, 5, 10]
    # outcome[t] = 2 * output[t - 2] + 1 from the third quarter on: 2*3+1 = 7, 2*7+1 = 15, ...
    outcome = [math.nan, math.nan] + [2 * x + 1 for x in output[:-2]]
    df = pd.DataFrame({"outcome": outcome, "output": output}, index=labels)
    res = lagged_correlation(df, "outcome", "output", max_lag=4)
    assert list(res.table["lag"]) == [0, 1, 2, 3, 4]
    row = res.table.set_index("lag").loc[2]
    assert row["r"] == pytest.approx(1.0) and row["n_periods"] == 8   # quarters 3..10 overlap
    assert res.best_lag == 2
    assert res.table.set_index("lag").loc[0, "r"] < 0.9
    assert "not causation" in res.caution and "8 quarters" in res.caution
    changes = lagged_correlation(df, "outcome", "output", max_lag=4, on="change")
    # differences of an exact linear relation are still exactly related: r = 1 on 7 changes
    assert changes.best_lag == 2 and changes.table.set_index("lag").loc[2, "n_periods"] == 7


def test_lagged_correlation_with_too_little_data_says_so():
    df = pd.DataFrame({"o": [1.0, 2.0], "x": [3.0, 4.0]}, index=["2018", "2019"])
    res = lagged_correlation(df, "o", "x", max_lag=1)
    assert res.best_lag is None and res.table["r"].isna().all() and "Too few" in res.caution


def test_divergence_flags_outputs_up_outcome_flat_and_the_reverse():
    labels = periods.period_range("2018-Q1", "2019-Q2")
    df = pd.DataFrame({"outcome": [50, 50, 50, 50, 50, 60], "output": [100, 100, 100, 100, 120, 100]},
                      index=labels)
    flags = divergence(df, "outcome", "output", window=4)
    # 2019-Q1 vs 2018-Q1: output 120 / 100 - 1 = +20% > 10%, outcome 50 -> 50 = 0% < 2%
    # 2019-Q2 vs 2018-Q2: outcome 60 / 50 - 1 = +20% > 10%, output 100 -> 100 = 0% < 2%
    assert list(flags["period"]) == ["2019-Q1", "2019-Q2"]
    assert list(flags["flag"]) == ["outputs_up_outcome_flat", "outcome_up_outputs_flat"]
    assert flags["output_change_pct"].tolist() == pytest.approx([20, 0])
    assert flags["text"].iloc[0] == ("2019-Q1: outputs rose 20% over 4 quarters while the outcome "
                                     "did not improve.")
    # when lower is better, the outcome rising 20% is a worsening, not an unexplained improvement
    lower = divergence(df, "outcome", "output", window=4, direction_outcome="lower")
    assert list(lower["flag"]) == ["outputs_up_outcome_flat"]
    assert lower["text"].iloc[0].endswith("while the outcome did not improve.")
    strict = divergence(df, "outcome", "output", window=4, output_up=0.25)
    assert list(strict["flag"]) == ["outcome_up_outputs_flat"]


def test_measurement_mix_counts_by_department_and_goal():
    mix = measurement_mix(MEASURES)
    d = mix.by_department
    # Housing: 1 outcome, 3 outputs (hours, placed, annual), 1 input; Streets: 1 outcome, 1 output, 1 efficiency
    assert d.loc["Housing", ["outcome", "output", "efficiency", "input", "total"]].tolist() == [1, 3, 0, 1, 5]
    assert d.loc["Streets", ["outcome", "output", "efficiency", "input", "total"]].tolist() == [1, 1, 1, 0, 3]
    assert d.at["Housing", "outcome_share"] == pytest.approx(0.2)   # 1 / 5
    g = mix.by_goal
    assert g.at["g1", "total"] == 4 and g.at["g2", "outcome"] == 0 and g.at["(no goal)", "output"] == 1


def test_goals_without_outcome_are_called_out():
    goals = pd.DataFrame({"id": ["g1", "g2", "g3", "g4"], "name": ["Housing", "Streets", "Happy", "Parks"],
                          "priority_id": ["p1", "p2", "p2", "p3"]})
    out = goals_without_outcome(MEASURES, goals)
    # g1 has 'housed', g3 has 'satisfaction'; g2 has only an output and an efficiency; g4 has nothing
    assert list(out["id"]) == ["g2", "g4"]
    assert list(out["n_measures"]) == [2, 0]
