"""Server-side staff sessions, throttled sign-in, set-password links: on DuckDB and PostgreSQL.

Times are passed in (`at=`), so expiry is tested without waiting: a session idle past the
city's limit, or past its absolute end however active, no longer signs anyone in.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from metrics import access
from metrics.access import sessions
from metrics.domain.settings import Settings
from metrics.store import db, meta, schema

ADMIN = access.Actor("user", "ada", "admin")
PW = "correct horse battery staple"
CFG = Settings(session_idle_hours=12, session_max_days=7)


@pytest.fixture
def url(fresh_url):
    with db.writer(fresh_url) as conn:
        access.add_user(conn, "ada", "admin", "an admin's own passphrase", actor=ADMIN)
        access.add_user(conn, "ed", "editor", PW, actor=ADMIN)
    return fresh_url


def sign_in(url, name="ed", password=PW, client="10.0.0.7", at=None):
    with db.writer(url) as conn:
        return sessions.sign_in(conn, name, password, client, CFG, at=at)


def current(url, token, at=None):
    with db.reader(url) as conn:
        return sessions.current(conn, token, CFG, at=at)


def audit(url) -> list[tuple[str, str]]:
    with db.reader(url) as conn:
        return [tuple(r) for r in conn.execute(sa.select(schema.audit_log.c.action, schema.audit_log.c.object_id)
                                               .order_by(schema.audit_log.c.id))]


def test_sign_in_stores_only_hashes_and_the_handoff_becomes_the_cookie_token(url):
    got = sign_in(url)
    assert got.actor == access.Actor("user", "ed", "editor") and got.token and got.handoff
    with db.reader(url) as conn:
        stored = conn.execute(sa.select(schema.sessions.c.token_hash, schema.sessions.c.handoff_hash)).one()
    assert got.token not in stored and got.handoff not in stored
    assert current(url, got.token).actor.name == "ed"
    with db.writer(url) as conn:
        cookie, _ = sessions.exchange(conn, got.handoff)
        assert sessions.exchange(conn, got.handoff) is None  # one use only
    assert current(url, cookie).actor.role == "editor"
    assert current(url, got.token) is None  # the tab's first token stops working: only the cookie's counts
    assert ("sign-in", "ed") in audit(url)


def test_handoff_code_expires_after_two_minutes(url):
    got = sign_in(url)
    with db.writer(url) as conn:
        assert sessions.exchange(conn, got.handoff, at=meta.now() + timedelta(minutes=3)) is None


def test_idle_and_absolute_expiry(url):
    t0 = meta.now()
    got = sign_in(url, at=t0)
    assert current(url, got.token, at=t0 + timedelta(hours=11)) is not None
    assert current(url, got.token, at=t0 + timedelta(hours=12, minutes=1)) is None  # idle 12 h
    hour = t0
    while hour < t0 + timedelta(days=7):  # active every 10 hours: idle never ends it
        sid = current(url, got.token, at=hour).session_id
        with db.writer(url) as conn:
            sessions.touch(conn, sid, at=hour)
        hour += timedelta(hours=10)
    assert current(url, got.token, at=t0 + timedelta(days=6, hours=23)) is not None
    assert current(url, got.token, at=t0 + timedelta(days=7)) is None  # 7 days at most


def test_idle_limit_is_a_city_setting(url):
    t0 = meta.now()
    got = sign_in(url, at=t0)
    with db.reader(url) as conn:
        short = sessions.current(conn, got.token, Settings(session_idle_hours=1), at=t0 + timedelta(hours=2))
    assert short is None and current(url, got.token, at=t0 + timedelta(hours=2)) is not None


def test_sign_out_disable_reset_and_role_change_take_effect_at_the_next_check(url):
    one, two = sign_in(url), sign_in(url, client="10.0.0.8")
    with db.writer(url) as conn:
        assert sessions.end(conn, one.token)
    assert current(url, one.token) is None and current(url, two.token) is not None  # sign-out ends one session
    with db.writer(url) as conn:
        access.set_role(conn, "ed", "viewer", actor=ADMIN)
    assert current(url, two.token).actor.role == "viewer"  # the role is read now, not remembered
    with db.writer(url) as conn:
        access.set_disabled(conn, "ed", True, actor=ADMIN)
    assert current(url, two.token) is None
    assert sign_in(url).actor is None  # a disabled account can't sign in either
    with db.writer(url) as conn:
        access.set_disabled(conn, "ed", False, actor=ADMIN)
    three = sign_in(url)
    with db.writer(url) as conn:
        link = access.reset_password(conn, "ed", actor=ADMIN)
    assert link and current(url, three.token) is None and sign_in(url).actor is None  # the old password is gone
    assert [a for a, o in audit(url) if o == "ed"][-4:] == ["enable-user", "sign-in", "reset-password", "sign-in-failed"]


def test_failed_sign_ins_are_throttled_per_user_and_audited(url):
    for _ in range(sessions.USER_LIMIT):
        assert sign_in(url, password="not the password at all").refused == sessions.WRONG
    refused = sign_in(url)  # even the right password, from another computer: the account is throttled
    assert refused.actor is None and refused.refused == sessions.THROTTLED
    later = meta.now() + sessions.THROTTLE_WINDOW + timedelta(minutes=1)
    assert sign_in(url, at=later).actor is not None  # the window passes
    actions = [a for a, o in audit(url) if o == "ed"]
    assert actions.count("sign-in-failed") == sessions.USER_LIMIT and "sign-in-throttled" in actions
    assert actions[-1] == "sign-in"


def test_failed_sign_ins_are_throttled_per_client(url):
    for i in range(sessions.CLIENT_LIMIT):
        sign_in(url, name=f"guess{i}", password="not a password", client="203.0.113.9")
    assert sign_in(url, client="203.0.113.9").refused == sessions.THROTTLED
    assert sign_in(url, client="198.51.100.2").actor is not None  # another computer is not affected


def test_invitation_link_sets_a_password_once(url):
    with db.writer(url) as conn:
        token = access.invite_user(conn, "ivana", "editor", actor=ADMIN)
    assert sign_in(url, name="ivana", password="").actor is None  # no usable password before the link
    with db.writer(url) as conn, pytest.raises(access.AccessError, match="at least 12"):
        access.redeem_password_link(conn, token, "short", "short")
    with db.writer(url) as conn, pytest.raises(access.AccessError, match="user name"):
        access.redeem_password_link(conn, token, "ivana-is-my-password", "ivana-is-my-password")
    with db.writer(url) as conn:
        assert access.password_link(conn, token) == ("ivana", "invite")  # bad input used nothing up
        assert access.redeem_password_link(conn, token, PW, PW) == "ivana"
    assert sign_in(url, name="ivana").actor.role == "editor"
    with db.writer(url) as conn, pytest.raises(access.AccessError, match="expired or was already used"):
        access.redeem_password_link(conn, token, PW, PW)


def test_expired_set_password_link_writes_nothing(url):
    with db.writer(url) as conn:
        token = access.invite_user(conn, "ivy", "viewer", timedelta(hours=1), actor=ADMIN)
        conn.execute(sa.update(schema.password_links).values(expires_at=meta.now() - timedelta(minutes=1)))
    with db.reader(url) as conn:
        before = conn.execute(sa.select(schema.users.c.password_hash).where(schema.users.c.name == "ivy")).scalar()
    with db.writer(url) as conn, pytest.raises(access.AccessError, match="expired"):
        access.redeem_password_link(conn, token, PW, PW)
    with db.reader(url) as conn:
        assert conn.execute(sa.select(schema.users.c.password_hash)
                            .where(schema.users.c.name == "ivy")).scalar() == before


def test_the_last_admin_cannot_be_disabled_or_demoted(url):
    with db.writer(url) as conn, pytest.raises(access.AccessError, match="last active admin"):
        access.set_disabled(conn, "ada", True, actor=ADMIN)
    with db.writer(url) as conn, pytest.raises(access.AccessError, match="last active admin"):
        access.set_role(conn, "ada", "editor", actor=ADMIN)


@pytest.mark.parametrize("password", ["short", "aaaaaaaaaaaaaaaa", "123456789012345", "Password123456"])
def test_weak_passwords_are_refused_with_the_reason(password):
    with pytest.raises(access.AccessError):
        access.check_password(password, "ed")
