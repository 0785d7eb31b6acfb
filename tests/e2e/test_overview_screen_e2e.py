"""The Overview answers "how are we doing" on one wall screen and on a phone (screenshots kept)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import SHOTS, wait_for_app

pytestmark = pytest.mark.e2e


def _open(browser, app_url, width, height, path="overview"):
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.goto(f"{app_url}/{path}")
    wait_for_app(page)
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30000)
    return ctx, page


def _main_height(page) -> int:
    return int(page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight"))


def test_wall_screen_shows_score_and_every_goal_above_the_fold(app_url, browser):
    ctx, page = _open(browser, app_url, 1920, 1080)
    try:
        expect(page.get_by_test_id("stMetric").filter(has_text="City score")).to_be_visible()
        cards = page.locator(".ov-card")
        assert cards.count() >= 20 + 6  # every goal and priority of the demo city
        last = cards.last.bounding_box()
        assert last is not None and last["y"] + last["height"] <= 1080, last  # the last goal is above the fold
        expect(page.get_by_text("Page not found")).to_have_count(0)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "overview-1920x1080.png"))
    finally:
        ctx.close()


def test_phone_reads_the_score_then_the_goals(app_url, browser):
    ctx, page = _open(browser, app_url, 390, 844)
    try:
        score = page.get_by_test_id("stMetric").filter(has_text="City score")
        expect(score).to_be_visible()
        card = page.locator(".ov-card").first.bounding_box()
        assert card is not None and card["width"] <= 390  # one card per row, no sideways scrolling
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "overview-390x844.png"))
        page.set_viewport_size({"width": 390, "height": min(_main_height(page) + 40, 8000)})
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / "overview-390-full.png"))
    finally:
        ctx.close()


def test_filters_in_the_url_apply_to_the_score_too(app_url, browser):
    ctx, page = _open(browser, app_url, 1400, 900, "overview?priority=Safe+Neighborhoods")
    try:
        expect(page.get_by_text("Filtered: every figure below", exact=False)).to_be_visible()
        expect(page.locator(".ov-prio")).to_have_count(1)  # one priority card
        assert _main_height(page) <= 5 * 900
    finally:
        ctx.close()


def test_goal_with_mixed_frequencies(app_url, browser):
    ctx, page = _open(browser, app_url, 1400, 900, "goal?goal=overdose")
    try:
        expect(page.get_by_text("lined up per quarter", exact=False).first).to_be_visible()
        expect(page.get_by_test_id("stAlertContentWarning")).to_have_count(0)
        page.set_viewport_size({"width": 1400, "height": min(_main_height(page) + 40, 8000)})
        expect(page.locator(".js-plotly-plot").last).to_be_visible()
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SHOTS / "goal-mixed-frequencies.png"), full_page=True)
    finally:
        ctx.close()
