"""A goal's own target, judged in the goal's words (not its measure's per-period target)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics import access
from metrics.domain import goal_target
from metrics.views import goal as goal_view

VIEWER = access.Actor("user", "vi", "viewer")


def quarters(values: list[float], first: str = "2023-Q1") -> pd.Series:
    labels = pd.period_range(first.replace("-", ""), periods=len(values), freq="Q")
    return pd.Series(values, index=[f"{p.year}-Q{p.quarter}" for p in labels], dtype=float)


def test_a_cumulative_goal_adds_up_since_its_start_and_projects_the_recent_pace():
    t = goal_target.GoalTarget(1000, "homes", "cumulative", "m", date(2024, 12, 31), start=date(2023, 1, 1))
    s = pd.concat([quarters([999], "2022-Q4"), quarters([100] * 4)])  # 2022 is before the start: not counted
    j = goal_target.judge(t, s, s.iloc[-4:], ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"], "higher")
    assert j.so_far == 400 and j.projection.projected == pytest.approx(800)
    assert j.projection.will_meet is False
    assert "1,000 homes by 2024-12-31" in j.sentence and "about 200 homes short" in j.sentence
    assert j.history["value"].tolist() == [100, 200, 300, 400]  # the running total is what is drawn
    met = goal_target.judge(t, s, s.iloc[-4:], ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1",
                                                 "2025-Q2", "2025-Q3"], "higher")
    assert met.projection.will_meet is True and "will be met" in met.sentence


def test_a_per_period_goal_is_said_in_its_own_words():
    t = goal_target.GoalTarget(90, "%", "per_period", "m", date(2026, 12, 31))
    s = quarters([80, 82, 84, 86, 88])
    j = goal_target.judge(t, s, s, ["2024-Q2"], "higher", measure_unit="%")
    assert "the goal of 90% by 2026-12-31" in j.sentence and j.projection.target_value == 90


def test_no_target_when_the_goal_has_none():
    assert goal_target.from_row({"target_value": None, "target_measure_id": "m"}, "2028-12-31") is None
    row = {"target_value": 12000, "target_unit": "homes", "target_kind": "cumulative", "target_measure_id": "m",
           "target_from": "2023-01-01"}
    t = goal_target.from_row(row, "2028-12-31")
    assert t.cumulative and t.start == date(2023, 1, 1) and t.target_date == date(2028, 12, 31)


def test_the_goal_page_judges_the_goals_own_target_not_the_measures(city_url):
    v = goal_view.build(city_url, VIEWER, goal_id="affordable-homes")
    j = v.judgement
    assert j is not None and j.target.value == 12000 and j.target.cumulative
    assert "12,000 income-restricted homes by 2028-12-31" in j.sentence
    assert "the goal of 645" not in j.sentence
    # the measure's own per-period target is named as the measure's, never as "the goal"
    assert v.projection is not None and "the goal" not in v.projection.sentence
    assert "this measure's quarterly target" in v.projection.sentence
    homes = goal_view.build(city_url, VIEWER, goal_id="reduce-homelessness")
    assert homes.judgement and "3,500 households a quarter by 2027-12-31" in homes.judgement.sentence
