"""Sign-in that stays, in a real browser, on PostgreSQL: reload, a deep link in a new tab and a
server restart keep an editor signed in; an admin disabling the editor sends the editor's next
click to the sign-in form. Screenshots of the Users and Share links pages (desktop and phone)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from metrics import access
from metrics.store import db
from tests.e2e.helpers import shot, start_app, wait_for_app

PW = {"ed": "correct horse battery staple", "ada": "an admins own passphrase"}
GOAL = "/goal?goal=reduce-homelessness"
GOAL_TITLE = "Move people experiencing homelessness into stable housing"


@pytest.fixture(scope="module")
def pg_app(new_pg_schema):
    from tests.conftest import make_db
    url = make_db(new_pg_schema())
    boot = access.Actor("cli", "cli:test", "admin")
    with db.writer(url) as conn:
        access.add_user(conn, "ada", "admin", PW["ada"], actor=boot)
        access.add_user(conn, "ed", "editor", PW["ed"], actor=boot)
    proc, base, log = start_app(url)
    server = {"proc": proc, "base": base, "url": url}
    yield server
    server["proc"].terminate()
    server["proc"].wait(timeout=20)


def sign_in(page: Page, name: str) -> None:
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("User name").fill(name)
    page.locator("input[type=password]").fill(PW[name])
    page.get_by_role("button", name="Sign in").click()


def drawn(page: Page, path: str) -> None:
    """The page's last widgets are on screen (not placeholders), so a screenshot shows the page."""
    errors = page.get_by_test_id("stException")
    assert not errors.count(), errors.first.inner_text()
    if path == "/users":
        expect(page.get_by_text("Link valid for")).to_be_visible(timeout=30000)
        expect(page.get_by_role("button", name="Reset password")).to_be_visible(timeout=30000)
    elif path == "/share-links":
        expect(page.get_by_text("Public address of this dashboard")).to_be_visible(timeout=30000)
        expect(page.get_by_test_id("stRadio")).to_be_visible(timeout=30000)
        expect(page.get_by_text("Expires after")).to_be_visible(timeout=30000)
    else:
        expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=30000)


def signed_in_as(page: Page, name: str) -> None:
    wait_for_app(page, timeout=120000)  # a fresh server's first run imports everything
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible(timeout=30000)


def test_session_survives_reload_new_tab_restart_and_ends_when_disabled(pg_app, browser):
    base = pg_app["base"]
    editor = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = editor.new_page()
    page.goto(base + GOAL)  # a deep link, before signing in
    wait_for_app(page)
    sign_in(page, "ed")
    page.wait_for_url(f"**{GOAL}")  # lands on the page asked for
    signed_in_as(page, "ed")
    expect(page.get_by_role("heading", name=GOAL_TITLE)).to_be_visible()
    cookie = next(c for c in editor.cookies() if c["name"] == "metrics_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    page.reload()
    signed_in_as(page, "ed")
    expect(page.get_by_role("heading", name=GOAL_TITLE)).to_be_visible()

    tab = editor.new_page()  # a deep link in a new tab
    tab.goto(base + "/measure?measure=households-stable-housing")
    signed_in_as(tab, "ed")
    expect(tab.get_by_role("heading", name="Sign in")).to_have_count(0)
    tab.close()

    port = base.rsplit(":", 1)[1]
    pg_app["proc"].terminate()
    pg_app["proc"].wait(timeout=20)
    pg_app["proc"], _, _ = start_app(pg_app["url"], port=int(port))  # the same address, a new process
    page.goto(base + GOAL)
    signed_in_as(page, "ed")

    admin = browser.new_context(viewport={"width": 1920, "height": 1080})
    apage = admin.new_page()
    apage.goto(base + "/users")
    wait_for_app(apage)
    sign_in(apage, "ada")
    apage.wait_for_url("**/users")
    signed_in_as(apage, "ada")
    expect(apage.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    drawn(apage, "/users")
    apage.get_by_test_id("stSelectbox").filter(has_text="Account").click()
    apage.get_by_role("option", name="ed", exact=True).click()
    wait_for_app(apage)
    apage.get_by_role("button", name="Disable").click()
    wait_for_app(apage)
    expect(apage.get_by_text("ed is disabled and signed out everywhere.")).to_be_visible()

    apage.get_by_role("textbox", name="User name").fill("ivana")
    apage.get_by_role("textbox", name="E-mail (optional)").fill("ivana@city.gov")
    apage.get_by_role("button", name="Create the invitation").click()
    wait_for_app(apage)
    invite = apage.get_by_test_id("stCode").inner_text().strip()
    assert "/?set_password=" in invite
    drawn(apage, "/users")
    shot(apage, "users-desktop")

    page.get_by_test_id("stSidebarNav").get_by_text("Overview").click()  # the editor's next click
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=30000)
    expect(page.get_by_text("Your session has ended")).to_be_visible()

    apage.goto(base + "/share-links")
    wait_for_app(apage)
    expect(apage.get_by_role("heading", name="Share links")).to_be_visible()
    apage.get_by_role("button", name="Create the link").click()  # a portal link, 30 days
    wait_for_app(apage)
    expect(apage.get_by_text("The new link, shown only now")).to_be_visible()
    assert "/?share=" in apage.get_by_test_id("stCode").inner_text()
    drawn(apage, "/share-links")
    shot(apage, "share-links-desktop")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    for path, name in (("/users", "users-phone"), ("/share-links", "share-links-phone"), (GOAL, "sign-in-phone")):
        p = phone.new_page()
        p.goto(base + path)
        wait_for_app(p)
        if name != "sign-in-phone" and p.get_by_role("heading", name="Sign in").count():
            sign_in(p, "ada")
            p.wait_for_url(f"**{path}")
            wait_for_app(p)
        if name == "sign-in-phone":
            phone.clear_cookies()
            p.reload()
            wait_for_app(p)
        drawn(p, path)
        shot(p, name)
    for ctx, name in ((admin, "set-password-desktop"), (phone, "set-password-phone")):  # phone: signed out
        p = ctx.new_page()
        p.goto(invite)
        wait_for_app(p)
        expect(p.get_by_role("heading", name="Choose a password")).to_be_visible()
        expect(p.get_by_text("Welcome for ivana")).to_be_visible()
        shot(p, name)
    p.get_by_role("textbox", name="New password").fill("four unrelated words here")
    p.get_by_role("textbox", name="Repeat it").fill("four unrelated words here")
    p.get_by_role("button", name="Set password").click()
    wait_for_app(p)
    expect(p.get_by_text("Password set for ivana")).to_be_visible()
    editor.close()
    admin.close()
    phone.close()
