"""The Outcomes-vs-outputs view, called directly for staff, a portal link and a goal link, on both engines.

Expected figures come from the database (named queries) or the domain functions, not typed in.
"""

from __future__ import annotations

import pandas as pd

from metrics import access
from metrics.access.visibility import STAFF
from metrics.domain import goal_story, periods
from metrics.domain.scoring import fmt_number
from metrics.store import db, meta, queries
from metrics.views import outcomes as outcomes_view

HOME_GOAL, HOME_OUTCOME = "reduce-homelessness", "households-stable-housing"
PRIVATE_GOAL = "workforce"
VIEWER = access.Actor("user", "vi", "viewer")
PORTAL = access.PUBLIC_PORTAL


def goal_link(goal_id: str) -> access.Actor:
    return access.Actor("public", "public link", "public", f"goal:{goal_id}")


def outcome_series(url: str) -> pd.Series:
    obs = queries.fetch("measure_observations", STAFF, url=url, measure_id=HOME_OUTCOME)
    s = obs[obs["dimension"] == ""].set_index("period")["value"].astype(float)
    return s.sort_index(key=lambda x: x.map(lambda p: periods.parse(p).start))


def test_staff_get_the_homelessness_story(city_url):
    v = outcomes_view.build(city_url, VIEWER)
    assert v.goal_id == HOME_GOAL and v.outcome_id == HOME_OUTCOME and v.notice is None
    assert list(v.goals)[0] == HOME_GOAL and v.story_problem is None
    targets = queries.fetch("targets", STAFF, url=city_url)
    change = goal_story.target_changes(targets, HOME_OUTCOME).iloc[0]
    switch_label = periods.label_of(pd.Timestamp(change["effective_from"]), "quarter")
    assert v.switch.label == switch_label and v.switch.target_change == change["reason"]
    assert v.marks == [(switch_label, change["reason"])]
    s = outcome_series(city_url)
    on_target = [p for p in s.index
                 if periods.parse(p).start >= periods.parse(switch_label).start and s[p] >= change["value"]]
    first = on_target[0]
    before = periods.same_period_last_year(first)
    assert f"{first}: {fmt_number(s[first])} households, {fmt_number(s[first] - s[before], signed=True)} " \
           f"on {before}" in v.milestone
    assert list(v.period_lookup)[0] == s.index[-1]
    assert v.period_lookup["2018-Q1"] == goal_story.key_number(s, "2018-Q1", "households")
    assert v.base == v.indexed.dropna().index[0] and (v.indexed.loc[v.base] == 100).all()
    assert any("outputs up, outcome flat" in line for line in v.divergence)
    assert list(v.conversion.columns) == v.output_names
    assert v.cost is not None and "per household" in v.cost.title + v.cost.y_title
    assert v.cost.sentence.startswith("Latest (")
    assert len(v.lags) == len(v.output_ids) and v.cautions
    assert not v.mix_by_department.empty and "goal" in v.mix_by_goal.columns
    with db.reader(city_url) as conn:
        assert v.version == meta.data_version(conn)


def test_staff_see_the_private_goal_in_the_mix(duck_city):
    v = outcomes_view.build(duck_city, VIEWER, goal_id=PRIVATE_GOAL)
    assert v.goal_id == PRIVATE_GOAL
    names = queries.fetch("goals", STAFF, url=duck_city).set_index("id")["name"]
    assert names[PRIVATE_GOAL] in set(v.mix_by_goal["goal"])


def test_the_portal_never_sees_the_private_goal(city_url):
    v = outcomes_view.build(city_url, PORTAL, goal_id=PRIVATE_GOAL)
    assert PRIVATE_GOAL not in v.goals and v.goal_id == HOME_GOAL
    assert PRIVATE_GOAL in v.notice
    name = queries.fetch("goals", STAFF, url=city_url).set_index("id").at[PRIVATE_GOAL, "name"]
    assert name not in set(v.mix_by_goal["goal"]) and not any(name in g for g in v.goals_without_outcome)


def test_a_goal_link_sees_its_goal_only(city_url):
    v = outcomes_view.build(city_url, goal_link(HOME_GOAL), goal_id="violent-crime")
    assert list(v.goals) == [HOME_GOAL] and v.goal_id == HOME_GOAL
    assert "violent-crime" in v.notice
    measures = queries.fetch("measures", STAFF, url=city_url)
    theirs = set(measures.loc[measures["goal_id"] == HOME_GOAL, "id"])
    assert set(v.measures["id"]) <= theirs
    assert v.mix_by_goal["goal"].tolist() == [v.goal_name]


def test_a_goal_with_coarser_outputs_is_compared_on_their_calendar(duck_city):
    # jobs-wages: a monthly outcome, quarterly outputs, a fiscal-year efficiency measure
    v = outcomes_view.build(duck_city, VIEWER, goal_id="jobs-wages")
    assert v.goal_id == "jobs-wages" and v.story_problem is None and v.indexed is not None
    assert not v.mix_by_department.empty


def test_quarterly_outputs_line_up_with_a_monthly_outcome(duck_city):
    v = outcomes_view.build(duck_city, VIEWER, goal_id="overdose")
    assert v.story_problem is None and v.alignment_problem is None
    assert v.compared_ids == v.output_ids
    assert list(v.indexed.columns) == [v.outcome_id, *v.compared_ids]
    assert all("-Q" in str(p) for p in v.indexed.index)
