"""The catalog on both engines: a programme built from nothing, every refusal writes nothing,
stale forms are refused, retired and unpublished measures leave scoring and public outputs."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import sqlalchemy as sa

from metrics import access, catalog
from metrics.domain import text
from metrics.store import db, schema
from metrics.views import catalog as catalog_view
from metrics.views import exports, score
from metrics.views import measure as measure_view
from tests.conftest import sql_frame

ED = access.Actor("user", "ed", "editor")
ANA = access.Actor("user", "ana", "editor")
ADMIN = access.Actor("user", "ada", "admin")


def snapshot(url: str) -> dict:
    """Every table's rows except the audit log's and meta's (those are what a refusal must not touch either,
    checked separately): a refused change leaves this identical."""
    with db.reader(url) as conn:
        return {t.name: sorted(map(repr, conn.execute(sa.select(t)).all())) for t in schema.metadata.sorted_tables}


def audit_rows(url: str) -> pd.DataFrame:
    return sql_frame("SELECT actor, action, object_type, object_id, detail FROM audit_log ORDER BY id", url)


def refused(url: str, fn, *args, match: str, **kw) -> None:
    before = snapshot(url)
    with pytest.raises(catalog.CatalogError, match=match):
        fn(url, *args, **kw)
    assert snapshot(url) == before


@pytest.fixture
def programme(fresh_url) -> str:
    """An empty city with one priority, a public goal and two draft measures (an output, an outcome)."""
    catalog.add_priority(fresh_url, "housing", "Housing", actor=ED)
    catalog.add_goal(fresh_url, "homelessness", "housing", "Reduce homelessness", statement="Fewer people unhoused.",
                     owner="Human Services", target_date="2028-12-31", public=True, actor=ED)
    catalog.add_measure(fresh_url, "housed", {"name": "Households housed", "kind": "outcome", "frequency": "quarter",
                                              "unit": "households"}, actor=ED)
    catalog.add_measure(fresh_url, "beds", {"name": "Shelter beds", "kind": "output", "frequency": "quarter",
                                            "unit": "beds", "is_public": True}, actor=ED)
    return fresh_url


def test_build_a_programme_and_every_change_is_audited(programme):
    url = programme
    refused(url, catalog.publish_measures, ["housed"], actor=ED, match="has no goal")
    changed = catalog.edit_measure(url, "housed", {"goal_id": "homelessness", "is_public": True,
                                                   "methodology": "Counted at exit."}, actor=ED)
    assert changed["goal_id"] == [None, "homelessness"] and changed["is_public"] == [False, True]
    assert catalog.publish_measures(url, ["housed"], actor=ED) == ["housed"]
    assert catalog.publish_measures(url, ["housed"], actor=ED) == []  # already published: no change, no audit row
    out = catalog.set_target(url, "housed", "2026-Q1", "3,000", tolerance="10%", reason="Council budget", actor=ED)
    assert out["changed"] == {"value": [None, 3000.0], "tolerance": [None, 0.1]}
    catalog.add_link(url, "beds", "housed", 2, actor=ED)
    catalog.set_narrative(url, "housed", "2026-Q1", "Up **a lot**: new intake centre.", actor=ED)
    catalog.annotate_measure(url, "housed", "2026-02-01", "Intake centre opened", actor=ED)
    catalog.edit_goal(url, "homelessness", {"owner": "Mayor's office"}, actor=ANA)

    rows = sql_frame("SELECT id, state, goal_id, is_public, methodology FROM measures ORDER BY id", url)
    assert rows.to_dict("records")[1] == {"id": "housed", "state": "published", "goal_id": "homelessness",
                                          "is_public": True, "methodology": "Counted at exit."}
    t = sql_frame("SELECT value, tolerance, effective_from, effective_to, set_by, reason FROM targets", url)
    assert t.iloc[0]["value"] == 3000 and t.iloc[0]["set_by"] == "ed" and t.iloc[0]["reason"] == "Council budget"
    assert pd.isna(t.iloc[0]["effective_to"]) and str(t.iloc[0]["effective_from"])[:10] == "2026-01-01"
    hist = sql_frame("SELECT changed_by, reason, old_value, new_value FROM target_history", url)
    assert hist.to_dict("records") == [{"changed_by": "ed", "reason": "Council budget", "old_value": None,
                                        "new_value": 3000.0}]
    a = audit_rows(url)
    assert list(a["action"]) == ["priority-create", "goal-create", "measure-create", "measure-create", "measure-edit",
                                 "measure-publish", "target-set", "link-add", "narrative-set", "annotation-add",
                                 "goal-edit"]
    last = a.iloc[-1]
    assert last["actor"] == "ana" and json.loads(last["detail"])["changed"]["owner"] == ["Human Services",
                                                                                         "Mayor's office"]


def test_a_second_target_closes_the_first_and_keeps_history(programme):
    url = programme
    catalog.set_target(url, "housed", "2025-Q1", 2500, reason="First plan", actor=ED)
    catalog.set_target(url, "housed", "2026-Q1", 3000, reason="Council raised it", actor=ANA)
    catalog.set_target(url, "housed", "2026-Q1", 3100, reason="Budget adds a team", actor=ED)
    v = catalog_view.targets_editor(url, ADMIN, measure_id="housed")
    assert list(v.targets["value"]) == [3100.0, 2500.0]
    assert str(v.targets.iloc[1]["effective_to"])[:10] == "2025-12-31"
    assert list(v.history["reason"]) == ["Budget adds a team", "Council raised it", "First plan"]
    assert list(v.history["changed_by"]) == ["ed", "ana", "ed"]
    assert v.history.iloc[0]["old_value"] == 3000 and v.history.iloc[0]["new_value"] == 3100


def test_bad_input_is_one_clear_sentence_and_writes_nothing(programme):
    url = programme
    catalog.edit_measure(url, "housed", {"goal_id": "homelessness"}, actor=ED)
    refused(url, catalog.set_target, "housed", "2026-03", 3000, reason="x", actor=ED,
            match="'2026-03' is a month, but 'Households housed' is reported quarterly.*2026-Q1")
    refused(url, catalog.set_target, "housed", "FY2026", 3000, reason="x", actor=ED, match="is a fiscal year")
    refused(url, catalog.set_target, "housed", "2026-Q1", 3000, reason="  ", actor=ED, match="reason is required")
    refused(url, catalog.set_target, "housed", "2026-Q1", "lots", reason="x", actor=ED, match="not a number")
    refused(url, catalog.add_link, "housed", "housed", actor=ED, match="can't feed itself")
    catalog.add_measure(url, "exits", {"name": "Exits to housing", "kind": "outcome", "frequency": "quarter"}, actor=ED)
    catalog.add_link(url, "housed", "exits", actor=ED)
    refused(url, catalog.add_link, "exits", "housed", actor=ED, match="would make housed feed itself.*housed → exits → housed")
    refused(url, catalog.add_link, "housed", "beds", actor=ED, match="not an outcome")
    refused(url, catalog.set_narrative, "housed", "2026-02", "text", actor=ED, match="is a month, but .Households housed. is reported quarterly.*2026-Q1")
    refused(url, catalog.annotate_measure, "housed", "02/01/2026", "x", actor=ED, match="not a date")
    refused(url, catalog.add_measure, "Bad Id!", {"name": "x", "kind": "output", "frequency": "month"}, actor=ED,
            match="is not an id")
    refused(url, catalog.edit_measure, "housed", {"direction": "up"}, actor=ED, match="Direction 'up' is not one of")
    refused(url, catalog.edit_measure, "housed", {"goal_id": "nope"}, actor=ED, match="There is no goal 'nope'")
    refused(url, catalog.publish_measures, ["housed", "beds"], actor=ED, match="Shelter beds.*has no goal")
    assert sql_frame("SELECT state FROM measures WHERE id = 'housed'", url)["state"][0] == "draft"  # all or none


def test_narrative_with_html_and_javascript_is_stored_as_typed_and_rendered_inert(programme):
    url = programme
    body = "Up <script>alert(1)</script> <img src=x onerror=alert(2)> [click](javascript:alert(3)) [ok](https://city.gov)"
    out = catalog.set_narrative(url, "housed", "2026-Q1", body, actor=ED)
    assert any("HTML" in w for w in out["warnings"]) and any("javascript:" in w for w in out["warnings"])
    assert sql_frame("SELECT body FROM narratives", url)["body"][0] == body  # kept as written (audit, re-edit)
    shown = catalog_view.measure_editor(url, ADMIN, measure_id="housed").narratives["shown"].iloc[0]
    assert "<script" not in shown and "<img" not in shown and "javascript:" not in shown
    assert "[ok](https://city.gov)" in shown and "click" in shown


@pytest.mark.parametrize("raw, safe_part, gone", [
    ("[a](JavaScript:alert(1))", "a", "avaScript:"),
    ("[a]( javascript:x)", "a", "javascript"),
    ("![pixel](https://tracker.example/p.gif)", "pixel", "tracker"),
    ("<a href='javascript:x'>a</a>", "&lt;a", "<a "),
    ("[d](data:text/html;base64,xx)", "d", "data:"),
    ("**bold** and [site](http://city.gov)", "**bold** and [site](http://city.gov)", "&lt;"),
])
def test_markdown_keeps_formatting_and_neutralises_the_rest(raw, safe_part, gone):
    out = text.markdown(raw)
    assert safe_part in out and gone not in out


def test_stale_edit_forms_are_refused_and_overwrite_nothing(programme):
    url = programme
    form = catalog_view.measure_editor(url, ED, measure_id="housed")
    target_form = catalog_view.targets_editor(url, ED, measure_id="housed")
    catalog.edit_measure(url, "housed", {"name": "Households moved into housing"}, based_on=form.measure["version"],
                         actor=ANA)
    catalog.set_target(url, "housed", "2026-Q1", 3000, reason="Ana's plan", based_on=target_form.targets_version,
                       actor=ANA)
    refused(url, catalog.edit_measure, "housed", {"name": "Housed (ed)"}, based_on=form.measure["version"], actor=ED,
            match="changed by ana .* after you opened this form. Nothing was saved")
    refused(url, catalog.set_target, "housed", "2026-Q1", 2000, reason="Ed's plan", actor=ED,
            based_on=target_form.targets_version, match="The targets of 'Households moved into housing' were|changed by ana")
    assert sql_frame("SELECT value FROM targets", url)["value"].tolist() == [3000.0]
    goals = catalog_view.goals_editor(url, ED).goals
    token = goals.loc[goals["id"] == "homelessness", "version"].iloc[0]
    catalog.edit_goal(url, "homelessness", {"statement": "Ana's"}, based_on=token, actor=ANA)
    refused(url, catalog.edit_goal, "homelessness", {"statement": "Ed's"}, based_on=token, actor=ED, match="changed by ana")
    catalog.set_narrative(url, "housed", "2026-Q1", "Ana wrote first", based_on="", actor=ANA)
    refused(url, catalog.set_narrative, "housed", "2026-Q1", "Ed's", based_on="", actor=ED, match="changed by ana")
    fresh = catalog_view.measure_editor(url, ED, measure_id="housed")  # reloaded: the new version saves
    catalog.edit_measure(url, "housed", {"unit": "homes"}, based_on=fresh.measure["version"], actor=ED)


def test_delete_only_when_nothing_refers_to_it(programme):
    url = programme
    catalog.add_link(url, "beds", "housed", actor=ED)
    refused(url, catalog.delete_measures, ["beds"], actor=ED, match="1 links refer to it. Retire it instead")
    catalog.remove_link(url, "beds", "housed", actor=ED)
    assert catalog.delete_measures(url, ["beds"], actor=ED) == ["beds"]
    assert sql_frame("SELECT id FROM measures", url)["id"].tolist() == ["housed"]


def test_reorder_goals_and_priorities(programme):
    url = programme
    catalog.add_goal(url, "evictions", "housing", "Prevent evictions", actor=ED)
    catalog.reorder_goals(url, "housing", ["evictions", "homelessness"], actor=ED)
    assert list(catalog_view.goals_editor(url, ED).goals["id"]) == ["evictions", "homelessness"]
    refused(url, catalog.reorder_goals, "housing", ["evictions"], actor=ED, match="missing homelessness")
    catalog.add_priority(url, "safety", "Safety", actor=ED)
    catalog.reorder_priorities(url, ["safety", "housing"], actor=ED)
    assert list(catalog_view.goals_editor(url, ED).priorities["id"]) == ["safety", "housing"]


@pytest.mark.parametrize("who", [access.Actor("user", "vi", "viewer"), access.PUBLIC_PORTAL, None, "ed"],
                         ids=["viewer", "public", "none", "bare-name"])
def test_only_editors_change_the_catalog(programme, who):
    before = snapshot(programme)
    for call in (lambda: catalog.add_goal(programme, "g2", "housing", "G", actor=who),
                 lambda: catalog.edit_measure(programme, "housed", {"name": "x"}, actor=who),
                 lambda: catalog.publish_measures(programme, ["housed"], actor=who),
                 lambda: catalog.set_target(programme, "housed", "2026-Q1", 1, reason="x", actor=who),
                 lambda: catalog.set_narrative(programme, "housed", "2026-Q1", "x", actor=who),
                 lambda: catalog.retire_measures(programme, ["housed"], actor=who)):
        with pytest.raises(access.Forbidden):
            call()
    assert snapshot(programme) == before


def test_published_measure_reaches_the_public_and_retired_or_unpublished_ones_leave(seeded_url):
    url = seeded_url
    portal = access.PUBLIC_PORTAL
    catalog.add_measure(url, "shelter-beds-new", {"name": "New shelter beds", "kind": "output", "frequency": "quarter",
                                                  "unit": "beds", "is_public": True,
                                                  "goal_id": "reduce-homelessness"}, actor=ED)
    assert "shelter-beds-new" not in measure_view.build(url, portal).measure_ids  # a draft: staff only
    catalog.publish_measures(url, ["shelter-beds-new"], actor=ED)
    assert "shelter-beds-new" in measure_view.build(url, portal).measure_ids
    assert "shelter-beds-new" in set(catalog_view.measure_list(url, portal).rows["id"])

    hh = "households-stable-housing"
    assert hh in set(score.build(url, ADMIN).status["measure_id"])
    assert not exports.canonical_rows(url, portal, hh).empty
    catalog.retire_measures(url, [hh], actor=ED)
    assert hh not in set(score.build(url, ADMIN).status["measure_id"])  # out of scoring, for staff too
    assert hh not in set(score.build(url, ADMIN, include_drafts=True).status["measure_id"])
    assert hh not in measure_view.build(url, portal).measure_ids and exports.canonical_rows(url, portal, hh).empty
    staff = catalog_view.measure_list(url, ADMIN).rows.set_index("id")
    assert staff.at[hh, "state"] == "retired"  # kept for history
    assert not exports.canonical_rows(url, ADMIN, hh).empty
    refused(url, catalog.publish_measures, [hh], actor=ED, match="is retired")

    catalog.unpublish_measures(url, ["shelter-beds-new"], actor=ED)
    assert "shelter-beds-new" not in measure_view.build(url, portal).measure_ids
    catalog.restore_measures(url, [hh], actor=ED)
    catalog.publish_measures(url, [hh], actor=ED)
    assert hh in measure_view.build(url, portal).measure_ids


def test_unpublishing_a_goal_hides_its_measures_from_the_public(seeded_url):
    portal = access.PUBLIC_PORTAL
    assert "households-stable-housing" in measure_view.build(seeded_url, portal).measure_ids
    catalog.set_goal_public(seeded_url, "reduce-homelessness", False, actor=ED)
    assert "households-stable-housing" not in measure_view.build(seeded_url, portal).measure_ids
    assert audit_rows(seeded_url).iloc[-1]["action"] == "goal-unpublish"


def test_a_linked_output_without_data_or_retired_does_not_break_the_outcomes_story(seeded_url):
    from metrics.views import outcomes
    before = outcomes.build(seeded_url, ADMIN, goal_id="reduce-homelessness")
    catalog.add_measure(seeded_url, "navigators", {"name": "Housing navigators", "kind": "output",
                                                   "frequency": "quarter", "goal_id": "reduce-homelessness"}, actor=ED)
    catalog.add_link(seeded_url, "navigators", "households-stable-housing", actor=ED)
    after = outcomes.build(seeded_url, ADMIN, goal_id="reduce-homelessness")
    assert after.base == before.base and after.compared_ids == before.compared_ids
    assert "No data reported yet for Housing navigators" in after.alignment_problem
    catalog.retire_measures(seeded_url, ["shelter-beds"], actor=ED)
    retired = outcomes.build(seeded_url, ADMIN, goal_id="reduce-homelessness")
    assert "shelter-beds" not in retired.compared_ids and retired.base is not None
