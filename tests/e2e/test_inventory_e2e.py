"""A real browser on the staff Data inventory page (single-user mode on loopback is staff): the
overdue-per-owner table, every measure and the CSV download."""

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

