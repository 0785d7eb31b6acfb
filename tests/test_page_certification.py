"""AppTest for the Certification page against real seeded DuckDB files (no mocks).

Expected numbers come from the database through the Certification view (the page's own read
path), never typed in. Public readers get the tracker without owners, due dates, history,
suggestions or an editor form, and never a goal they may not see.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from metrics import access
from metrics.domain import certification
from metrics.domain.text import md
from metrics.store import db, schema
from metrics.views import certification as cert_view
from tests.conftest import REPO, make_db
from tests.test_wwc_store import criteria, evidence, history, snapshot

TIMEOUT = 60
PAGE = "app_pages/certification.py"


def open_page(url: str, monkeypatch, as_actor: access.Actor | None = None, **params) -> AppTest:
    monkeypatch.setenv("METRICS_DB_URL", url)
    monkeypatch.chdir(REPO)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    if as_actor is not None and as_actor.is_public:  # the public arrive through a share link
        with db.writer(url) as conn:
            at.query_params["share"] = access.create_share(conn, as_actor.scope, actor=access.LOCAL_ADMIN)
    elif as_actor is not None:
        at.session_state["actor"] = as_actor  # a signed-in staff member
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def page_city(tmp_path_factory) -> str:
    """A private seeded city for this module's writes."""
    return make_db(f"duckdb:///{tmp_path_factory.mktemp('page') / 'p.duckdb'}")


def metric(at: AppTest, label: str) -> str:
    return next(str(m.value) for m in at.metric if m.label == label)


def assessment(url: str) -> certification.Assessment:
    return certification.assess(criteria(url), certification.load_levels())


def body(at: AppTest) -> str:
    parts = [*at.title, *at.header, *at.subheader, *at.caption, *at.markdown, *at.info, *at.warning]
    return "\n".join(str(e.value) for e in parts)


def test_level_card_charts_and_sections(duck_city, monkeypatch):
    at = open_page(duck_city, monkeypatch)
    assert not at.error
    a = assessment(duck_city)
    assert metric(at, "Level now") == (a.level or "Not certified")
    assert metric(at, "Criteria met") == f"{a.met} of {a.total}"
    assert metric(at, "Core criteria met") == f"{a.core_met} of 3"
    assert metric(at, f"To reach {a.next_level}") == f"{a.needed_for_next} more"
    headers = [h.value for h in at.header]
    for h in ("What if", "Next steps", "Suggested evidence — confirm to attach", "All criteria"):
        assert h in headers
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    # next steps: as many rows as the view's next steps, each with a reason
    steps = cert_view.build(duck_city, access.LOCAL_ADMIN).steps
    listing = next(m.value for m in at.markdown if m.value.startswith("1. **["))
    assert len(listing.splitlines()) == 2 * len(steps)
    assert f"?criterion={steps['code'].iloc[0]}" in listing
    assert at.get("download_button")


def test_filters_narrow_the_table(duck_city, monkeypatch):
    at = open_page(duck_city, monkeypatch, practice="Rigorous Evaluations")
    assert not at.error
    crit = criteria(duck_city)
    n = int((crit["practice"] == "Rigorous Evaluations").sum())
    table = next(d.value for d in at.dataframe if "evidence_count" in d.value.columns)
    assert len(table) == n and set(table["practice"]) == {"Rigorous Evaluations"}
    at.selectbox(key="criteria_status").select("✓ Met").run()
    table = next(d.value for d in at.dataframe if "evidence_count" in d.value.columns)
    met = int(((crit["practice"] == "Rigorous Evaluations") & (crit["status"] == "met")).sum())
    assert len(table) == met


def test_what_if_projection_updates(duck_city, monkeypatch):
    at = open_page(duck_city, monkeypatch)
    assert not at.error
    a = assessment(duck_city)
    assert metric(at, "Projected level") == (a.level or "Not certified")
    at.button[0].click().run()  # "Tick the shortest path to …"
    assert not at.exception
    assert len(at.multiselect(key="whatif").value) == a.needed_for_next
    assert metric(at, "Projected level") == a.next_level
    at.multiselect(key="whatif").set_value([]).run()
    assert metric(at, "Projected level") == (a.level or "Not certified")


def test_criterion_detail_from_url(duck_city, monkeypatch):
    at = open_page(duck_city, monkeypatch, criterion="RDC-02")
    assert not at.error
    row = criteria(duck_city).set_index("code").loc["RDC-02"]
    assert at.subheader[0].value == f"{md('RDC-02')} {md(row['criterion'])}"
    ev = evidence("RDC-02", duck_city)
    ev_table = next(d.value for d in at.dataframe if "kind" in d.value.columns)
    assert len(ev_table) == len(ev)
    hist_table = next(d.value for d in at.dataframe if "field" in d.value.columns)
    assert len(hist_table) == len(history("RDC-02", duck_city))
    goals_table = next(d.value for d in at.dataframe if "priority_name" in d.value.columns and "name" in d.value.columns)
    assert "reduce-homelessness" in "".join(goals_table["Link"])


def test_editor_refuses_javascript_link_and_writes_nothing(page_city, monkeypatch):
    at = open_page(page_city, monkeypatch, criterion="EV-04")
    before = snapshot(page_city)
    at.selectbox(key="ed_status_EV-04").select("met")
    at.text_area(key="ed_links_EV-04").input("javascript:alert(1)")
    at.button(key="FormSubmitter:edit_EV-04-Save changes").click().run()
    assert not at.exception
    assert at.error and md("http:// or https://") in at.error[0].value  # the message, escaped as user text
    assert "Nothing was saved" in at.error[0].value
    assert snapshot(page_city) == before


def test_editor_saves_and_level_card_follows(page_city, monkeypatch):
    before = assessment(page_city)
    code = criteria(page_city).query("status != 'met'")["code"].iloc[0]
    at = open_page(page_city, monkeypatch, criterion=code)
    at.selectbox(key=f"ed_status_{code}").select("met")
    at.text_input(key=f"ed_owner_{code}").input("New Owner")
    at.text_area(key=f"ed_links_{code}").input("https://evidence.example.gov/doc")
    at.button(key=f"FormSubmitter:edit_{code}-Save changes").click().run()
    assert not at.exception and not at.error
    after = assessment(page_city)
    assert after.met == before.met + 1
    assert metric(at, "Criteria met") == f"{after.met} of {after.total}"
    assert any("**Owner:** New Owner" in m.value for m in at.markdown)
    assert any(f"{md(code)} saved" in s.value for s in at.success)
    hist = history(code, page_city)
    assert {"status", "owner", "evidence"} <= set(hist["field"])
    assert set(hist.loc[hist["field"] == "owner", "changed_by"]) == {access.LOCAL_ADMIN.name}  # the page's actor


def test_confirming_a_suggestion_attaches_evidence_only(page_city, monkeypatch):
    at = open_page(page_city, monkeypatch)
    crit = criteria(page_city).set_index("code")
    confirm = next(b for b in at.button if b.key and b.key.startswith("confirm_"))
    code = confirm.key.split("_", 2)[2]
    confirm.click().run()
    assert not at.exception and not at.error
    after = criteria(page_city).set_index("code")
    assert after.loc[code, "status"] == crit.loc[code, "status"]  # status never changed by a suggestion
    assert after.loc[code, "evidence_count"] == crit.loc[code, "evidence_count"] + 1
    ev = evidence(code, page_city)
    assert ev["kind"].iloc[0] == "document" and ev["ref"].iloc[0].startswith("Dashboard indicator")


# --------------------------------------------------------------------------- other readers

@pytest.fixture(scope="module")
def linked_city(tmp_path_factory) -> str:
    """A seeded city where the non-public `workforce` goal is linked to PA-01."""
    url = make_db(f"duckdb:///{tmp_path_factory.mktemp('linked') / 'l.duckdb'}")
    with db.writer(url) as conn:
        conn.execute(sa.insert(schema.goal_criteria).values(goal_id="workforce", code="PA-01"))
    return url


def goal_name(url: str, goal_id: str) -> str:
    with db.reader(url) as conn:
        return conn.execute(sa.select(schema.goals.c.name).where(schema.goals.c.id == goal_id)).scalar_one()


def test_public_reader_sees_status_but_no_internal_work(linked_city, monkeypatch):
    at = open_page(linked_city, monkeypatch, as_actor=access.PUBLIC_PORTAL, criterion="PA-01")
    assert not at.error
    a = assessment(linked_city)
    assert metric(at, "Level now") == (a.level or "Not certified")
    text = body(at)
    staff = criteria(linked_city)
    for owner in set(staff["owner"].dropna()):  # as a whole name ("Evaluation Lead", not "...Leadership")
        assert not re.search(re.escape(md(owner)) + r"(?![A-Za-z])", text), owner
    assert "overdue" not in text and "no owner yet" not in text
    assert "Suggested evidence — confirm to attach" not in [h.value for h in at.header]
    for frame in (d.value for d in at.dataframe):
        assert not {"owner", "target_date", "changed_by", "added_by", "notes"} & set(frame.columns)
        assert "field" not in frame.columns  # no history table
    assert not at.get("form")
    # the goal list names the public goal linked to PA-01, never the non-public one
    goals_table = next(d.value for d in at.dataframe if "priority_name" in d.value.columns)
    hidden = goal_name(linked_city, "workforce")
    assert hidden not in set(goals_table["name"]) and hidden not in text
    assert "reduce-homelessness" in "".join(goals_table["Link"])
    assert at.get("download_button")


def test_staff_see_the_hidden_goal_linked(linked_city, monkeypatch):
    at = open_page(linked_city, monkeypatch, criterion="PA-01")
    assert not at.error
    goals_table = next(d.value for d in at.dataframe if "priority_name" in d.value.columns)
    assert goal_name(linked_city, "workforce") in set(goals_table["name"])


def test_viewer_reads_history_without_an_editor_form(seeded_url, monkeypatch):
    """Staff share cached views; the editor form is decided per reader, after an editor filled the cache."""
    assert open_page(seeded_url, monkeypatch, criterion="RDC-02").get("form")
    password = "correct horse battery staple"
    with db.writer(seeded_url) as conn:  # a real viewer account, signed in through the form
        access.add_user(conn, "vi", "viewer", password, actor=access.LOCAL_ADMIN)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT).run()
    at.text_input[0].input("vi")
    at.text_input[1].input(password)
    at.button[0].click().run()
    at.query_params["criterion"] = "RDC-02"
    at.switch_page(PAGE).run()
    assert not at.exception
    assert not at.error
    assert any("field" in d.value.columns for d in at.dataframe)
    assert not at.get("form")
    assert any("Read-only view" in c.value for c in at.caption)


def test_goal_link_is_told_the_tracker_is_not_part_of_it(duck_city, monkeypatch):
    at = open_page(duck_city, monkeypatch, as_actor=access.Actor("public", "public link", "public",
                                                                 "goal:reduce-homelessness"))
    assert [e.value for e in at.error] == [cert_view.GOAL_SCOPED]
    assert not at.metric
