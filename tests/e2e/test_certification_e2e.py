"""A real browser on the Certification page: the level, a form edit that crosses a level threshold,
the what-if projection, and a refused `javascript:` evidence link with nothing written.

The scenario is computed from the demo database (certification.what_if), not typed in: all but one
criterion of the shortest path to the next level are met directly in the database, then the last one
is met through the editor form and the level shown on screen must change.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from metrics import access
from metrics.domain import certification
from metrics.store import db
from metrics.wwc import store as wwc_store
from tests.e2e.helpers import shot, start_app, wait_for_app
from tests.test_wwc_store import criteria, snapshot

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def cert_app(tmp_path_factory):
    from tests.conftest import make_db
    url = make_db(f"duckdb:///{tmp_path_factory.mktemp('e2e_cert') / 'city.duckdb'}")
    proc, base, _log = start_app(url)
    yield base, url
    proc.terminate()
    proc.wait(timeout=20)


def assessment(url: str) -> certification.Assessment:
    return certification.assess(criteria(url), certification.load_levels())


def metric(page: Page, label: str):
    return page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))


def choose(page: Page, box, option: str) -> None:
    """Open a selectbox and pick an option; a rerun landing mid-click can close the list, so retry."""
    for attempt in range(3):
        box.click()
        try:
            page.get_by_role("option", name=option).click(timeout=3000)
            return
        except Exception:  # noqa: BLE001 - list closed by a rerun; open it again
            if attempt == 2:
                raise
            wait_for_app(page)


def test_level_whatif_and_editor_crossing_a_threshold(cert_app, page):
    base, url = cert_app
    config = certification.load_levels()
    start = assessment(url)
    page.goto(f"{base}/certification")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="What Works Cities certification")).to_be_visible()
    expect(metric(page, "Level now")).to_contain_text(start.level or "Not certified")
    expect(metric(page, "Criteria met")).to_contain_text(f"{start.met} of {start.total}")
    expect(page.get_by_text(f"{start.next_level} needs {start.needed_for_next} more").first).to_be_visible()
    expect(page.locator(".js-plotly-plot")).to_have_count(2)
    assert shot(page, "certification").stat().st_size > 10_000
    page.get_by_role("heading", name="Next steps").scroll_into_view_if_needed()
    expect(page.get_by_role("heading", name="Suggested evidence — confirm to attach")).to_be_attached()
    assert shot(page, "certification-next-steps").stat().st_size > 10_000

    # What if: tick the shortest path and the projected level becomes the next level, live.
    page.get_by_role("button", name=f"Tick the shortest path to {start.next_level}").click()
    wait_for_app(page)
    expect(metric(page, "Projected level")).to_contain_text(start.next_level)
    metric(page, "Projected level").scroll_into_view_if_needed()
    assert shot(page, "certification-whatif").stat().st_size > 10_000

    # Bring the city to one criterion short of the next level, then meet the last one in the form.
    path = certification.what_if(criteria(url), config)
    *first, last = path["code"].tolist()
    with db.writer(url) as conn:
        for code in first:
            wwc_store.set_status(conn, code, status="met", actor=access.Actor("user", "e2e-setup", "editor"))
    one_short = assessment(url)
    assert one_short.level == start.level and one_short.needed_for_next == 1

    page.goto(f"{base}/certification?criterion={last}")
    wait_for_app(page)
    expect(metric(page, "Level now")).to_contain_text(start.level or "Not certified")
    expect(metric(page, f"To reach {start.next_level}")).to_contain_text("1 more")
    form = page.get_by_test_id("stForm")
    choose(page, form.get_by_test_id("stSelectbox").first, "✓ Met")
    form.get_by_label("Add evidence: one per line, an https:// link, measure:ID or goal:ID").fill(
        "https://evidence.example.gov/report")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text(f"{last} saved").first).to_be_visible(timeout=30_000)  # the write has happened
    wait_for_app(page)
    crossed = assessment(url)
    assert crossed.level == start.next_level
    expect(metric(page, "Level now")).to_contain_text(crossed.level)
    expect(metric(page, "Criteria met")).to_contain_text(f"{crossed.met} of {crossed.total}")
    if crossed.next_level:
        expect(metric(page, f"To reach {crossed.next_level}")).to_contain_text(f"{crossed.needed_for_next} more")
    page.get_by_role("heading", name="What Works Cities certification").scroll_into_view_if_needed()
    assert shot(page, "certification-level-up").stat().st_size > 10_000


def test_javascript_evidence_is_refused_and_nothing_written(cert_app, page):
    base, url = cert_app
    code = criteria(url).query("status != 'met'")["code"].iloc[-1]
    before = snapshot(url)
    page.goto(f"{base}/certification?criterion={code}")
    wait_for_app(page)
    form = page.get_by_test_id("stForm")
    form.get_by_label("Add evidence: one per line, an https:// link, measure:ID or goal:ID").fill(
        "javascript:alert(1)")
    form.get_by_role("button", name="Save changes").click()
    wait_for_app(page)
    error = page.get_by_test_id("stAlertContentError")
    expect(error).to_contain_text("Nothing was saved")
    expect(error).to_contain_text("must start with http:// or https://")
    error.scroll_into_view_if_needed()
    assert shot(page, "certification-refused").stat().st_size > 10_000
    assert snapshot(url) == before
