"""Drafts don't count (issue 10, item 1): the score, the composite, status counts, movers and the stale
list consider published measures only; staff may include drafts (Overview toggle, ?drafts=1, the score
CLI's --include-drafts); the public never can. The LA FY21-22 wide sample creates 186 drafts: the
Overview's counts and the CLI composite are exactly the same before and after that upload."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metrics import access
from metrics.demo import spec as demo_spec
from metrics.domain import overview
from metrics.ingest.commit import ingest
from metrics.views import overview as overview_view
from metrics.views import score as score_view
from tests.conftest import REPO, data_table_rows
from tests.ingest.conftest import samples, who  # noqa: F401 - `samples` is the shared fixture (skips if absent)
from tests.test_cli import run

TODAY = date.today()
LA_WIDE = "la_performance_fy21_22_wide.csv"
LA_DRAFTS = 186
VIEWER = access.Actor("user", "vi", "viewer")
DEMO_DRAFT = "speed-cameras-active"


def headline(v: overview_view.OverviewView) -> tuple:
    return (v.n_measures, v.counts["on_track"], v.counts["stale"], dict(v.counts), v.composite.score,
            v.composite.n_scored, tuple(v.stale["measure_id"]), tuple(v.improvers["measure_id"]),
            tuple(v.decliners["measure_id"]), v.data_as_of)


def test_counted_measures_keeps_published_only_unless_drafts_are_asked_for():
    m = pd.DataFrame({"id": ["a", "b", "c", "d"], "state": ["published", "draft", "retired", None]})
    assert overview.counted_measures(m)["id"].tolist() == ["a", "d"]  # no state recorded = published
    assert overview.counted_measures(m, include_drafts=True)["id"].tolist() == ["a", "b", "d"]  # never retired
    obs = pd.DataFrame({"measure_id": ["a", "b", "c"], "value": [1, 2, 3]})
    assert overview.of_measures(obs, overview.counted_measures(m))["measure_id"].tolist() == ["a"]


def test_demo_drafts_are_left_out_by_default_and_counted_when_asked(city_url):
    off = overview_view.build(city_url, VIEWER, today=TODAY)
    on = overview_view.build(city_url, VIEWER, today=TODAY, include_drafts=True)
    assert off.staff and not off.include_drafts and on.include_drafts
    assert set(off.status["state"]) == {"published"}
    assert DEMO_DRAFT not in set(off.status["measure_id"])
    assert off.drafts == 0 and off.drafts_left_out == len(demo_spec.DRAFTS)
    assert on.drafts == len(demo_spec.DRAFTS) and on.drafts_left_out == 0
    assert on.n_measures == off.n_measures + len(demo_spec.DRAFTS)
    assert set(on.status.loc[on.status["state"] == "draft", "measure_id"]) == demo_spec.DRAFTS
    cards = [g for s in on.sections for g in s.goals]
    assert sum(g.drafts for g in cards) == len(demo_spec.DRAFTS)
    rows = pd.concat([g.measures for g in cards])
    assert set(rows.loc[rows["state"] == "draft", "measure_id"]) == demo_spec.DRAFTS  # each draft row marked
    assert not any(g.drafts for s in off.sections for g in s.goals)
    s_off = score_view.build(city_url, VIEWER, as_of=TODAY.isoformat())
    s_on = score_view.build(city_url, VIEWER, as_of=TODAY.isoformat(), include_drafts=True)
    assert s_off.composite.score == pytest.approx(off.composite.score)
    assert s_on.composite.score == pytest.approx(on.composite.score)
    assert set(s_off.status["measure_id"]) == set(off.status["measure_id"])
    assert set(s_on.status["measure_id"]) == set(on.status["measure_id"])


@pytest.mark.parametrize("actor", [access.PUBLIC_PORTAL, access.Actor("public", "public link", "public",
                                                                      "goal:reduce-homelessness")],
                         ids=["portal", "goal-link"])
def test_public_readers_ignore_include_drafts(duck_city, actor):
    off = overview_view.build(duck_city, actor, today=TODAY)
    on = overview_view.build(duck_city, actor, today=TODAY, include_drafts=True)
    assert not on.include_drafts and not on.staff and on.drafts == on.drafts_left_out == 0
    assert headline(on) == headline(off)
    assert score_view.build(duck_city, actor, include_drafts=True).include_drafts is False


def test_la_wide_upload_drafts_do_not_move_the_overview_or_the_cli(seeded_url, samples):  # noqa: F811
    before = overview_view.build(seeded_url, VIEWER, today=TODAY)
    before_all = overview_view.build(seeded_url, VIEWER, today=TODAY, include_drafts=True)
    cli_before = json.loads(run("score", "--format", "json", url=seeded_url).stdout)
    out = ingest(samples / LA_WIDE, seeded_url, create_measures=True, actor=who("drafts"))
    assert out.status == "committed", out.to_summary()
    assert out.counts["measures_created"] == LA_DRAFTS
    after = overview_view.build(seeded_url, VIEWER, today=TODAY)
    assert after.version > before.version
    assert headline(after) == headline(before)  # n measures, on track, stale, composite, movers: unchanged
    assert (after.n_measures, after.counts["on_track"], after.counts["stale"]) == (
        before.n_measures, before.counts["on_track"], before.counts["stale"])
    assert after.drafts_left_out == before.drafts_left_out + LA_DRAFTS
    with_drafts = overview_view.build(seeded_url, VIEWER, today=TODAY, include_drafts=True)
    assert with_drafts.n_measures == before_all.n_measures + LA_DRAFTS
    assert with_drafts.drafts == len(demo_spec.DRAFTS) + LA_DRAFTS
    assert sum(with_drafts.counts.values()) == with_drafts.n_measures
    new = set(with_drafts.status["measure_id"]) - set(before_all.status["measure_id"])
    assert len(new) == LA_DRAFTS and set(with_drafts.status.set_index("measure_id").loc[list(new), "state"]) == {
        "draft"}
    assert "02MEALS" in new and "02MEALS" not in set(after.status["measure_id"])
    cli_after = json.loads(run("score", "--format", "json", url=seeded_url).stdout)
    assert cli_after["composite"] == cli_before["composite"]
    assert cli_after["n_scored"] == cli_before["n_scored"]
    assert cli_after["stale_excluded"] == cli_before["stale_excluded"]
    assert [r["measure_id"] for r in cli_after["measures"]] == [r["measure_id"] for r in cli_before["measures"]]
    assert cli_after["drafts_left_out"] == cli_before["drafts_left_out"] + LA_DRAFTS
    cli_all = json.loads(run("score", "--include-drafts", "--format", "json", url=seeded_url).stdout)
    assert cli_all["include_drafts"] and len(cli_all["measures"]) == with_drafts.n_measures
    assert cli_all["composite"] == pytest.approx(with_drafts.composite.score)


@pytest.fixture
def overview_app(duck_city, monkeypatch):
    monkeypatch.setenv("METRICS_DB_URL", duck_city)
    monkeypatch.chdir(REPO)
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=60)


def _metric(at, prefix: str) -> str:
    """'54 of 118' for "Measures on track": read from the status-count chips as a reader sees them."""
    assert prefix == "Measures on track"
    chips = next(m.value for m in at.markdown if "on track</span>" in m.value)
    on = re.search(r"<b>(\d+)</b> on track", chips).group(1)
    total = re.search(r"of (\d+) measures", chips).group(1)
    return f"{on} of {total}"


def test_overview_toggle_is_off_by_default_and_bound_to_the_url(overview_app):
    at = overview_app.run()
    assert not at.exception and not at.error
    toggle = at.toggle(key="include_drafts")
    assert toggle.label == "Include drafts" and toggle.value is False
    off = _metric(at, "Measures on track")
    assert "drafts" not in at.query_params
    assert any(f"{len(demo_spec.DRAFTS)} draft measures are left out" in c.value for c in at.caption)
    at.session_state["detail_every"] = True  # the reader opens "Every measure"
    at = toggle.set_value(True).run()
    assert not at.exception and not at.error
    assert at.query_params.get("drafts") in ("1", ["1"])
    on = _metric(at, "Measures on track")
    assert int(on.split(" of ")[1]) == int(off.split(" of ")[1]) + len(demo_spec.DRAFTS)
    names = data_table_rows(at, ("status_label", "name"))["name"]  # "Every measure", a page at a time
    assert names.str.endswith("(draft)").sum() == len(demo_spec.DRAFTS)
    at = at.toggle(key="include_drafts").set_value(False).run()
    assert not at.exception and not at.error
    assert "drafts" not in at.query_params and _metric(at, "Measures on track") == off


def test_overview_opened_with_drafts_1_counts_drafts(overview_app):
    overview_app.query_params["drafts"] = "1"
    at = overview_app.run()
    assert not at.exception and not at.error
    assert at.toggle(key="include_drafts").value is True
    assert any(f"Including {len(demo_spec.DRAFTS)} draft measures" in c.value for c in at.caption)


def test_public_overview_has_no_drafts_toggle(duck_city, monkeypatch):
    monkeypatch.setenv("METRICS_DB_URL", duck_city)
    monkeypatch.chdir(REPO)
    at = AppTest.from_file(str(REPO / "app_pages" / "overview.py"), default_timeout=60)
    at.session_state["current_actor"] = access.PUBLIC_PORTAL
    at.query_params["drafts"] = "1"
    at.run()
    assert not at.exception and not at.error
    assert not at.toggle and at.title
    assert not any("(draft)" in n for d in at.dataframe if "name" in d.value.columns for n in d.value["name"])
