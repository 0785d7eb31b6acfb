"""AppTest for the Certification page against real seeded DuckDB files (no mocks).

Expected numbers come from the database through metrics (certification.assess), never typed in.
"""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from metrics.access.visibility import STAFF
from metrics.domain import certification
from metrics.wwc import store as wwc_store
from tests.conftest import REPO, make_db
from tests.test_wwc_store import snapshot

TIMEOUT = 60
PAGE = "app_pages/certification.py"


def open_page(url: str, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("METRICS_DB_URL", url)
    monkeypatch.chdir(REPO)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
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
    return certification.assess(wwc_store.criteria_status(url, vis=STAFF), certification.load_levels())


def test_level_card_charts_and_sections(duck_city, monkeypatch):
    at = open_page(duck_city, monkeypatch)
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
    # next steps: as many rows as certification.next_steps gives, each with a reason
    steps = certification.next_steps(wwc_store.criteria_status(duck_city, vis=STAFF), certification.load_levels(), n=10,
                                     as_of=date.today(), suggestions=wwc_store.suggestions(date.today(), duck_city, vis=STAFF))
    listing = next(m.value for m in at.markdown if m.value.startswith("1. **["))
    assert len(listing.splitlines()) == 2 * len(steps)
    assert f"?criterion={steps['code'].iloc[0]}" in listing
    assert at.get("download_button")


def test_filters_narrow_the_table(duck_city, monkeypatch):
    at = open_page(duck_city, monkeypatch, practice="Rigorous Evaluations")
    crit = wwc_store.criteria_status(duck_city, vis=STAFF)
    n = int((crit["practice"] == "Rigorous Evaluations").sum())
    table = next(d.value for d in at.dataframe if "evidence_count" in d.value.columns)
    assert len(table) == n and set(table["practice"]) == {"Rigorous Evaluations"}
    at.selectbox(key="criteria_status").select("✓ Met").run()
    table = next(d.value for d in at.dataframe if "evidence_count" in d.value.columns)
    met = int(((crit["practice"] == "Rigorous Evaluations") & (crit["status"] == "met")).sum())
    assert len(table) == met


def test_what_if_projection_updates(duck_city, monkeypatch):
    at = open_page(duck_city, monkeypatch)
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
    row = wwc_store.criteria_status(duck_city, vis=STAFF).set_index("code").loc["RDC-02"]
    assert at.subheader[0].value == f"RDC-02 {row['criterion']}"
    ev = wwc_store.evidence("RDC-02", duck_city, vis=STAFF)
    ev_table = next(d.value for d in at.dataframe if "kind" in d.value.columns)
    assert len(ev_table) == len(ev)
    hist_table = next(d.value for d in at.dataframe if "field" in d.value.columns)
    assert len(hist_table) == len(wwc_store.history("RDC-02", duck_city, vis=STAFF))
    goals_table = next(d.value for d in at.dataframe if "priority_name" in d.value.columns and "name" in d.value.columns)
    assert "reduce-homelessness" in "".join(goals_table["Link"])


def test_editor_refuses_javascript_link_and_writes_nothing(page_city, monkeypatch):
    at = open_page(page_city, monkeypatch, criterion="EV-04")
    before = snapshot(page_city)
    at.selectbox(key="ed_status_EV-04").select("met")
    at.text_area(key="ed_links_EV-04").input("javascript:alert(1)")
    at.button(key="FormSubmitter:edit_EV-04-Save changes").click().run()
    assert not at.exception
    assert at.error and "http:// or https://" in at.error[0].value and "Nothing was saved" in at.error[0].value
    assert snapshot(page_city) == before


def test_editor_saves_and_level_card_follows(page_city, monkeypatch):
    before = assessment(page_city)
    code = wwc_store.criteria_status(page_city, vis=STAFF).query("status != 'met'")["code"].iloc[0]
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
    assert any(f"{code} saved" in s.value for s in at.success)
    hist = wwc_store.history(code, page_city, vis=STAFF)
    assert {"status", "owner", "evidence"} <= set(hist["field"])


def test_confirming_a_suggestion_attaches_evidence_only(page_city, monkeypatch):
    at = open_page(page_city, monkeypatch)
    crit = wwc_store.criteria_status(page_city, vis=STAFF).set_index("code")
    confirm = next(b for b in at.button if b.key and b.key.startswith("confirm_"))
    code = confirm.key.split("_", 2)[2]
    confirm.click().run()
    assert not at.exception
    after = wwc_store.criteria_status(page_city, vis=STAFF).set_index("code")
    assert after.loc[code, "status"] == crit.loc[code, "status"]  # status never changed by a suggestion
    assert after.loc[code, "evidence_count"] == crit.loc[code, "evidence_count"] + 1
    ev = wwc_store.evidence(code, page_city, vis=STAFF)
    assert ev["kind"].iloc[0] == "document" and ev["ref"].iloc[0].startswith("Dashboard indicator")
