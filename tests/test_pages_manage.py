"""AppTest of the Manage pages (single-user admin on a private seeded DuckDB): each renders without an
error, an edit made through the page is visible afterwards, a refusal is one error and writes nothing,
a stale form is reported instead of overwriting, and only staff who may edit see the section."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from metrics import access, catalog
from tests.conftest import REPO, sql_frame

HH = "households-stable-housing"
ANA = access.Actor("user", "ana", "editor")


def plain(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def texts(at: AppTest) -> str:
    return "\n".join(plain(str(e.value)) for e in [*at.title, *at.subheader, *at.caption, *at.markdown, *at.success,
                                                    *at.info, *at.warning, *at.error])


@pytest.fixture
def app(seeded_url, monkeypatch):
    monkeypatch.setenv("METRICS_DB_URL", seeded_url)
    monkeypatch.chdir(REPO)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.run()
    return at


def page(at: AppTest, path: str, **query) -> AppTest:
    at.query_params.clear()
    at.query_params.update(query)
    at.switch_page(path).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def submit(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click()
    return at.run()


def test_goals_page_creates_and_edits_a_goal(app, seeded_url):
    at = page(app, "app_pages/manage_goals.py")
    assert at.title[0].value == "Goals & priorities"
    form_new = next(t for t in at.text_input if t.label == "Id (lower-case, hyphens)" and t.placeholder == "reduce-homelessness")
    form_new.input("street-outreach")
    next(t for t in at.text_input if t.label == "Name" and t.value == "" ).input("Reach every rough sleeper")
    at = submit(at, "Create goal")
    assert not at.exception and not at.error
    assert "Created goal street-outreach." in texts(at)
    assert "street-outreach" in set(sql_frame("SELECT id FROM goals", seeded_url)["id"])
    owner = next(t for t in at.text_input if t.label == "Owner" and t.value)
    owner.input("Deputy Mayor for Housing")
    at = submit(at, "Save goal")
    assert not at.exception and not at.error
    assert "owner: Office of Housing → Deputy Mayor for Housing" in texts(at)


def test_measure_catalog_publishes_a_draft_with_a_preview(app, seeded_url):
    catalog.add_measure(seeded_url, "navigators", {"name": "Housing navigators", "kind": "output",
                                                   "frequency": "quarter", "is_public": True}, actor=ANA)
    at = page(app, "app_pages/manage_measures.py", measure="navigators")
    assert at.title[0].value == "Measure catalog"
    assert "It has no goal: publishing needs one." in texts(at)  # the public preview says why not
    at = submit(at, "Publish")
    assert not at.exception
    assert len(at.error) == 1 and "has no goal" in plain(at.error[0].value)
    assert sql_frame("SELECT state FROM measures WHERE id = 'navigators'", seeded_url)["state"][0] == "draft"
    goal = next(s for s in at.selectbox if s.label == "Goal")
    goal.set_value("reduce-homelessness")
    at = submit(at, "Save details")
    assert not at.exception and not at.error
    assert "goal_id: — → reduce-homelessness" in texts(at)
    assert "Once published, the public will see this measure." in texts(at)
    at = submit(at, "Publish")
    assert not at.exception and not at.error
    assert "Published navigators." in texts(at) and "The public sees this measure now." in texts(at)


def test_narrative_and_annotation_from_the_measure_catalog(app, seeded_url):
    at = page(app, "app_pages/manage_measures.py", measure=HH)
    next(t for t in at.text_input if t.label.startswith("…or another period")).input("2026-Q1")
    at.run()
    next(t for t in at.text_area if t.label == "Narrative").input("More **exits**: <script>x</script>")
    at = submit(at, "Save narrative")
    assert not at.exception and not at.error
    assert "Narrative for 2026-Q1 saved." in texts(at) and "HTML in the text is shown as plain text" in texts(at)
    assert any("&lt;script>" in m.value for m in at.markdown)
    next(t for t in at.text_input if t.label == "Note").input("New intake centre")
    at = submit(at, "Add annotation")
    assert not at.exception and not at.error
    assert "New intake centre" in texts(at)
    assert sql_frame("SELECT body FROM annotations", seeded_url)["body"].tolist() == ["New intake centre"]


def test_a_stale_measure_form_is_reported_and_overwrites_nothing(app, seeded_url):
    at = page(app, "app_pages/manage_measures.py", measure=HH)
    catalog.edit_measure(seeded_url, HH, {"unit": "families"}, actor=ANA)  # someone else, while the form is open
    next(t for t in at.text_input if t.label == "Department").input("Somebody else's department")
    at = submit(at, "Save details")
    assert not at.exception
    assert len(at.error) == 1 and "changed by ana" in plain(at.error[0].value)
    row = sql_frame(f"SELECT unit, department FROM measures WHERE id = '{HH}'", seeded_url).iloc[0]
    assert row["unit"] == "families" and row["department"] != "Somebody else's department"


def test_targets_page_sets_a_target_and_shows_its_history(app, seeded_url):
    at = page(app, "app_pages/manage_targets.py", measure=HH)
    assert at.title[0].value == "Targets"
    next(t for t in at.text_input if t.label == "From period").input("2026-03")
    next(t for t in at.text_input if t.label == "Target value").input("3600")
    next(t for t in at.text_input if t.label.startswith("Reason")).input("Council budget")
    at = submit(at, "Set target")
    assert not at.exception and len(at.error) == 1 and "is a month" in plain(at.error[0].value)
    next(t for t in at.text_input if t.label == "From period").input("2026-Q1")
    at = submit(at, "Set target")
    assert not at.exception and not at.error
    assert "set to 3,600 households" in texts(at)
    history = at.dataframe[-1].value
    assert history.iloc[0]["reason"] == "Council budget" and history.iloc[0]["new_value"] == 3600


def test_a_stale_target_form_is_reported(app, seeded_url):
    at = page(app, "app_pages/manage_targets.py", measure=HH)
    catalog.set_target(seeded_url, HH, "2026-Q1", 3500, reason="Ana's", actor=ANA)
    next(t for t in at.text_input if t.label == "From period").input("2026-Q1")
    next(t for t in at.text_input if t.label == "Target value").input("1")
    next(t for t in at.text_input if t.label.startswith("Reason")).input("mine")
    at = submit(at, "Set target")
    assert len(at.error) == 1 and "changed by ana" in plain(at.error[0].value)
    assert 1.0 not in set(sql_frame("SELECT value FROM targets", seeded_url)["value"])


def test_links_page_adds_a_link_and_refuses_a_loop(app, seeded_url):
    at = page(app, "app_pages/manage_links.py")
    n = len(sql_frame("SELECT * FROM links", seeded_url))
    next(s for s in at.selectbox if s.label == "Output").set_value("legal-aid-cases")
    next(s for s in at.selectbox if s.label == "Outcome it should move").set_value(HH)
    next(n for n in at.number_input if n.label == "Lag (periods)").set_value(2)
    at = submit(at, "Add link")
    assert not at.exception and not at.error
    assert f"Linked legal-aid-cases → {HH} (lag 2)." in texts(at)
    assert len(sql_frame("SELECT * FROM links", seeded_url)) == n + 1


def test_audit_page_lists_changes_and_exports_csv(app, seeded_url):
    catalog.edit_measure(seeded_url, HH, {"owner": "Ana's team"}, actor=ANA)
    at = page(app, "app_pages/audit.py")
    assert at.title[0].value == "Audit log"
    rows = at.dataframe[0].value
    top = rows.iloc[0]
    assert (top["actor"], top["action"], top["object_id"]) == ("ana", "measure-edit", HH)
    assert "owner:" in top["change"] and "→ Ana's team" in top["change"]
    assert any(b.label == "Download CSV" for b in at.get("download_button"))


MANAGE_PAGES = ("manage_goals", "manage_measures", "manage_targets", "manage_links", "audit")


def test_manage_section_is_registered_for_staff_only(app, seeded_url):
    for name in MANAGE_PAGES:  # single-user mode is an admin: every Manage page is there
        app.switch_page(f"app_pages/{name}.py").run()
        assert not app.exception and not app.error
    from metrics.store import db
    with db.writer(seeded_url) as conn:
        token = access.create_share(conn, "portal", actor=access.Actor("user", "ada", "admin"))
    public = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    public.query_params["share"] = token
    public.run()
    assert not public.exception
    for name in MANAGE_PAGES:  # a public link: not even registered
        with pytest.raises(ValueError, match="navigation page"):
            public.switch_page(f"app_pages/{name}.py")


@pytest.mark.parametrize("role, page_file, says", [("viewer", "manage_measures", "editor rights"),
                                                  ("editor", "audit", "admin rights")])
def test_a_page_run_by_someone_without_the_right_stops_with_one_line(app, role, page_file, says):
    at = AppTest.from_file(str(REPO / "app_pages" / f"{page_file}.py"), default_timeout=60)
    at.session_state["current_actor"] = access.Actor("user", role, role)
    at.run()
    assert not at.exception and len(at.error) == 1 and says in at.error[0].value


def test_public_link_shows_the_narrative_and_the_annotation_marker(seeded_url, monkeypatch, tmp_path):
    """The workflow end to end through a public link: an uploaded draft, given a goal, a target, a link, a
    narrative and an annotation, then published: the public Measure page shows the narrative (made safe)
    and its chart carries the marker; the Outcomes story lists the annotation."""
    from metrics.ingest.commit import ingest
    from metrics.store import db
    monkeypatch.setenv("METRICS_DB_URL", seeded_url)
    monkeypatch.chdir(REPO)
    csv = b"measure_id,period,value\nnavigators,2025-Q4,12\nnavigators,2026-Q1,14\nnavigators,2026-Q2,19\n"
    ingest(csv, seeded_url, create_measures=True, actor=ANA)
    catalog.edit_measure(seeded_url, "navigators", {"goal_id": "reduce-homelessness", "is_public": True,
                                                    "name": "Housing navigators"}, actor=ANA)
    catalog.set_target(seeded_url, "navigators", "2026-Q1", 20, reason="Council budget", actor=ANA)
    catalog.add_link(seeded_url, "navigators", HH, 1, actor=ANA)
    catalog.set_narrative(seeded_url, "navigators", "2026-Q2", "Two **new hires**. <script>alert(1)</script>", actor=ANA)
    catalog.annotate_measure(seeded_url, "navigators", "2026-04-15", "Team doubled", actor=ANA)
    catalog.annotate_measure(seeded_url, HH, "2026-02-01", "Intake centre opened", actor=ANA)
    catalog.publish_measures(seeded_url, ["navigators"], actor=ANA)
    with db.writer(seeded_url) as conn:
        token = access.create_share(conn, "portal", actor=access.Actor("user", "ada", "admin"))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.query_params.update({"share": token, "measure": "navigators"})
    at.run()
    at.switch_page("app_pages/measure.py").run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Housing navigators"
    assert "Why it moved — 2026-Q2" in [s.value for s in at.subheader]
    story = next(m.value for m in at.markdown if "new hires" in m.value)
    assert "**new hires**" in story and "<script" not in story
    chart = at.get("plotly_chart")[0].proto.spec
    assert "Team doubled" in chart
    at.query_params.update({"share": token, "goal": "reduce-homelessness"})
    at.switch_page("app_pages/outcomes.py").run()
    assert not at.exception and not at.error
    assert any("Intake centre opened" in plain(m.value) and "Team doubled" in plain(m.value) for m in at.markdown)
