"""A real browser on the staff Data inventory page (single-user mode on loopback is staff): the
overdue-per-owner table, every measure and the CSV download; and the Overview's council report box."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import shot, wait_for_app

pytestmark = pytest.mark.e2e


def test_inventory_page_shows_owners_and_downloads(app_url, page):
    page.goto(f"{app_url}/inventory")
    wait_for_app(page, timeout=120000)
    expect(page.get_by_role("heading", name="Data inventory")).to_be_visible()
    expect(page.get_by_text("Overdue per owner")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_have_count(2)
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download the inventory (CSV)").click()
    assert dl.value.suggested_filename.startswith("data-inventory-")
    text = open(dl.value.path(), encoding="utf-8").read()
    assert text.startswith("measure_id,name,goal,owner") and "households-stable-housing" in text
    shot(page, "inventory-desktop")


def test_overview_council_report_box_prepares_a_workbook(app_url, page):
    page.goto(f"{app_url}/overview")
    wait_for_app(page, timeout=120000)
    page.get_by_text("Council report (PDF or Excel)").click()
    page.get_by_label("Period").fill("2018-Q1")
    page.get_by_label("Period").press("Enter")
    wait_for_app(page, timeout=120000)
    page.get_by_test_id("stSelectbox").filter(has_text="Format").click()
    page.get_by_role("option", name="Excel").click()
    wait_for_app(page, timeout=120000)
    page.get_by_role("button", name="Prepare report").click()
    wait_for_app(page, timeout=300000)
    button = page.get_by_role("button", name="Download council-report-2018-Q1.xlsx")
    expect(button).to_be_visible(timeout=300000)
    with page.expect_download() as dl:
        button.click()
    assert dl.value.suggested_filename == "council-report-2018-Q1.xlsx"
