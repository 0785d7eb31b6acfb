"""The Users and Share links pages, set-password links and public sessions, through AppTest."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from metrics import access
from metrics.store import db, meta, schema
from tests.conftest import REPO

BOOT = access.Actor("cli", "cli:test", "admin")
PW = "an admins own passphrase"


@pytest.fixture
def city(seeded_url, monkeypatch):
    monkeypatch.setenv("METRICS_DB_URL", seeded_url)
    monkeypatch.chdir(REPO)
    with db.writer(seeded_url) as conn:
        # a private copy of the session's city: other modules may have made share links in it
        conn.execute(schema.share_links.delete())
        access.add_user(conn, "ada", "admin", PW, actor=BOOT)
        access.add_user(conn, "ed", "editor", "correct horse battery staple", actor=BOOT)
    return seeded_url


def signed_in(name: str = "ada", password: str = PW) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception and f"Signed in as {name}" in " ".join(c.value for c in at.caption)
    return at


def texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in [*at.title, *at.caption, *at.markdown, *at.info, *at.success, *at.error,
                                             *at.warning, *at.code])


def test_editor_has_no_people_pages(city):
    at = signed_in("ed", "correct horse battery staple")
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page("app_pages/users.py")


def test_invite_then_the_link_sets_a_password_once(city):
    at = signed_in()
    at.switch_page("app_pages/users.py").run()
    assert not at.exception and not at.error and at.title[0].value == "Users"
    form_name = next(t for t in at.text_input if t.label == "User name")
    form_name.input("ivana")
    next(b for b in at.button if b.label == "Create the invitation").click().run()
    assert not at.exception and not at.error
    assert any("Invited ivana as editor" in s.value.replace("\\", "") for s in at.success)
    link = at.code[0].value
    assert "/?set_password=" in link
    users = at.dataframe[0].value.set_index("name")
    assert users.loc["ivana", "state"] == "invited"

    token = link.split("set_password=", 1)[1]
    visitor = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    visitor.query_params["set_password"] = token
    visitor.run()
    assert not visitor.exception and visitor.title[0].value == "Choose a password"
    visitor.text_input[0].input("weak")
    visitor.text_input[1].input("weak")
    visitor.button[0].click().run()
    assert any("Not saved: passwords need at least 12 characters" in e.value.replace("\\", "") for e in visitor.error)
    visitor.text_input[0].input("four unrelated words here")
    visitor.text_input[1].input("four unrelated words here")
    visitor.button[0].click().run()
    assert not visitor.exception and not visitor.error and visitor.title[0].value == "Sign in"
    assert any("Password set for ivana" in s.value.replace("\\", "") for s in visitor.success)
    signed_in("ivana", "four unrelated words here")

    again = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    again.query_params["set_password"] = token  # used once: now refused, with the reason
    again.run()
    assert [e.value for e in again.error] == [access.users.EXPIRED_LINK] and not again.get("form")


def test_expired_set_password_link_says_so_and_shows_no_form(city):
    with db.writer(city) as conn:
        token = access.invite_user(conn, "ivana", "viewer", timedelta(hours=1), actor=BOOT)
        conn.execute(sa.update(schema.password_links).values(expires_at=meta.now() - timedelta(seconds=1)))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.query_params["set_password"] = token
    at.run()
    assert not at.exception and [e.value for e in at.error] == [access.users.EXPIRED_LINK]


def test_disable_from_the_users_page_ends_the_editors_session_at_the_next_run(city):
    editor = signed_in("ed", "correct horse battery staple")
    at = signed_in()
    at.switch_page("app_pages/users.py").run()
    next(s for s in at.selectbox if s.label == "Account").select("ed").run()
    next(b for b in at.button if b.label == "Disable").click().run()
    assert not at.error and any("ed is disabled" in s.value.replace("\\", "") for s in at.success)
    editor.run()  # the editor's next interaction
    assert editor.title[0].value == "Sign in" and any("session has ended" in e.value for e in editor.error)


def test_share_links_page_builds_the_url_from_the_public_address_and_revokes(city):
    at = signed_in()
    at.switch_page("app_pages/share_links.py").run()
    assert not at.exception and not at.error and at.title[0].value == "Share links"
    next(t for t in at.text_input if t.label == "Public address of this dashboard").input("not a url")
    next(b for b in at.button if b.label == "Save address").click().run()
    assert any("Nothing changed: the public address looks like" in e.value.replace("\\", "") for e in at.error)
    next(t for t in at.text_input if t.label == "Public address of this dashboard").input(
        "https://performance.example.gov/")
    next(b for b in at.button if b.label == "Save address").click().run()
    assert not [s for s in at.selectbox if s.label == "Goal"]  # a portal link has no goal to pick
    next(b for b in at.button if b.label == "Create the link").click().run()
    assert not at.error
    url = at.code[0].value
    assert url.startswith("https://performance.example.gov/?share=")

    reader = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    reader.query_params["share"] = url.split("share=", 1)[1]
    reader.run()
    assert not reader.exception and "Public view" in texts(reader)

    assert at.dataframe[0].value["state"].tolist() == ["active"]
    next(b for b in at.button if b.label == "Revoke").click().run()
    assert any("Revoked link" in s.value.replace("\\", "") for s in at.success)
    assert at.dataframe[0].value["state"].tolist() == ["revoked"]
    reader.run()  # the open public session's next interaction
    assert any("expired or been revoked" in e.value for e in reader.error)

    at.radio(key="share_scope").set_value("One goal").run()
    picker = next(s for s in at.selectbox if s.label == "Goal")
    assert picker.options  # the public goals
    next(b for b in at.button if b.label == "Create the link").click().run()
    assert not at.error
    assert at.dataframe[0].value["scope"].str.startswith("goal:").any()


def test_sign_out_ends_the_session_and_wrong_passwords_are_throttled(city):
    at = signed_in("ed", "correct horse battery staple")
    next(b for b in at.button if b.label == "Sign out").click().run()
    assert not at.exception and at.title[0].value == "Sign in" and not at.error  # no "ended" notice: chosen
    with db.reader(city) as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.sessions)
                            .where(schema.sessions.c.revoked_at.is_(None))).scalar_one() == 0
    for _ in range(access.sessions.USER_LIMIT):
        at.text_input[0].input("ed")
        at.text_input[1].input("a wrong password, again")
        at.button[0].click().run()
        assert [e.value for e in at.error] == [access.sessions.WRONG]
    at.text_input[1].input("correct horse battery staple")
    at.button[0].click().run()
    assert [e.value for e in at.error] == [access.sessions.THROTTLED] and at.title[0].value == "Sign in"
