"""The Goal view, called directly for staff, a portal link and a goal link, on both engines.

Expected figures come from the database (named queries) or the domain functions, not typed in.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from metrics import access
from metrics.access.visibility import STAFF
from metrics.demo import spec as demo_spec
from metrics.domain import goal_story, periods
from metrics.store import db, meta, queries
from metrics.views import base
from metrics.views import goal as goal_view

HOME_GOAL, HOME_OUTCOME = "reduce-homelessness", "households-stable-housing"
PRIVATE_GOAL = "workforce"
VIEWER = access.Actor("user", "vi", "viewer")
PORTAL = access.PUBLIC_PORTAL


def goal_link(goal_id: str) -> access.Actor:
    return access.Actor("public", "public link", "public", f"goal:{goal_id}")


def demo_goal_ids() -> list[str]:
    return [demo_spec.HOMELESS_GOAL[0], *(g[0] for g in demo_spec.GOALS)]


def test_staff_get_the_homelessness_goal_with_projection_outputs_and_criteria(city_url):
    v = goal_view.build(city_url, VIEWER, goal_id=HOME_GOAL)
    assert v.notice is None and v.problem is None
    assert v.goal.id == HOME_GOAL and v.goal.name == "Move people experiencing homelessness into stable housing"
    assert v.goal.target_date == demo_spec.HOMELESS_GOAL[5]
    assert v.outcome.id == HOME_OUTCOME == v.outcome_ids[0]
    obs = queries.fetch("measure_observations", STAFF, url=city_url, measure_id=HOME_OUTCOME)
    series = obs[obs["dimension"] == ""].set_index("period")["value"].astype(float)
    series = series.sort_index(key=lambda s: s.map(lambda p: periods.parse(p).start))
    assert v.latest == series.index[-1] and v.latest_value == series.iloc[-1]
    assert v.key_number == goal_story.key_number(series, v.latest, "households")
    assert v.projection is not None and v.projection.sentence.startswith("At the current pace")
    assert v.future and v.future[-1] == periods.label_of(pd.Timestamp(v.goal.target_date), "quarter")
    links = queries.fetch("links", STAFF, url=city_url)
    measures = queries.fetch("measures", STAFF, url=city_url)
    outputs = set(measures.loc[measures["kind"].isin(["output", "efficiency"]), "id"])
    linked = set(links.loc[links["outcome_measure_id"] == HOME_OUTCOME, "output_measure_id"]) & outputs
    assert set(v.output_ids) == linked and v.aligned_ids == v.output_ids and v.alignment_problem is None
    assert list(v.aligned.columns) == [HOME_OUTCOME, *v.output_ids]
    assert len(v.lags) == len(v.output_ids) and any("Correlation is not causation" in c for c in v.cautions)
    assert v.dimensions == ["race"] and v.dimension == "race" and (v.breakdown["dimension"] == "race").all()
    criteria = queries.fetch("goal_criteria", STAFF, url=city_url, goal_id=HOME_GOAL)
    assert list(v.criteria["code"]) == list(criteria["code"]) and not v.criteria.empty
    with db.reader(city_url) as conn:
        assert v.version == meta.data_version(conn)


def test_staff_asking_for_an_unknown_goal_get_the_first_goal_and_a_notice(duck_city):
    v = goal_view.build(duck_city, VIEWER, goal_id="no-such-goal")
    assert v.goal.id == next(iter(v.goals))
    assert "no-such-goal" in v.notice and v.goal.name in v.notice


def test_staff_see_the_private_goal(duck_city):
    v = goal_view.build(duck_city, VIEWER, goal_id=PRIVATE_GOAL)
    assert v.goal.id == PRIVATE_GOAL and v.notice is None


def test_the_portal_never_sees_the_private_goal(city_url):
    v = goal_view.build(city_url, PORTAL, goal_id=PRIVATE_GOAL)
    assert PRIVATE_GOAL not in v.goals
    assert v.goal.id != PRIVATE_GOAL and v.goal.id == next(iter(v.goals))
    assert "not public" in v.notice
    private = set(queries.fetch("measures", STAFF, url=city_url).query("goal_id == @PRIVATE_GOAL")["id"])
    assert not private & {*v.outcome_ids, *v.output_ids}


def test_the_portal_gets_public_goals_with_suppressed_breakdowns(duck_city):
    v = goal_view.build(duck_city, PORTAL, goal_id="overdose")
    assert v.goal.id == "overdose" and v.notice is None
    hidden = v.breakdown[v.breakdown["suppressed"]]
    assert not hidden.empty and hidden["value"].isna().all() and (hidden["shown"] == "suppressed").all()
    threshold = base.status(duck_city).settings.suppress_below
    assert (v.breakdown.loc[~v.breakdown["suppressed"], "value"] >= threshold).all()
    assert "suppressed" in v.suppression_note


@pytest.mark.parametrize("who", [PORTAL, goal_link(HOME_GOAL)], ids=["portal", "goal-link"])
def test_the_public_gets_no_owner_and_no_criterion_owner_or_due_date(city_url, who):
    staff = goal_view.build(city_url, VIEWER, goal_id=HOME_GOAL)
    v = goal_view.build(city_url, who, goal_id=HOME_GOAL)
    assert staff.goal.owner and v.goal.owner is None
    assert {"owner", "target_date"} <= set(staff.criteria.columns)
    assert not {"owner", "target_date"} & set(v.criteria.columns) and len(v.criteria) == len(staff.criteria)


def test_staff_see_small_counts_marked_below_the_threshold(duck_city):
    v = goal_view.build(duck_city, VIEWER, goal_id="overdose")
    threshold = base.status(duck_city).settings.suppress_below
    hidden = v.breakdown[v.breakdown["suppressed"]]
    small = hidden[hidden["value"] < threshold]
    assert not small.empty and small["shown"].str.endswith(f"(below {threshold})").all()


def test_a_goal_link_sees_its_goal_only(city_url):
    v = goal_view.build(city_url, goal_link(HOME_GOAL))
    assert list(v.goals) == [HOME_GOAL] and v.goal.id == HOME_GOAL and v.notice is None
    other = goal_view.build(city_url, goal_link(HOME_GOAL), goal_id="violent-crime")
    assert list(other.goals) == [HOME_GOAL] and other.goal.id == HOME_GOAL
    assert "one goal only" in other.notice and "violent-crime" in other.notice
    assert other.outcome.id == HOME_OUTCOME


def test_a_goal_link_to_a_private_goal_sees_nothing(duck_city):
    v = goal_view.build(duck_city, goal_link(PRIVATE_GOAL), goal_id=PRIVATE_GOAL)
    assert v.goal is None and v.goals == {} and v.problem


def test_mixed_frequencies_line_up_on_the_coarser_calendar(duck_city):
    # overdose: monthly deaths; two of its outputs are quarterly: the deaths are summed into quarters
    v = goal_view.build(duck_city, VIEWER, goal_id="overdose")
    assert v.alignment_problem is None and v.aligned_ids == v.output_ids and v.aligned_grain == "quarter"
    assert list(v.aligned.columns) == [v.outcome.id, *v.aligned_ids]
    assert all(str(p)[4:6] == "-Q" for p in v.aligned.index)
    monthly = v.outcome.history.set_index("period")["value"]
    q = v.aligned[v.outcome.id].dropna()
    label = q.index[-1]
    months = [f"{label[:4]}-{m:02d}" for m in range(3 * int(label[-1]) - 2, 3 * int(label[-1]) + 1)]
    assert q.iloc[-1] == pytest.approx(monthly[months].sum())  # deaths are a count: summed
    assert list(v.lags["output"]) == [v.outputs.set_index(pd.Index(v.output_ids)).at[i, "name"] for i in v.aligned_ids]
    # jobs-wages: a monthly rate, quarterly outputs and a fiscal-year efficiency: every one lines up
    w = goal_view.build(duck_city, VIEWER, goal_id="jobs-wages")
    assert w.alignment_problem is None and w.aligned_ids == w.output_ids and w.lags is not None
    assert w.dimensions and not w.breakdown.empty and not w.outputs.empty


def test_the_city_fiscal_year_is_used(seeded_url):
    with db.writer(seeded_url) as conn:
        meta.set_meta(conn, "fiscal_start_month", "10")
    v = goal_view.build(seeded_url, VIEWER, goal_id="sound-finances", outcome_id="reserve-ratio")
    assert v.outcome.frequency == "fiscal_year"
    ends = dict(zip(v.outcome.history["period"], v.outcome.history["period_end"], strict=True))
    assert str(ends["FY2019"]) == "2019-09-30"  # a fiscal year from October, not the default July
    july = dataclasses.replace(base.status(seeded_url).settings, fiscal_start_month=7)
    again = goal_view.build(seeded_url, VIEWER, july, goal_id="sound-finances", outcome_id="reserve-ratio")
    assert str(dict(zip(again.outcome.history["period"], again.outcome.history["period_end"],
                        strict=True))["FY2019"]) == "2019-06-30"


@pytest.mark.parametrize("who", ["staff", "portal"])
def test_every_demo_goal_builds(duck_city, who):
    actor = VIEWER if who == "staff" else PORTAL
    for gid in demo_goal_ids():
        v = goal_view.build(duck_city, actor, goal_id=gid)
        if gid == PRIVATE_GOAL and who == "portal":
            assert v.notice and v.goal.id != gid
            continue
        assert v.goal.id == gid and v.notice is None, gid
        assert v.outcome is not None or v.no_outcome, gid
        if v.aligned is not None:
            assert v.conversion is not None and v.lags is not None, gid


def test_choosing_another_outcome_and_breakdown(duck_city):
    v = goal_view.build(duck_city, VIEWER, goal_id="violent-crime")
    second = v.outcome_ids[1]
    w = goal_view.build(duck_city, VIEWER, goal_id="violent-crime", outcome_id=second, dimension="nope")
    assert w.outcome.id == second and w.other_outcomes == []
    assert {o.id for o in v.other_outcomes} <= set(v.outcome_ids[1:])
    if w.dimensions:
        assert w.dimension == w.dimensions[0]
