"""AppTest for each page against a real seeded DuckDB (no mocks)."""

from __future__ import annotations

import html
import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO, data_table_rows

TIMEOUT = 60


@pytest.fixture
def app(duck_city, monkeypatch):
    monkeypatch.setenv("METRICS_DB_URL", duck_city)
    monkeypatch.chdir(REPO)
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)


def texts(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.title]
    parts += [e.value for e in at.subheader] + [e.value for e in at.header]
    return "\n".join(str(p) for p in parts)


def plain(markdown: str) -> str:
    """Markdown with text.md's escapes taken out: what a reader sees."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_overview_lists_goals_with_status(app):
    at = app.run()
    assert not at.exception and not at.error
    assert "how are we doing" in at.title[0].value
    body = html.unescape(plain(texts(at)))
    assert "Move people experiencing homelessness into stable housing" in body
    assert "Housing & Homelessness" in body
    labels = [m.label for m in at.metric]
    assert any("City score" in label for label in labels)
    stale = re.search(r"<b>(\d+)</b> stale data", body)
    assert stale and int(stale.group(1)) >= 4
    assert "Average of **" in body and "measures**" in body  # the number of measures behind the score


def test_overview_priority_filter_narrows(app):
    at = app.run()
    at.selectbox(key="priority").select("Safe Neighborhoods").run()
    assert not at.exception and not at.error
    body = html.unescape(texts(at))
    assert "Safe Neighborhoods" in body and "Housing & Homelessness" not in body
    assert not [d for d in at.dataframe if "status_label" in d.value.columns]  # folded: not built, not sent
    at.session_state["detail_every"] = True  # the reader opens "Every measure"
    at.run()
    at.selectbox(key="status").select("Stale data").run()  # and then filters: it stays open, filtered
    assert not at.exception and not at.error
    tables = [d.value for d in at.dataframe if "status_label" in d.value.columns]
    assert tables and all((t["status_label"] == "… Stale data").all() for t in tables)


def test_overview_drill_down_is_built_when_opened(app):
    at = app.run()
    assert not at.dataframe  # three folded sections: nothing drawn until the reader opens one
    for key in ("detail_every", "detail_movers", "detail_stale"):
        at.session_state[key] = True
    at.run()
    assert not at.exception and not at.error
    columns = [set(d.value.columns) for d in at.dataframe]
    assert any({"goal", "status_label"} <= c for c in columns)  # every measure, by goal
    assert any("improvement" in c for c in columns)  # movers
    assert any("due" in c for c in columns)  # what is stale
    assert "Top improvers since the previous period" in texts(at)


def test_measure_picker_sends_at_most_fifty_and_finds_by_name(app, duck_city):
    from metrics.access.visibility import STAFF
    from metrics.store import queries
    from ui.widgets import PICKER_LIMIT
    every = queries.fetch("measures", STAFF, url=duck_city)
    assert len(every) > PICKER_LIMIT  # the demo city is long enough for the search box
    app.switch_page("app_pages/measure.py")
    at = app.run()
    box = at.selectbox[0]
    assert box.label == "Measure" and len(box.options) == PICKER_LIMIT
    at.text_input(key="_measure_find").input("overdose deaths").run()
    assert not at.exception and not at.error
    options = at.selectbox[0].options
    assert 1 < len(options) <= PICKER_LIMIT and any("Overdose deaths" in o for o in options[1:])
    pick = next(o for o in options[1:] if "Overdose deaths" in o)
    at.selectbox[0].select(pick).run()
    assert not at.exception and not at.error
    wanted = pick.rsplit("(", 1)[1].rstrip(")")
    assert at.query_params["measure"] == wanted
    assert "Overdose deaths" in at.title[0].value


def test_measure_page_shows_homelessness_history(app):
    app.query_params["measure"] = "households-stable-housing"
    at = app.run()
    at.switch_page("app_pages/measure.py").run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Households moved into stable housing"
    assert "households" in at.metric[0].label
    assert "HMIS" in plain(texts(at))
    table = data_table_rows(at)  # paged: the rows of 2018-Q1 are a few pages in
    q = table[(table["period"] == "2018-Q1") & (table["dimension"] == "")]
    assert q["value"].iloc[0] == "3,024"


def test_measure_page_unknown_id_warns_and_falls_back(app):
    app.query_params["measure"] = "no-such-measure"
    at = app.run()
    at.switch_page("app_pages/measure.py").run()
    assert not at.exception and not at.error
    assert any("does not exist" in w.value for w in at.warning)
    assert at.title[0].value  # the first measure is shown instead


def test_missing_database_is_a_message_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setenv("METRICS_DB_URL", f"duckdb:///{tmp_path / 'none.duckdb'}")
    monkeypatch.chdir(REPO)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert any("metrics init" in e.value for e in at.error)


def test_busy_database_file_is_named_on_the_page(monkeypatch, tmp_path):
    import subprocess
    import sys

    from tests.conftest import make_db
    path = tmp_path / "held.duckdb"
    make_db(f"duckdb:///{path}", seeded=False)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print('ready', flush=True); time.sleep(60)"),
        str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        monkeypatch.setenv("METRICS_DB_URL", f"duckdb:///{path}")
        monkeypatch.setenv("METRICS_READ_WAIT", "1")  # a page waits this long for the holder, then says so
        monkeypatch.chdir(REPO)
        at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT).run()
        assert not at.exception
        assert any(str(path) in e.value and "busy" in e.value for e in at.error)
    finally:
        holder.kill()
        holder.wait()
