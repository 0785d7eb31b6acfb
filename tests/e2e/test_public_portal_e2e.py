"""The live public portal as a resident opens it from a share link, in Chromium on a desktop and a
390x844 phone: axe-core reports no serious or critical WCAG 2.1 AA violation on any public page.

Streamlit's own sidebar navigation is left out of the audit: it puts section headings as <div>s inside
its <ul> (axe `list`/`listitem`), markup the app cannot change; the page content, which the app
draws, is audited whole. The static site (test_public_site_e2e.py) has no such exception.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from metrics import access
from metrics.store import db
from tests.conftest import make_db
from tests.e2e.helpers import start_app, wait_for_app

pytestmark = pytest.mark.e2e

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = ("overview", "goal?goal=reduce-homelessness", "measure?measure=households-stable-housing",
         "outcomes", "equity", "certification")
SCREENS = {"desktop": {"width": 1920, "height": 1080}, "phone": {"width": 390, "height": 844}}
ADMIN = access.Actor("user", "ada", "admin")


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    url = make_db(f"duckdb:///{tmp_path_factory.mktemp('portal') / 'city.duckdb'}")
    with db.writer(url) as conn:
        token = access.create_share(conn, "portal", actor=ADMIN)
    proc, base, _log = start_app(url)
    yield base, token
    proc.terminate()
    proc.wait(timeout=20)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_public_pages_pass_axe(portal, browser, screen):
    base, token = portal
    ctx = browser.new_context(viewport=SCREENS[screen])
    page = ctx.new_page()
    axe, problems = Axe(), []
    for path in PAGES:
        page.goto(f"{base}/{path}{'&' if '?' in path else '?'}share={token}")
        wait_for_app(page)
        assert page.get_by_text("Public view: published measures. Read only.").count() == 1, path
        assert page.get_by_test_id("stAlertContentError").count() == 0, path
        page.wait_for_timeout(500)  # charts finish drawing after the script run ends
        result = axe.run(page, context={"exclude": [['[data-testid="stSidebarNav"]']]},
                         options={"runOnly": {"type": "tag", "values": WCAG}})
        assert result.response["passes"], path  # axe really ran
        problems += [f"{path}: {v['id']} ({v['impact']}) at {v['nodes'][0]['target']}: "
                     f"{v['nodes'][0].get('failureSummary', '')[:160]}"
                     for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
    ctx.close()
    assert not problems, "\n".join(problems)
