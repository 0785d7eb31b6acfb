from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, start_app


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    from tests.conftest import make_db
    url = make_db(f"duckdb:///{tmp_path_factory.mktemp('e2e') / 'city.duckdb'}")
    proc, base, log = start_app(url)
    yield base
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    yield pg
    ctx.close()
