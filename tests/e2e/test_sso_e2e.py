"""Streamlit's own `st.login` (OIDC) against a real, small OIDC provider on 127.0.0.1: the e-mail the
provider vouches for maps to a staff account and opens the same server-side session as a password
(the cookie survives a reload); an address no account has is refused with a sentence."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import expect

from metrics import access
from metrics.store import db
from tests.e2e.helpers import free_port, start_app, wait_for_app
from tests.e2e.oidc_provider import Provider


@pytest.fixture(scope="module")
def sso_app(tmp_path_factory):
    from tests.conftest import make_db
    tmp = tmp_path_factory.mktemp("sso")
    url = make_db(f"duckdb:///{tmp / 'city.duckdb'}")
    boot = access.Actor("cli", "cli:test", "admin")
    with db.writer(url) as conn:
        access.add_user(conn, "ed", "editor", "correct horse battery staple", actor=boot)
        access.set_email(conn, "ed", "Ed@City.gov", actor=boot)
    with Provider("metrics-test", secrets.token_urlsafe(16)) as provider:
        port = free_port()
        (tmp / "secrets.toml").write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
            f'client_id = "{provider.client_id}"\n'
            f'client_secret = "{provider.client_secret}"\n'
            f'server_metadata_url = "{provider.issuer}/.well-known/openid-configuration"\n')
        proc, base, _ = start_app(url, port=port, extra=("--secrets.files", str(tmp / "secrets.toml")))
        yield base, provider
        proc.terminate()
        proc.wait(timeout=20)


def test_single_sign_on_maps_the_email_to_the_account_and_the_session_stays(sso_app, browser):
    base, provider = sso_app
    provider.email = "ed@city.gov"
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.goto(base + "/")
    wait_for_app(page)
    page.get_by_role("button", name="Sign in with single sign-on").click()
    page.get_by_role("button", name="Continue as ed@city.gov").click(timeout=60000)  # back from the provider
    wait_for_app(page, timeout=120000)
    expect(page.get_by_text("Signed in as ed (editor)")).to_be_visible(timeout=60000)
    assert any(c["name"] == "metrics_session" and c["httpOnly"] for c in ctx.cookies())
    page.reload()
    wait_for_app(page, timeout=120000)
    expect(page.get_by_text("Signed in as ed (editor)")).to_be_visible()
    ctx.close()


def test_an_address_without_an_account_is_refused(sso_app, browser):
    base, provider = sso_app
    provider.email = "stranger@example.org"
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(base + "/")
    wait_for_app(page)
    page.get_by_role("button", name="Sign in with single sign-on").click()
    page.get_by_role("button", name="Continue as stranger@example.org").click(timeout=60000)
    wait_for_app(page)
    expect(page.get_by_text("No staff account uses this e-mail address")).to_be_visible()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    ctx.close()
