"""A real browser uploads a file that changes the homelessness outcome, accepts it, sees it, rolls it back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from metrics.demo import city as demo
from tests.e2e.helpers import shot, wait_for_app

pytestmark = pytest.mark.e2e
HH = "households-stable-housing"
NEW_VALUE = 4321


def _latest() -> tuple[str, float]:
    obs = demo.build_city()["observations"]
    agg = obs[(obs.measure_id == HH) & (obs.dimension == "")].sort_values("period_end")
    return agg.period.iloc[-1], agg.value.iloc[-1]


def _latest_metric(page, period):
    return page.get_by_test_id("stMetric").filter(has=page.get_by_text(f"Latest, {period} (households)", exact=True))


def test_upload_preview_accept_then_rollback(app_url, page):
    period, old = _latest()
    page.goto(f"{app_url}/upload")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Upload data")).to_be_visible()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(files=[{
        "name": "hsd-latest.csv", "mimeType": "text/csv",
        "buffer": f"measure_id,period,value\n{HH},{period},{NEW_VALUE}\n".encode()}])
    wait_for_app(page)
    expect(page.get_by_text("Changed values (old → new)")).to_be_visible()
    changed = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Changed", exact=True))
    expect(changed).to_contain_text("1", timeout=30_000)  # metrics draw after the mapping step's widgets load
    assert shot(page, "upload-preview").stat().st_size > 10_000

    page.get_by_role("button", name="Accept and load").click()
    wait_for_app(page)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="loaded as upload #1")).to_be_visible()
    history = page.get_by_test_id("stMarkdownContainer").filter(has_text=re.compile(r"^hsd-latest\.csv$"))
    expect(history.last).to_be_visible()  # the history row (after the preview's heading), read fresh
    assert shot(page, "upload-committed").stat().st_size > 10_000

    page.goto(f"{app_url}/measure?measure={HH}")
    wait_for_app(page)
    expect(_latest_metric(page, period)).to_contain_text(f"{NEW_VALUE:,}")
    assert shot(page, "upload-measure-after").stat().st_size > 10_000

    page.goto(f"{app_url}/upload")
    wait_for_app(page)
    page.get_by_role("button", name="Roll back").first.click()
    wait_for_app(page)
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text="upload #1 rolled back")).to_be_visible()
    expect(page.get_by_text("rolled back", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Roll back")).to_have_count(0)
    assert shot(page, "upload-rolled-back").stat().st_size > 10_000

    page.goto(f"{app_url}/measure?measure={HH}")
    wait_for_app(page)
    expect(_latest_metric(page, period)).to_contain_text(f"{old:,.0f}")
