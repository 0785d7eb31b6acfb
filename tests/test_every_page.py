"""Every page for every goal and measure of the demo city, as staff: no exception, error or warning.

The demo city mixes frequencies on purpose (monthly outcomes fed by quarterly outputs and the
reverse), so this is the test that a goal page never stops half-way.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from metrics.access import LOCAL_ADMIN, for_actor
from metrics.store import db, queries
from tests.conftest import REPO

TIMEOUT = 120


def _ids(url: str) -> tuple[list[str], list[str]]:
    vis = for_actor(LOCAL_ADMIN, 11)
    with db.reader(url) as conn:
        goals = queries.fetch("goals", vis, conn=conn)["id"].astype(str).tolist()
        measures = queries.fetch("measures", vis, conn=conn)["id"].astype(str).tolist()
    return goals, measures


def _problems(at: AppTest) -> list[str]:
    return ([f"exception: {e.value}" for e in at.exception] + [f"error: {e.value}" for e in at.error]
            + [f"warning: {e.value}" for e in at.warning])


def _cases(url: str) -> list[tuple[str, str | None, str | None]]:
    goals, measures = _ids(url)
    cases: list[tuple[str, str | None, str | None]] = [("overview", None, None), ("certification", None, None)]
    cases += [(page, "goal", g) for page in ("goal", "outcomes") for g in goals]
    cases += [(page, "measure", m) for page in ("measure", "equity") for m in measures]
    return cases


def test_every_page_every_id(duck_city, monkeypatch):
    monkeypatch.setenv("METRICS_DB_URL", duck_city)
    monkeypatch.chdir(REPO)
    failures = []
    cases = _cases(duck_city)
    assert len(cases) > 40
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT).run()  # one session, like a reader
    for page, param, value in cases:
        at.query_params.clear()
        if param:
            at.query_params[param] = value
        at.switch_page(f"app_pages/{page}.py").run()
        failures += [f"{page}?{param}={value}: {p}" for p in _problems(at)]
    assert not failures, "\n".join(failures)
