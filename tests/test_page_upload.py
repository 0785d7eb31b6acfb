"""AppTest for the Upload page against a private seeded DuckDB: preview, accept, history, rollback."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO
from tests.ingest.test_commit import snapshot, value

HH = "households-stable-housing"


@pytest.fixture
def app(seeded_url, monkeypatch):
    monkeypatch.setenv("METRICS_DB_URL", seeded_url)
    monkeypatch.chdir(REPO)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("app_pages/upload.py")
    return at


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_empty_page_offers_template_and_history(app):
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "Upload data"
    assert any("No uploads yet" in c.value for c in at.caption)


def test_preview_accept_and_roll_back(app, seeded_url):
    old = value(seeded_url, HH, "2018-Q1")
    before = snapshot(seeded_url)
    app.session_state["upload"] = ("q.csv", f"measure_id,period,value\n{HH},2018-Q1,3100\n".encode())
    at = app.run()
    assert not at.exception and not at.error
    assert _metric(at, "Changed") == "1" and _metric(at, "New") == "0"
    assert snapshot(seeded_url) == before  # preview wrote nothing
    next(b for b in at.button if b.label == "Accept and load").click()
    at = at.run()
    assert not at.exception
    assert any("loaded as upload #1" in s.value for s in at.success)
    assert value(seeded_url, HH, "2018-Q1") == 3100
    at.button(key="rollback-1").click()
    at = at.run()
    assert any("rolled back" in s.value for s in at.success)
    assert value(seeded_url, HH, "2018-Q1") == old


def test_rejected_file_shows_reasons_without_traceback(app, seeded_url):
    before = snapshot(seeded_url)
    app.session_state["upload"] = ("bad.csv", f"measure_id,period,value\n{HH},2018-Q1,=1+1\nnope,2018-Q1,1\n".encode())
    at = app.run()
    assert not at.exception
    assert any("rejected" in e.value for e in at.error)
    assert _metric(at, "Rejected") == "2"
    assert not any(b.label == "Accept and load" for b in at.button)
    assert snapshot(seeded_url) == before
