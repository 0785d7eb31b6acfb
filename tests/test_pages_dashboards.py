"""AppTest for the dashboards (Overview, Goal, Outcomes vs outputs, Equity) on a real seeded DuckDB.

Expected figures are read from the database or computed with the metrics functions, not typed in.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from metrics import access
from metrics.access.visibility import PUBLIC, STAFF
from metrics.demo import spec as demo_spec
from metrics.domain import equity, periods, text
from metrics.domain import goal_story as goal_view
from metrics.domain.scoring import fmt_number
from metrics.store import db, meta, queries, schema
from tests.conftest import REPO
from tests.test_pages import TIMEOUT, texts

HOME_GOAL, HOME_OUTCOME = "reduce-homelessness", "households-stable-housing"


def make_app(url: str, monkeypatch, **params: str) -> AppTest:
    monkeypatch.setenv("METRICS_DB_URL", url)
    monkeypatch.chdir(REPO)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    for k, v in params.items():
        at.query_params[k] = v
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def all_text(at: AppTest) -> str:
    parts = [texts(at)] + [e.value for e in at.info] + [e.value for e in at.warning] + \
            [e.value for e in at.success] + [e.value for e in at.error]
    return "\n".join(str(p) for p in parts)


def outcome_values(url: str) -> pd.Series:
    obs = queries.fetch("measure_observations", STAFF, url=url, measure_id=HOME_OUTCOME)
    agg = obs[obs["dimension"] == ""]
    return agg.set_index("period")["value"].astype(float)


# --------------------------------------------------------------------------- Overview

def test_overview_shows_score_movement_movers_stale_and_data_as_of(duck_city, monkeypatch):
    at = make_app(duck_city, monkeypatch)
    at.session_state["detail_movers"] = at.session_state["detail_stale"] = True  # both drill-downs opened
    at.run()
    assert not at.exception and not at.error
    body = all_text(at)
    latest = queries.fetch("data_status", STAFF, url=duck_city).iloc[0]["latest_period_end"]
    assert f"Data as of {pd.Timestamp(latest).date()}" in body
    assert re.search(r"last update \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", body)  # when, in words a wall screen reads
    score = next(m for m in at.metric if m.label.startswith("City score"))
    assert "since" in score.delta and "-0.0" not in score.delta
    assert len(at.get("plotly_chart")) >= 1
    assert "Top improvers" in body and "Top decliners" in body
    assert "Live" in body  # the live data-version check is on the page
    stale_table = next(d.value for d in at.dataframe if "Next figure was due" in d.value.columns
                       or "due" in d.value.columns)
    assert set(demo_spec.STALE) <= set(stale_table["measure_id"])


def test_overview_notices_a_new_data_version(seeded_url, monkeypatch):
    at = make_app(seeded_url, monkeypatch).run()
    before = at.session_state["overview_version"]
    with db.writer(seeded_url) as conn:
        after = meta.bump_data_version(conn)
    at.run()
    assert not at.exception and not at.error
    assert at.session_state["overview_version"] == after != before


# --------------------------------------------------------------------------- Goal

def seen(at: AppTest) -> str:
    """Every text on the page as a reader sees it (text.md's Markdown escapes taken out)."""
    return re.sub(r"\\(.)", r"\1", all_text(at))


def share_link(url: str, scope: str) -> str:
    with db.writer(url) as conn:
        return access.create_share(conn, scope, actor=access.LOCAL_ADMIN)


def test_goal_page_projection_outputs_lag_and_criteria(duck_city, monkeypatch):
    at = open_page(make_app(duck_city, monkeypatch, goal=HOME_GOAL), "goal")
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "Move people experiencing homelessness into stable housing"
    body = seen(at)
    assert "At the current pace" in body and ("will be met" in body or "will not be met" in body)
    series = outcome_values(duck_city).sort_index(key=lambda s: s.map(lambda p: periods.parse(p).start))
    latest = series.index[-1]
    assert goal_view.key_number(series, latest, "households") in body
    assert "Correlation is not causation" in body
    assert "What Works Cities criteria this goal supports" in body
    outputs = next(d.value for d in at.dataframe if "lag_periods" in d.value.columns)
    links = queries.fetch("links", STAFF, url=duck_city)
    measures = queries.fetch("measures", STAFF, url=duck_city)
    linked = links[links["outcome_measure_id"] == HOME_OUTCOME]["output_measure_id"]
    expected = measures[measures["id"].isin(linked) & (measures["kind"] == "output")]["name"]
    assert set(outputs["name"]) == set(expected)
    assert len(at.get("plotly_chart")) >= 4  # projection, small multiples, conversion, breakdown
    assert at.query_params["goal"] == HOME_GOAL


def test_goal_without_outcome_gets_the_seattle_callout(seeded_url, monkeypatch):
    with db.writer(seeded_url) as conn:
        conn.execute(sa.insert(schema.goals).values(id="count-only", priority_id="housing", name="Count activity only",
                                                    statement="Only outputs", is_public=True))
        conn.execute(sa.update(schema.measures).where(schema.measures.c.id == "shelter-beds")
                     .values(goal_id="count-only"))
        meta.bump_data_version(conn)
    at = open_page(make_app(seeded_url, monkeypatch, goal="count-only"), "goal")
    assert not at.error, [e.value for e in at.error]
    assert any("has no outcome measure" in re.sub(r"\\(.)", r"\1", w.value) for w in at.warning)
    assert "Shelter beds available per night" in at.dataframe[0].value["name"].tolist()
    assert "What Works Cities criteria this goal supports" in seen(at)


def test_goal_with_many_outcomes_charts_three_and_lists_the_rest_with_links(seeded_url, monkeypatch):
    m = schema.measures
    with db.writer(seeded_url) as conn:  # two more outcomes (with data) join violent-crime's four
        moved = conn.execute(sa.select(m.c.id).where(m.c.goal_id == "clean-air", m.c.kind == "outcome")
                             .order_by(m.c.id).limit(2)).scalars().all()
        conn.execute(sa.update(m).where(m.c.id.in_(moved)).values(goal_id="violent-crime"))
        meta.bump_data_version(conn)
    at = open_page(make_app(seeded_url, monkeypatch, goal="violent-crime"), "goal")
    assert not at.error and not at.exception, [e.value for e in at.error]
    others = [c.proto.id.rsplit("-other_", 1)[1] for c in at.get("plotly_chart") if "-other_" in c.proto.id]
    listed = next(d.value for d in at.dataframe if "Outcome" in d.value.columns)
    assert len(others) == 3 and len(listed) == 2 and "2 more outcome measures of this goal" in seen(at)
    shown_ids = [link.removeprefix("/goal?goal=violent-crime&outcome=") for link in listed["Open"]]
    outcomes = queries.fetch("measures", STAFF, url=seeded_url).query("goal_id == 'violent-crime' and kind == 'outcome'")
    assert len(outcomes) == 6 and not set(shown_ids) & set(others)  # each outcome charted or listed, never both
    assert set(shown_ids) | set(others) < set(outcomes["id"])  # the sixth is the featured one, on top


def test_every_demo_goal_renders_on_the_goal_page_for_staff(duck_city, monkeypatch):
    goals = queries.fetch("goals", STAFF, url=duck_city)
    names = dict(zip(goals["id"].astype(str), goals["name"], strict=True))
    goal_ids = list(names)
    assert {HOME_GOAL, "workforce", "jobs-wages"} <= set(goal_ids)
    at = make_app(duck_city, monkeypatch)
    at.run()
    at.switch_page("app_pages/goal.py")
    for gid in goal_ids:
        at.query_params["goal"] = gid
        at.run()
        assert not at.exception, (gid, [e.message for e in at.exception])
        assert not at.error, (gid, [e.value for e in at.error])
        assert not at.warning or all("does not exist" not in w.value for w in at.warning), gid
        assert at.title[0].value == text.md(names[gid]), gid
        assert "What Works Cities criteria this goal supports" in seen(at), gid


def test_goal_page_with_coarser_outputs_lines_them_up_and_goes_on(duck_city, monkeypatch):
    at = open_page(make_app(duck_city, monkeypatch, goal="jobs-wages"), "goal")
    assert not at.error and not at.warning, [e.value for e in [*at.error, *at.warning]]
    body = seen(at)
    assert "is reported per month; it and its outputs are lined up per quarter" in body
    assert "Lag: do outputs show up in the outcome later?" in body
    assert "Who is it reaching?" in body and "What Works Cities criteria this goal supports" in body


def test_goal_page_for_a_goal_link_shows_that_goal_only(seeded_url, monkeypatch):
    token = share_link(seeded_url, "goal:violent-crime")
    at = open_page(make_app(seeded_url, monkeypatch, share=token, goal=HOME_GOAL), "goal")
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "Reduce violent crime"
    assert any("one goal only" in w.value for w in at.warning)
    assert at.selectbox[0].options == ["Reduce violent crime"]


def test_goal_page_for_the_portal_hides_the_private_goal_and_small_counts(seeded_url, monkeypatch):
    token = share_link(seeded_url, "portal")
    at = open_page(make_app(seeded_url, monkeypatch, share=token, goal="workforce"), "goal")
    assert not at.error, [e.value for e in at.error]
    assert any("not public" in re.sub(r"\\(.)", r"\1", w.value) for w in at.warning)
    assert "A skilled, representative city workforce" not in seen(at)
    assert "A skilled, representative city workforce" not in at.selectbox[0].options
    at.query_params["goal"] = "overdose"
    at.run()
    assert not at.exception and not at.error
    assert "shown as “suppressed”" in seen(at)
    chart = next(c for c in at.get("plotly_chart") if "by race" in c.proto.spec)
    assert "suppressed" in chart.proto.spec and "(below" not in chart.proto.spec


def test_goal_page_user_text_is_never_markup(seeded_url, monkeypatch):
    with db.writer(seeded_url) as conn:
        conn.execute(sa.update(schema.goals).where(schema.goals.c.id == HOME_GOAL)
                     .values(name="[Official notice](http://evil.example)", narrative="![](http://evil.example/x.png)"))
        conn.execute(sa.update(schema.measures).where(schema.measures.c.id == HOME_OUTCOME)
                     .values(name='<a href="http://evil.example">Households</a>'))
        meta.bump_data_version(conn)
    at = open_page(make_app(seeded_url, monkeypatch, goal=HOME_GOAL), "goal")
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == text.md("[Official notice](http://evil.example)")
    assert "](http" not in all_text(at)
    specs = " ".join(c.proto.spec for c in at.get("plotly_chart"))
    assert "<a href" not in specs and "&lt;a href" in specs


# --------------------------------------------------------------------------- Outcomes vs outputs

def test_outcomes_page_tells_the_homelessness_story(duck_city, monkeypatch):
    at = open_page(make_app(duck_city, monkeypatch), "outcomes")
    assert not at.error, [e.value for e in at.error]
    body = seen(at)
    v = outcome_values(duck_city)
    targets = queries.fetch("targets", STAFF, url=duck_city)
    change = goal_view.target_changes(targets, HOME_OUTCOME)
    switch = change.iloc[0]
    switch_label = periods.label_of(pd.Timestamp(switch["effective_from"]), "quarter")
    assert f"trend breaks around {switch_label}" in body
    assert switch["reason"] in body
    # the milestone: first quarter on target after the switch, with its change on a year before
    on_target = [p for p in sorted(v.index, key=lambda p: periods.parse(p).start)
                 if periods.parse(p).start >= periods.parse(switch_label).start and v[p] >= switch["value"]]
    m = on_target[0]
    before = periods.same_period_last_year(m)
    assert f"{m}: {fmt_number(v[m])} households, {fmt_number(v[m] - v[before], signed=True)} on {before}" in body
    assert "outputs up, outcome flat" in body
    assert "Correlation is not causation" in body
    assert "per household" in body  # cost per outcome from the input measure
    assert "Measurement mix" in body
    assert len(at.get("plotly_chart")) >= 3


def test_outcomes_page_period_lookup_reads_from_the_url(duck_city, monkeypatch):
    v = outcome_values(duck_city)
    at = open_page(make_app(duck_city, monkeypatch, period="2018-Q1"), "outcomes")
    assert not at.error, [e.value for e in at.error]
    assert f"2018-Q1: {fmt_number(v['2018-Q1'])} households, {fmt_number(v['2018-Q1'] - v['2017-Q1'], signed=True)} " \
           "on 2017-Q1" in seen(at)


def test_outcomes_page_for_a_goal_link_tells_its_own_goal_only(seeded_url, monkeypatch):
    token = share_link(seeded_url, f"goal:{HOME_GOAL}")
    at = open_page(make_app(seeded_url, monkeypatch, share=token, goal="workforce"), "outcomes")
    assert not at.error, [e.value for e in at.error]
    assert any("workforce" in w.value for w in at.warning)
    assert at.selectbox[0].options == ["Move people experiencing homelessness into stable housing"]
    body = seen(at)
    assert "A skilled, representative city workforce" not in body and "trend breaks around" in body


def test_outcomes_page_for_each_goal_with_an_outcome(duck_city, monkeypatch):
    at = make_app(duck_city, monkeypatch)
    at.run()
    at.switch_page("app_pages/outcomes.py")
    for gid in (HOME_GOAL, "jobs-wages", "overdose", "workforce", "no-such-goal"):
        at.query_params["goal"] = gid
        at.run()
        assert not at.exception, (gid, [e.message for e in at.exception])
        assert not at.error, (gid, [e.value for e in at.error])
        assert "Measurement mix" in seen(at), gid


# --------------------------------------------------------------------------- Equity

def _equity_with_threshold(url: str) -> tuple[pd.DataFrame, int]:
    """The outcome's raw breakdown and a `suppress_below` that bites in some periods."""
    obs = queries.fetch("measure_observations", STAFF, url=url, measure_id=HOME_OUTCOME)
    groups = obs[obs["dimension"] != ""]
    threshold = int(groups["value"].quantile(0.15))
    with db.writer(url) as conn:
        meta.set_meta(conn, "suppress_below", str(threshold))
        meta.bump_data_version(conn)
    return groups, threshold


def _group_table(at: AppTest) -> tuple[pd.DataFrame, list[str]]:
    table = next(d.value for d in at.dataframe if "City" in d.value.columns)
    return table, [c for c in table.columns if c not in ("period", "City")]


def test_equity_suppresses_small_counts_and_never_shows_them(seeded_url, monkeypatch):
    """The public (a portal link) read "suppressed", never the number, and never one alone in a period."""
    groups, threshold = _equity_with_threshold(seeded_url)
    at = make_app(seeded_url, monkeypatch, measure=HOME_OUTCOME)
    at.query_params["share"] = share_link(seeded_url, "portal")
    open_page(at, "equity")
    assert not at.error, [e.value for e in at.error]
    body = all_text(at)
    assert f"Counts below {threshold}" in body and "below " + str(threshold) + ")" not in body
    table, members = _group_table(at)
    hidden = 0
    for _, row in table.iterrows():
        cells = [row[c] for c in members]
        n = sum(c == equity.SUPPRESSED for c in cells)
        assert n != 1, f"one suppressed cell in {row['period']} could be derived from the city total"
        hidden += n
        for c in members:
            true = groups[(groups["period"] == row["period"]) & (groups["member"] == c)]["value"].iloc[0]
            if true < threshold:
                assert row[c] == equity.SUPPRESSED
    assert hidden > 0
    gap = next(m for m in at.metric if m.label.startswith("Gap in"))
    assert gap.value


def test_equity_staff_see_suppressed_counts_marked_below_the_threshold(seeded_url, monkeypatch):
    groups, threshold = _equity_with_threshold(seeded_url)
    at = open_page(make_app(seeded_url, monkeypatch, measure=HOME_OUTCOME), "equity")
    assert not at.error, [e.value for e in at.error]
    table, members = _group_table(at)
    marked = 0
    for _, row in table.iterrows():
        assert sum("(" in str(row[c]) for c in members) != 1  # the complement is marked too
        for c in members:
            true = groups[(groups["period"] == row["period"]) & (groups["member"] == c)]["value"].iloc[0]
            if true < threshold:
                assert row[c] == f"{true:,.0f} (below {threshold})"
                marked += 1
            assert row[c] != equity.SUPPRESSED
    assert marked > 0
    assert "the public sees “suppressed”" in all_text(at)


def test_equity_unknown_measure_warns_and_gap_measure_is_named(duck_city, monkeypatch):
    at = open_page(make_app(duck_city, monkeypatch, measure="no-such-measure"), "equity")
    assert not at.error, [e.value for e in at.error]
    assert any("no breakdown" in w.value for w in at.warning)
    assert text.md("-gap-") in all_text(at)
    assert at.get("download_button")


@pytest.mark.parametrize("page", ["goal", "outcomes", "equity"])
def test_public_viewer_pages_do_not_crash(seeded_url, monkeypatch, page):
    with db.writer(seeded_url) as conn:  # a real portal link, not a session-state hook
        token = access.create_share(conn, "portal", actor=access.Actor("user", "ada", "admin"))
    at = open_page(make_app(seeded_url, monkeypatch, share=token), page)
    assert not at.error, [e.value for e in at.error]
    assert at.session_state["current_actor"].is_public


# --------------------------------------------------------------------------- the new SQL, on both engines

def test_dashboard_queries_agree_on_duckdb_and_postgresql(city_url):
    from datetime import date

    from metrics.domain import overview

    since = overview.movement_since(date(2026, 11, 25))
    hist = queries.fetch("composite_history", STAFF, url=city_url, since=since)
    # one row at or before `since` per measure, then everything after it
    before = hist[pd.to_datetime(hist["period_end"]) <= pd.Timestamp(since)]
    assert before["measure_id"].is_unique
    assert (pd.to_datetime(hist["period_end"]) > pd.Timestamp(since)).any()
    dims = queries.fetch("disaggregated_measures", STAFF, url=city_url)
    assert (dims["measure_id"] == HOME_OUTCOME).any() and (dims["dimension"] != "").all()
    dis = queries.fetch("goal_disaggregations", PUBLIC, url=city_url, measure_ids=[HOME_OUTCOME])
    assert set(dis["dimension"]) == set(dims[dims["measure_id"] == HOME_OUTCOME]["dimension"])
