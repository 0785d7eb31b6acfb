"""The Overview view (metrics.views.overview) and the score view for staff, the public portal and
a goal link: what each may see, the filters, and the city settings (stale rule, cap) in force."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from metrics import access
from metrics.access.visibility import STAFF
from metrics.demo import spec as demo_spec
from metrics.domain import scoring
from metrics.store import db, meta, queries
from metrics.views import overview as overview_view
from metrics.views import score as score_view

GOAL = "reduce-homelessness"
VIEWER = access.Actor("user", "vi", "viewer")
GOAL_LINK = access.Actor("public", "public link", "public", f"goal:{GOAL}")
TODAY = date.today()


def measures_in(v: overview_view.OverviewView) -> set[str]:
    return {mid for s in v.sections for g in s.goals for mid in g.measures["measure_id"]}


def test_staff_overview_has_every_measure_score_movement_and_stale(city_url):
    v = overview_view.build(city_url, VIEWER, today=TODAY)
    every = queries.fetch("measures", STAFF, url=city_url)
    staff = every[every["state"] == "published"]  # drafts don't count unless asked for (test_drafts.py)
    assert set(v.status["measure_id"]) == set(staff["id"]) and v.n_measures == len(staff)
    assert v.drafts_left_out == int((every["state"] == "draft").sum()) > 0
    assert sum(v.counts.values()) == v.n_measures
    assert measures_in(v) == set(staff.loc[staff["goal_id"].notna(), "id"])
    assert v.composite.n_scored == sum(v.counts[s] for s in scoring.SCORED_STATUSES)
    assert 0 < v.composite.score <= v.cap
    assert v.movement["score"].notna().any() and v.movement_delta is not None
    assert set(demo_spec.STALE) <= set(v.stale["measure_id"])
    latest = queries.fetch("data_status", STAFF, url=city_url).iloc[0]["latest_period_end"]
    assert v.data_as_of == pd.Timestamp(latest).date()
    assert v.version >= 1 and v.updated_at
    assert list(v.priorities) == queries.fetch("goals", STAFF, url=city_url).drop_duplicates(
        "priority_id")["priority_name"].tolist()
    for section in v.sections:  # each goal card's counts cover all its measures
        for g in section.goals:
            assert sum(n for _, n in g.counts) == int((v.status["goal_id"] == g.id).sum())


def test_overview_headline_is_the_score_views_composite(city_url):
    v = overview_view.build(city_url, access.LOCAL_ADMIN, today=TODAY)
    s = score_view.build(city_url, access.LOCAL_ADMIN, as_of=TODAY.isoformat())
    assert s.as_of_date == TODAY
    assert v.composite.score == pytest.approx(s.composite.score)
    assert (v.composite.n_scored, v.composite.stale_excluded) == (s.composite.n_scored, s.composite.stale_excluded)
    v = overview_view.build(city_url, access.LOCAL_ADMIN, today=TODAY, include_drafts=True)
    s = score_view.build(city_url, access.LOCAL_ADMIN, as_of=TODAY.isoformat(), include_drafts=True)
    assert v.include_drafts and s.include_drafts
    assert v.composite.score == pytest.approx(s.composite.score) and v.n_measures == len(s.status)


def test_portal_overview_has_no_draft_or_non_public_goal(duck_city):
    v = overview_view.build(duck_city, access.PUBLIC_PORTAL, today=TODAY)
    staff = queries.fetch("measures", STAFF, url=duck_city)
    goals = queries.fetch("goals", STAFF, url=duck_city)
    public_goals = set(goals.loc[goals["is_public"].astype(bool), "id"])
    visible = staff[staff["is_public"].astype(bool) & (staff["state"] == "published")
                    & staff["goal_id"].isin(public_goals)]
    assert set(v.status["measure_id"]) == set(visible["id"])
    assert "speed-cameras-active" not in measures_in(v)  # a demo draft
    assert "workforce" not in {g.id for s in v.sections for g in s.goals}  # the non-public goal
    assert v.n_measures < len(staff)


def test_goal_link_overview_has_only_its_goals_measures(city_url):
    v = overview_view.build(city_url, GOAL_LINK, today=TODAY)
    staff = queries.fetch("measures", STAFF, url=city_url)
    in_goal = set(staff.loc[(staff["goal_id"] == GOAL) & staff["is_public"].astype(bool)
                            & (staff["state"] == "published"), "id"])
    assert set(v.status["measure_id"]) == in_goal == measures_in(v)
    assert {g.id for s in v.sections for g in s.goals} == {GOAL}
    assert set(v.stale["measure_id"]) <= in_goal
    assert set(v.improvers["measure_id"]) | set(v.decliners["measure_id"]) <= in_goal
    assert len(v.priorities) == 1


def test_filters_narrow_everything_on_the_page(duck_city):
    every = overview_view.build(duck_city, VIEWER, today=TODAY)
    safe = overview_view.build(duck_city, VIEWER, today=TODAY, priority="Safe Neighborhoods")
    assert [s.name for s in safe.sections] == ["Safe Neighborhoods"] and safe.filtered and not every.filtered
    theirs = set(every.status.loc[every.status["priority_name"] == "Safe Neighborhoods", "measure_id"])
    assert set(safe.status["measure_id"]) == theirs and safe.n_measures == len(theirs) < every.n_measures
    assert sum(safe.counts.values()) == safe.n_measures
    assert safe.composite.n_scored <= safe.n_measures and safe.composite.score != every.composite.score
    assert set(safe.improvers["measure_id"]) | set(safe.decliners["measure_id"]) <= theirs
    assert set(safe.stale["measure_id"]) <= theirs
    by_label = overview_view.build(duck_city, VIEWER, today=TODAY, status="Stale data")
    by_code = overview_view.build(duck_city, VIEWER, today=TODAY, status="stale")
    assert measures_in(by_label) == measures_in(by_code) == set(every.stale["measure_id"])
    dept = every.departments[0]
    narrowed = overview_view.build(duck_city, VIEWER, today=TODAY, department=dept)
    assert measures_in(narrowed) == set(every.status.loc[every.status["department"] == dept, "measure_id"])
    assert not overview_view.build(duck_city, VIEWER, today=TODAY, priority="No such priority").sections


def test_the_stale_rule_and_cap_are_the_citys_settings(seeded_url):
    before = overview_view.build(seeded_url, VIEWER, today=TODAY)
    assert before.counts["stale"] > 0
    with db.writer(seeded_url) as conn:
        meta.set_meta(conn, "stale_grace_days", "3000")
        meta.set_meta(conn, "composite_cap", "1.0")
        meta.bump_data_version(conn)
    after = overview_view.build(seeded_url, VIEWER, today=TODAY)
    assert after.counts["stale"] == 0 and after.stale.empty
    assert after.cap == 1.0 and after.composite.score <= 1.0
    s = score_view.build(seeded_url, VIEWER)
    assert s.composite.score == pytest.approx(after.composite.score)
    assert not (s.status["status"] == "stale").any()


def test_movement_is_rounded_before_it_gets_an_arrow():
    assert overview_view.movement_words((-0.04, "2025-12")) == ("no change since 2025-12", 0)
    assert overview_view.movement_words((-0.06, "2025-12")) == ("-0.1 pts since 2025-12", -1)
    assert overview_view.movement_words((1.24, "2025-12")) == ("+1.2 pts since 2025-12", 1)
    assert overview_view.movement_words(None) == (None, 0)
    assert overview_view.points_below(0.04) == "less than 0.1 pts" and overview_view.points_below(0.26) == "−0.3 pts"


def test_each_goal_card_has_a_headline_outcome_and_the_score_names_what_pulled_it_down(duck_city):
    v = overview_view.build(duck_city, VIEWER, today=TODAY)
    cards = [g for s in v.sections for g in s.goals]
    home = next(g for g in cards if g.id == GOAL)
    assert home.headline is not None and home.headline.measure_id == "households-stable-housing"
    assert v.pulled_down and all(pts > 0 for _m, _n, pts in v.pulled_down)
    worst = v.composite.contributions.iloc[0]
    assert v.pulled_down[0][0] == worst["measure_id"]
    assert v.changes

