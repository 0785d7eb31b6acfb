"""Every page opened by its own address on a fresh session shows that page, never "Page not found"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import wait_for_app

pytestmark = pytest.mark.e2e

# url_path -> a heading only that page draws
PAGES = {"overview": "how are we doing", "goal?goal=reduce-homelessness": "Move people experiencing homelessness",
         "outcomes": "Do outputs show up in the outcome later?", "equity": "Equity:", "measure?measure=households-stable-housing": "Households moved into stable housing",
         "certification": "What Works Cities certification", "upload": "Upload data"}


@pytest.mark.parametrize("path", [*PAGES, "", "goal", "measure"])
def test_deep_link_opens_the_page(app_url, browser, path):
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})  # a fresh session every time
    page = ctx.new_page()
    try:
        page.goto(f"{app_url}/{path}")
        wait_for_app(page)
        expect(page.get_by_text("Page not found")).to_have_count(0)
        expect(page.get_by_role("heading", name=PAGES.get(path, "how are we doing" if not path else "")).first).to_be_visible()
        if path == "":
            assert page.url.rstrip("/").endswith("/overview")  # the root opens the Overview at its address
        # the sidebar marks the page being read
        expect(page.get_by_test_id("stSidebarNavLink").and_(page.locator("[aria-current=page]"))).to_have_count(1)
    finally:
        ctx.close()
