"""A real browser opens the dashboard and reads the homelessness numbers off the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import shot, wait_for_app

pytestmark = pytest.mark.e2e


def test_overview_then_measure_show_homelessness(app_url, page):
    page.goto(app_url)
    wait_for_app(page)
    expect(page.get_by_role("link", name="Move people experiencing homelessness into stable housing")).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="City score")).to_be_visible()  # the card, not the chart title
    assert shot(page, "overview").stat().st_size > 10_000

    page.goto(f"{app_url}/measure?measure=households-stable-housing")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Households moved into stable housing")).to_be_visible()
    expect(page.get_by_text("Target in force (households)")).to_be_visible()
    # The chart's title and the 2018-Q1 figure from the data table are on screen.
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    expect(page.get_by_text("Households moved into stable housing — higher is better")).to_be_visible()
    assert "measure=households-stable-housing" in page.url
    assert shot(page, "measure").stat().st_size > 10_000

    page.goto(f"{app_url}/measure?measure=households-stable-housing&period=2018-Q1")
    wait_for_app(page)
    metric = page.get_by_test_id("stMetric").filter(has=page.get_by_text("2018-Q1 (households)", exact=True))
    expect(metric).to_contain_text("3,024")
    expect(metric).to_contain_text("+1,222 vs 2017-Q1")


def test_switching_measure_updates_url(app_url, page):
    page.goto(f"{app_url}/measure?measure=shelter-beds")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Shelter beds available per night")).to_be_visible()
    page.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="Outreach contacts (outreach-contacts)").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Outreach contacts")).to_be_visible()
    expect(page).to_have_url(f"{app_url}/measure?measure=outreach-contacts")
