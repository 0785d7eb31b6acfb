"""Every page renders from PostgreSQL too: the scale-out path is the same code and SQL."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO

PAGES = ["app_pages/overview.py", "app_pages/goal.py", "app_pages/outcomes.py", "app_pages/equity.py",
         "app_pages/measure.py", "app_pages/certification.py", "app_pages/upload.py", "app_pages/my_measures.py",
         "app_pages/manage_goals.py", "app_pages/manage_measures.py", "app_pages/manage_targets.py",
         "app_pages/manage_links.py", "app_pages/audit.py"]


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_postgresql(pg_city, monkeypatch, page):
    monkeypatch.setenv("METRICS_DB_URL", pg_city)
    monkeypatch.chdir(REPO)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.query_params["goal"] = "reduce-homelessness"
    at.query_params["measure"] = "households-stable-housing"
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title, "every page has a title"
    titles = " ".join(t.value for t in at.title)
    if page.endswith(("measure.py", "goal.py")):
        assert "stable housing" in titles  # the URL's measure/goal was read from PostgreSQL
