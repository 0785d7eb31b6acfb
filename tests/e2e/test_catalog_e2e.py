"""A real browser runs the catalog on an uploaded draft: creates a public goal, assigns the draft to it, sets a
target with a reason, writes a narrative and an annotation, publishes it, and a public link shows the measure
with the annotation marker on its chart and the narrative (made safe)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from metrics import access
from metrics.ingest.commit import ingest
from metrics.store import db
from tests.e2e.helpers import open_tab, shot, start_app, wait_for_app

pytestmark = pytest.mark.e2e
ADMIN = access.Actor("user", "ada", "admin")
CSV = b"measure_id,period,value\nnavigators,2025-Q4,12\nnavigators,2026-Q1,14\nnavigators,2026-Q2,19\n"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from tests.conftest import make_db
    url = make_db(f"duckdb:///{tmp_path_factory.mktemp('e2e-catalog') / 'city.duckdb'}")
    ingest(CSV, url, create_measures=True, actor=ADMIN)  # an uploaded draft nobody can see publicly yet
    proc, base, _log = start_app(url)
    yield base, url
    proc.terminate()
    proc.wait(timeout=20)


def pick(page, label: str, option: str) -> None:
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True))
    box.click()
    page.get_by_role("option", name=option).click()


def saved(page, text: str) -> None:
    wait_for_app(page)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text=text)).to_be_visible()
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)


def test_an_uploaded_draft_goes_public_with_its_story(city, page):
    base, url = city
    page.goto(f"{base}/manage-goals")
    wait_for_app(page)
    open_tab(page, "New goal")
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Create goal"))
    form.get_by_label("Id (lower-case, hyphens)").fill("street-outreach")
    form.get_by_label("Name", exact=True).fill("Reach every rough sleeper")
    form.get_by_text("Public now").click()
    form.get_by_role("button", name="Create goal").click()
    saved(page, "Created goal street-outreach.")

    page.goto(f"{base}/manage-measures?measure=navigators")
    wait_for_app(page)
    expect(page.get_by_text("It has no goal: publishing needs one.")).to_be_visible()
    open_tab(page, "Details")
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Save details"))
    form.get_by_label("Name", exact=True).fill("Housing navigators")
    pick(page, "Goal", "Reach every rough sleeper (street-outreach)")
    form.get_by_text("Public (shown on public links once published)").click()
    form.get_by_role("button", name="Save details").click()
    saved(page, "goal_id: — → street-outreach")
    expect(page.get_by_role("tab", name="Details")).to_have_attribute("aria-selected", "true")  # still on it

    open_tab(page, "Narratives")  # the latest period reported (2026-Q2) is picked
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Save narrative"))
    story = "Two **new hires** joined. <script>alert(1)</script>"
    form.get_by_label("Narrative").fill(story)
    expect(form.get_by_label("Narrative")).to_have_value(story)
    form.get_by_role("button", name="Save narrative").click()
    saved(page, "Narrative for 2026-Q2 saved.")

    open_tab(page, "Annotations")
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Add annotation"))
    for part, typed in (("year", "2026"), ("month", "05"), ("day", "15")):  # a react-aria date field: one spinner each
        form.get_by_role("spinbutton", name=f"{part}, Date").click()
        page.keyboard.type(typed)
    expect(form.get_by_role("spinbutton", name="month, Date")).to_have_attribute("aria-valuenow", "5")
    form.get_by_label("Note").fill("Team doubled")
    form.get_by_role("button", name="Add annotation").click()
    saved(page, "Annotation added on 2026-05-15.")

    page.goto(f"{base}/manage-targets?measure=navigators")
    wait_for_app(page)
    page.get_by_label("From period").fill("2026-Q1")
    page.get_by_label("Target value").fill("20")
    page.get_by_label("Reason (kept in the history)").fill("Council budget")
    page.get_by_role("button", name="Set target").click()
    saved(page, "Target for navigators from 2026-Q1 set to 20.")

    page.goto(f"{base}/manage-measures?measure=navigators")
    wait_for_app(page)
    page.get_by_role("button", name="Publish").click()
    saved(page, "Published navigators.")
    expect(page.get_by_text("The public sees this measure now.")).to_be_visible()
    shot(page, "e2e-catalog-published")

    with db.writer(url) as conn:
        token = access.create_share(conn, "portal", actor=ADMIN)
    page.goto(f"{base}/measure?share={token}&measure=navigators")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Housing navigators")).to_be_visible()
    expect(page.get_by_text("Why it moved — 2026-Q2")).to_be_visible()
    expect(page.get_by_text("new hires", exact=True)).to_be_visible()  # rendered bold, not as asterisks
    expect(page.locator("script", has_text="alert(1)")).to_have_count(0)
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart.get_by_text("Team doubled")).to_be_visible()
    shot(page, "e2e-catalog-public-measure")
