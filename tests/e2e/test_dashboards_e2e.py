"""A real browser opens the four dashboards, reads the homelessness numbers and saves screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import shot, wait_for_app

pytestmark = pytest.mark.e2e


def _charts_drawn(page, at_least: int) -> None:
    expect(page.locator(".js-plotly-plot").nth(at_least - 1)).to_be_visible(timeout=30000)


def full_shot(page, name: str):
    """Streamlit scrolls inside its main block, so grow the viewport to the page before the screenshot."""
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 40, 8000)})
    expect(page.locator(".js-plotly-plot").last).to_be_visible()
    page.wait_for_timeout(1500)  # let plotly and the data grids repaint at the new size
    return shot(page, name)


def test_overview_full(app_url, page):
    page.goto(app_url)
    wait_for_app(page)
    expect(page.locator(".gtitle", has_text="City score, last 12 months")).to_be_visible()
    expect(page.get_by_text("Data as of", exact=False).first).to_be_visible()
    expect(page.get_by_text("Biggest movers since the previous period")).to_be_visible()  # folded drill-down
    expect(page.get_by_text("What is stale", exact=True)).to_be_visible()
    _charts_drawn(page, 1)
    assert full_shot(page, "overview-full").stat().st_size > 10_000


def test_goal_page(app_url, page):
    page.goto(f"{app_url}/goal?goal=reduce-homelessness")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Move people experiencing homelessness into stable housing")).to_be_visible()
    expect(page.get_by_text("At the current pace", exact=False).first).to_be_visible()
    expect(page.locator(".gtitle", has_text="history, target and projection")).to_be_visible()
    _charts_drawn(page, 3)
    assert "goal=reduce-homelessness" in page.url
    assert full_shot(page, "goal").stat().st_size > 10_000


def test_outcomes_page_shows_3024(app_url, page):
    page.goto(f"{app_url}/outcomes")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Outcomes vs outputs")).to_be_visible()
    expect(page.get_by_text("2018-Q1: 3,024 households, +1,222 on 2017-Q1", exact=False).first).to_be_visible()
    expect(page.get_by_text("Outcome-based contracts begin", exact=False).first).to_be_visible()
    _charts_drawn(page, 3)
    assert full_shot(page, "outcomes").stat().st_size > 10_000


def test_equity_page(app_url, page):
    page.goto(f"{app_url}/equity?measure=households-stable-housing")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Equity: Households moved into stable housing by race")).to_be_visible()
    expect(page.get_by_text("shown as “suppressed”", exact=False)).to_be_visible()
    _charts_drawn(page, 2)
    assert "measure=households-stable-housing" in page.url
    assert full_shot(page, "equity").stat().st_size > 10_000
