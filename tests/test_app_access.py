"""The app as each kind of user meets it: public link, sign-in, single-user mode."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from metrics import access
from metrics.store import db
from tests.conftest import REPO

ADMIN = access.Actor("user", "ada", "admin")


@pytest.fixture
def city(seeded_url, monkeypatch):
    monkeypatch.setenv("METRICS_DB_URL", seeded_url)
    monkeypatch.chdir(REPO)
    return seeded_url


def app() -> AppTest:
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=60)


def share(url: str, scope: str, expires: timedelta | None = None) -> str:
    with db.writer(url) as conn:
        return access.create_share(conn, scope, expires, actor=ADMIN)


def body(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in [*at.title, *at.header, *at.subheader, *at.caption, *at.markdown])


def test_single_user_mode_until_someone_is_added(city):
    at = app().run()
    assert not at.exception and "Single-user mode" in body(at)
    with db.writer(city) as conn:
        access.add_user(conn, "ops", "editor", "a long enough password", actor=ADMIN)
    at = app().run()
    assert at.title[0].value == "Sign in"
    at.text_input[0].input("ops")
    at.text_input[1].input("wrong password here")
    at.button[0].click().run()
    assert any("wrong password" in e.value for e in at.error)
    at.text_input[1].input("a long enough password")
    at.button[0].click().run()
    assert "Signed in as ops (editor)" in body(at)


def test_portal_link_hides_drafts_and_private_measures(city):
    at = app()
    at.query_params["share"] = share(city, "portal")
    at.run()
    assert not at.exception and "Public view" in body(at)
    at.query_params["measure"] = "speed-cameras-active"  # a draft in the demo city
    at.switch_page("app_pages/measure.py").run()
    assert at.title[0].value != "Speed cameras active"
    assert any("does not exist or is not published" in w.value for w in at.warning)


def test_goal_link_sees_only_its_goal(city):
    at = app()
    at.query_params["share"] = share(city, "goal:reduce-homelessness")
    at.run()
    assert not at.exception
    seen = html.unescape(body(at))  # the goal cards are one HTML block, user text HTML-escaped
    assert "Housing & Homelessness" in seen and "Safe Neighborhoods" not in seen
    assert "Move people experiencing homelessness into stable housing" in body(at)
    assert "Reduce violent crime" not in body(at)


def test_expired_link_is_refused_with_a_message(city):
    at = app()
    token = share(city, "portal", timedelta(hours=1))
    with db.writer(city) as conn:
        conn.exec_driver_sql("UPDATE share_links SET expires_at = created_at - INTERVAL 1 DAY")
    at.query_params["share"] = token
    at.run()
    assert not at.exception
    assert any("expired or been revoked" in e.value for e in at.error)


def test_public_link_reads_certification_without_editor(city):
    at = app()
    at.query_params["share"] = share(city, "portal")
    at.run()
    at.switch_page("app_pages/certification.py").run()
    assert not at.exception and not at.error
    assert "Silver" in body(at) or any("Silver" in str(m.value) for m in at.metric)
    assert not [f for f in at.get("form")]  # no editor form for the public


def test_links_keep_the_share_token(city):
    at = app()
    token = share(city, "portal")
    at.query_params["share"] = token
    at.run()
    cards = "\n".join(m.value for m in at.markdown if "ov-card" in m.value)  # the goal cards' links
    assert f"share={token}" in cards and "/goal?goal=" in cards
    at.session_state["detail_every"] = at.session_state["detail_movers"] = True  # the tables with links
    at.run()
    links = [v for df in at.dataframe for col in df.value.columns if col == "Link" for v in df.value[col]]
    assert links and all(f"share={token}" in link for link in links)
