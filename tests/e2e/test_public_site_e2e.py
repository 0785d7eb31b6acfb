"""The static public site as residents get it: served by `python -m http.server` on 127.0.0.1 (no Python
app behind it), every page opened in Chromium on a desktop and on a 390x844 phone, with axe-core
(axe-playwright-python's bundled axe.min.js) reporting no serious or critical WCAG violation, every
chart drawn from the local plotly.js (no network beyond the site), a text alternative and "data as
of" next to each chart, goal tables readable on the phone with the status first, and none of the
planted staff-only facts (tests/test_visibility.py) in any page.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from metrics.publish import site
from tests.conftest import make_db
from tests.e2e.helpers import SHOTS, free_port
from tests.test_visibility import SECRET_MARK, plant

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    url = plant(make_db(f"duckdb:///{tmp_path_factory.mktemp('site') / 'city.duckdb'}"))
    out = tmp_path_factory.mktemp("public") / "site"
    site.publish(out, url, base_url="https://data.example.gov/performance")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/index.html", timeout=2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.2)
    yield out, base
    proc.terminate()
    proc.wait(timeout=10)


def _pages(out) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*.html"))


def _templates(pages: list[str]) -> list[str]:
    """Every top-level page and the first two of each folder (goals/, measures/): the site has five
    page templates, so axe on these covers every structure the site has; running axe on all 130
    pages on two screens took most of the suite's time for no extra template."""
    seen: dict[str, int] = {}
    picked = []
    for rel in pages:
        folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
        seen[folder] = seen.get(folder, 0) + 1
        if not folder or seen[folder] <= 2:
            picked.append(rel)
    return picked


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_every_page_passes_axe_and_shows_no_planted_secret(served, browser, device):
    """Desktop opens every page (staff-only text, charts with their text alternative, nothing
    fetched from outside); axe runs on every template on both screens."""
    out, base = served
    ctx = browser.new_context(viewport=VIEWPORTS[device])
    outside = []
    ctx.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base)
              else (outside.append(route.request.url), route.abort()))
    page = ctx.new_page()
    axe = Axe()
    problems, pages = [], _pages(out)
    assert len(pages) > 100
    templates = set(_templates(pages))
    for rel in pages if device == "desktop" else sorted(templates):
        page.goto(f"{base}/{rel}")
        page.wait_for_load_state("load")
        if rel in templates:
            result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
            assert result.response["passes"], rel  # axe really ran
            for v in result.response["violations"]:
                if v["impact"] in ("serious", "critical"):
                    problems.append(f"{rel}: {v['id']} ({v['impact']}) at {v['nodes'][0]['target']}")
        body = page.inner_text("body")
        if SECRET_MARK in body or "(overdue)" in body:
            problems.append(f"{rel}: staff-only text")
        if page.locator(".js-plotly-plot").count():
            assert page.locator("figure .asof").first.inner_text().startswith("Data as of"), rel
            assert page.locator("figure p.note").first.inner_text(), rel  # the text alternative
    ctx.close()
    assert not problems, "\n".join(problems[:20])
    assert not outside, f"the site fetched from outside itself: {outside[:5]}"


def test_phone_goal_table_shows_status_first_and_charts_draw(served, browser):
    out, base = served
    ctx = browser.new_context(viewport=VIEWPORTS["phone"])
    page = ctx.new_page()
    page.goto(f"{base}/goals/reduce-homelessness.html")
    expect(page.locator("h1")).to_have_text("Move people experiencing homelessness into stable housing")
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()  # drawn by the local plotly.js
    row = page.locator("table.stack tbody tr").first
    cells = row.locator("td")
    box_status, box_measure = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
    assert box_status["y"] < box_measure["y"]  # stacked: status on top
    for i in range(5):  # every column on screen, none cut off to the right
        b = cells.nth(i).bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= 390, i
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "site-goal-phone.png"), full_page=False)
    page.goto(f"{base}/index.html")
    page.screenshot(path=str(SHOTS / "site-overview-phone.png"), full_page=False)
    ctx.close()
    ctx = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = ctx.new_page()
    for rel, name in (("index.html", "site-overview-desktop"), ("goals/reduce-homelessness.html", "site-goal-desktop"),
                      ("measures/households-stable-housing.html", "site-measure-desktop"),
                      ("data.html", "site-open-data-desktop")):
        page.goto(f"{base}/{rel}")
        page.wait_for_load_state("load")
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)
    page.goto(f"{base}/measures/households-stable-housing.html")
    page.get_by_text("Show the figures as a table").click()
    expect(page.locator("details table")).to_contain_text("2018-Q1")
    expect(page.locator("details table")).to_contain_text("3,024")
    ctx.close()


def test_keyboard_reaches_the_content(served, browser):
    _, base = served
    ctx = browser.new_context(viewport=VIEWPORTS["desktop"])
    page = ctx.new_page()
    page.goto(f"{base}/index.html")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('main') !== null")
    assert focused
    ctx.close()
