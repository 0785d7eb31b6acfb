"""AppTest for the Upload page against a private seeded DuckDB: preview, accept, history, rollback."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from metrics import access
from tests.conftest import REPO
from tests.ingest.test_commit import snapshot, value

HH = "households-stable-housing"


def plain(markdown: str) -> str:
    """What a reader sees of text escaped by domain.text.md (AppTest returns the Markdown source)."""
    return re.sub(r"\\(.)", r"\1", markdown)


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
    assert not at.exception and not at.error
    assert at.title[0].value == "Upload data"
    assert any("No uploads yet" in plain(c.value) for c in at.caption)


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
    assert not at.exception and not at.error
    assert any("loaded as upload #1" in plain(s.value) for s in at.success)
    assert value(seeded_url, HH, "2018-Q1") == 3100
    assert any(plain(m.value) == "q.csv" for m in at.markdown)  # the history row
    at.button(key="rollback-1").click()
    at = at.run()
    assert not at.exception and not at.error
    assert any("rolled back" in plain(s.value) for s in at.success)
    assert value(seeded_url, HH, "2018-Q1") == old
    assert any(plain(m.value) == "rolled back" for m in at.markdown)
    assert not any(b.key == "rollback-1" for b in at.button)  # nothing left to roll back


def test_rejected_file_shows_reasons_without_traceback(app, seeded_url):
    before = snapshot(seeded_url)
    app.session_state["upload"] = ("bad.csv", f"measure_id,period,value\n{HH},2018-Q1,=1+1\nnope,2018-Q1,1\n".encode())
    at = app.run()
    assert not at.exception
    assert any("rejected" in e.value for e in at.error)
    assert _metric(at, "Rejected") == "2"
    assert not any(b.label == "Accept and load" for b in at.button)
    assert snapshot(seeded_url) == before


def test_file_name_stays_text_and_unchanged_upload_shows_in_history(app, seeded_url):
    """A file name with Markdown is shown as text; an upload that changes nothing (no new data
    version) still appears in the history at once (the history is read fresh, not cached)."""
    name = "[notice](http://evil.example)![x](http://evil.example/i.png).csv"
    old = value(seeded_url, HH, "2018-Q1")
    app.session_state["upload"] = (name, f"measure_id,period,value\n{HH},2018-Q1,{old:g}\n".encode())
    at = app.run()
    assert not at.exception and not at.error
    assert _metric(at, "Unchanged") == "1"
    assert plain(at.subheader[0].value) == name and "](" not in at.subheader[0].value
    next(b for b in at.button if b.label == "Accept and load").click()
    at = at.run()
    assert not at.exception and not at.error
    assert any("loaded as upload #1" in plain(s.value) for s in at.success)
    rows = [m.value for m in at.markdown if plain(m.value) == name]
    assert rows and all("](" not in r for r in rows)  # escaped: no link, no image
    assert at.button(key="rollback-1")


def test_viewer_and_public_cannot_upload(seeded_url, monkeypatch):
    monkeypatch.setenv("METRICS_DB_URL", seeded_url)
    monkeypatch.chdir(REPO)
    for who in (access.PUBLIC_PORTAL, access.Actor("user", "vera", "viewer")):
        at = AppTest.from_file(str(REPO / "app_pages" / "upload.py"), default_timeout=60)
        at.session_state["current_actor"] = who
        at.run()
        assert not at.exception
        assert any("rights to upload csv" in e.value for e in at.error)
        assert not at.title and not any(b.label == "Accept and load" for b in at.button)


def test_preview_says_how_many_drafts_and_that_they_stay_out(app, seeded_url):
    """A file with unknown measure ids and "create unknown measures" ticked: the preview says how many
    drafts will be created and that they stay out of the dashboards until published; nothing is written."""
    before = snapshot(seeded_url)
    app.session_state["upload"] = ("new.csv", b"measure_id,period,value\nbrand-new-a,2018-Q1,5\n"
                                              b"brand-new-b,2018-Q1,7\n" + f"{HH},2018-Q1,3100\n".encode())
    at = app.run()
    assert not at.exception
    assert not any("draft measures" in i.value for i in at.info)  # not ticked: the unknown ids are rejected
    at = at.checkbox(key="create_measures").check().run()
    assert not at.exception and not at.error
    said = [plain(i.value) for i in at.info if "draft measures" in i.value]
    assert said == ["Loading new.csv will create 2 draft measures for the ids the database does not know. "
                    "Drafts stay out of the dashboards (score, status counts, movers, what is stale) until "
                    "someone publishes them."]
    assert snapshot(seeded_url) == before  # the preview created nothing


def _kept(at) -> list:
    """The outcomes the page keeps for this session (ui.uploads), oldest first."""
    return list(at.session_state["_dry_runs"].values()) if "_dry_runs" in at.session_state else []


def test_a_rerun_reuses_the_dry_run_and_a_new_data_version_checks_again(app, seeded_url):
    """Toggling "create drafts" on and back off shows the first check again (the same outcome object,
    not a new dry run); once another upload commits, the next rerun checks again and the preview says
    what changed for the person looking at it (the value is now unchanged)."""
    from metrics.ingest.commit import ingest
    from tests.ingest.conftest import who

    app.session_state["upload"] = ("q.csv", f"measure_id,period,value\n{HH},2018-Q1,3100\n".encode())
    at = app.run()
    assert not at.exception and not at.error
    assert _metric(at, "Changed") == "1" and at.status[0].state == "complete"
    (first,) = _kept(at)
    at = at.checkbox(key="create_measures").check().run()
    assert not at.exception and len(_kept(at)) == 2  # other options: a second dry run
    at = at.checkbox(key="create_measures").uncheck().run()
    assert not at.exception and not at.error
    assert len(_kept(at)) == 2 and _kept(at)[-1] is first  # back to the first options: reused, not re-run
    assert _metric(at, "Changed") == "1"
    at = at.run()  # a plain rerun (any other widget) reuses it too
    assert len(_kept(at)) == 2 and _kept(at)[-1] is first
    assert ingest(f"measure_id,period,value\n{HH},2018-Q1,3100.0\n".encode(), seeded_url, file_name="other.csv",
                  actor=who("someone-else")).status == "committed"
    at = at.run()
    assert not at.exception
    assert _kept(at)[-1] is not first and _metric(at, "Unchanged") == "1" and _metric(at, "Changed") == "0"


def test_a_database_error_while_checking_shows_as_an_error_not_complete(tmp_path, monkeypatch):
    """The database is gone while a file is being checked: the status box is red ("error"), open, and
    says why in one line; it is never a collapsed box marked complete."""
    monkeypatch.setenv("METRICS_DB_URL", f"duckdb:///{tmp_path / 'gone.duckdb'}")
    monkeypatch.chdir(REPO)
    at = AppTest.from_file(str(REPO / "app_pages" / "upload.py"), default_timeout=60)
    at.session_state["current_actor"] = access.Actor("user", "ed", "editor")
    at.session_state["upload"] = ("q.csv", f"measure_id,period,value\n{HH},2018-Q1,3100\n".encode())
    at.run()
    assert not at.exception
    box = at.status[0]
    assert box.state == "error" and box.proto.expanded
    assert "Could not check q.csv" in plain(box.label) and "gone.duckdb" in plain(box.label)
    assert len(plain(box.label).splitlines()) == 1
    assert any("Nothing was checked" in plain(e.value) for e in box.error)
    assert not any(b.label == "Accept and load" for b in at.button)
    assert not (tmp_path / "gone.duckdb").exists()
