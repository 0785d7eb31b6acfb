"""Roles, share links and passwords: the permission matrix and the stored secrets."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import timedelta

import pytest
import sqlalchemy as sa

from metrics import access
from metrics.store import db, meta, schema
from tests.conftest import REPO

PUBLIC = access.PUBLIC_PORTAL
VIEWER = access.Actor("user", "val", "viewer")
EDITOR = access.Actor("user", "ed", "editor")
ADMIN = access.Actor("user", "ada", "admin")
GOAL_LINK = access.Actor("public", "public link", "public", "goal:reduce-homelessness")

MATRIX = {  # action: (public, viewer, editor, admin)
    "view-dashboard": (True, True, True, True),
    "view-draft": (False, True, True, True),
    "upload-csv": (False, False, True, True),
    "rollback-upload": (False, False, True, True),
    "edit-criteria": (False, False, True, True),
    "set-target": (False, False, True, True),
    "manage-users": (False, False, False, True),
    "manage-shares": (False, False, False, True),
    "edit-catalog": (False, False, True, True),
    "publish-goal": (False, False, True, True),
    "retire-measure": (False, False, True, True),
    "delete-measure": (False, False, True, True),
    "write-narrative": (False, False, True, True),
    "view-audit": (False, False, False, True),
    "send-reminders": (False, False, True, True),
    "publish-site": (False, False, False, True),
    "council-report": (False, True, True, True),
}


@pytest.mark.parametrize("action", sorted(MATRIX))
@pytest.mark.parametrize("who,col", [(PUBLIC, 0), (VIEWER, 1), (EDITOR, 2), (ADMIN, 3)])
def test_role_action_matrix(action, who, col):
    assert access.allowed(who, action) is MATRIX[action][col]


def test_every_registered_action_is_in_the_matrix():
    assert set(access.ACTIONS) - {"export-data", "publish-measure"} == set(MATRIX)


def test_public_never_sees_drafts_and_goal_links_see_one_goal():
    draft = access.Resource("measure", "x", goal_id="reduce-homelessness", published=False)
    assert not access.allowed(PUBLIC, "view-dashboard", draft)
    assert access.allowed(VIEWER, "view-dashboard", draft)
    mine = access.Resource("measure", "households-stable-housing", goal_id="reduce-homelessness")
    other = access.Resource("measure", "violent-crimes", goal_id="violent-crime")
    assert access.allowed(GOAL_LINK, "view-dashboard", mine)
    assert not access.allowed(GOAL_LINK, "view-dashboard", other)
    with pytest.raises(access.Forbidden):
        access.ensure_allowed(GOAL_LINK, "view-dashboard", other)


def test_users_need_strong_unique_passwords_and_hash_with_argon2(seeded_url):
    with db.writer(seeded_url) as conn:
        with pytest.raises(access.AccessError, match="12 characters"):
            access.add_user(conn, "weak", "editor", "short", actor=ADMIN)
        with pytest.raises(access.AccessError, match="role"):
            access.add_user(conn, "x", "root", "a-long-enough-password", actor=ADMIN)
        access.add_user(conn, "maria", "editor", "correct horse battery", actor=ADMIN)
        with pytest.raises(access.AccessError, match="exists"):
            access.add_user(conn, "maria", "viewer", "another long password", actor=ADMIN)
        stored = conn.execute(sa.select(schema.users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2") and "correct horse" not in stored
    with db.reader(seeded_url) as conn:
        assert access.authenticate(conn, "maria", "correct horse battery") == access.Actor("user", "maria", "editor")
        assert access.authenticate(conn, "maria", "wrong password!!") is None
        assert access.authenticate(conn, "nobody", "correct horse battery") is None


def test_viewer_cannot_add_users(seeded_url):
    with db.writer(seeded_url) as conn, pytest.raises(access.Forbidden):
        access.add_user(conn, "eve", "admin", "a-long-enough-password", actor=VIEWER)


def test_share_links_are_hashed_scoped_expiring_and_revocable(seeded_url):
    with db.writer(seeded_url) as conn:
        token = access.create_share(conn, "goal:reduce-homelessness", timedelta(days=1), actor=ADMIN)
        row = conn.execute(sa.select(schema.share_links)).first()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in row.token_hash
        actor = access.resolve_share(conn, token)
        assert actor.is_public and actor.goal_scope == "reduce-homelessness"
        assert access.resolve_share(conn, token, at=meta.now() + timedelta(days=2)) is None
        assert access.resolve_share(conn, "not-a-token") is None
        with pytest.raises(access.AccessError, match="not public"):
            access.create_share(conn, "goal:workforce", actor=ADMIN)
        with pytest.raises(access.AccessError, match="no goal"):
            access.create_share(conn, "goal:nope", actor=ADMIN)
        with pytest.raises(access.Forbidden):
            access.create_share(conn, "portal", actor=EDITOR)
        assert access.revoke_share(conn, row.id, actor=ADMIN)
        assert access.resolve_share(conn, token) is None


def test_cli_users_and_share(seeded_url):
    env = {**os.environ, "METRICS_DB_URL": seeded_url}

    def run(*args, stdin=None):
        return subprocess.run([sys.executable, "-m", "metrics", *args], input=stdin, capture_output=True,
                              text=True, env=env, cwd=REPO, timeout=60)

    ok = run("users", "add", "lee", "--role", "viewer", "--password-stdin", stdin="a very long password\n")
    assert ok.returncode == 0, ok.stderr
    weak = run("users", "add", "kim", "--role", "viewer", "--password-stdin", stdin="short\n")
    assert weak.returncode == 2 and "12 characters" in weak.stderr
    assert "lee" in run("users", "list").stdout
    bare = run("share", "create", "--scope", "portal", "--expires", "7d")
    assert bare.stdout.startswith("/?share=") and "public_base_url" in bare.stderr  # never a localhost address
    with db.writer(seeded_url) as conn:
        meta.set_meta(conn, "public_base_url", "https://performance.example.gov/")
    url = run("share", "create", "--scope", "portal", "--expires", "7d").stdout.strip()
    assert url.startswith("https://performance.example.gov/?share=") and len(url.split("=", 1)[1]) >= 40
    assert "portal" in run("share", "list").stdout
    assert run("share", "revoke", "1").returncode == 0


def test_upload_and_rollback_are_refused_in_metrics_for_a_viewer(seeded_url):
    from metrics.ingest.commit import ingest
    from metrics.ingest.rollback import rollback
    csv = b"measure_id,period,value\nshelter-beds,2026-10,1\n"
    with pytest.raises(access.Forbidden):
        ingest(csv, url=seeded_url, file_name="x.csv", actor=VIEWER)
    with pytest.raises(access.Forbidden):
        ingest(csv, url=seeded_url, file_name="x.csv", actor=PUBLIC)
    done = ingest(csv, url=seeded_url, file_name="x.csv", actor=EDITOR)
    assert done.upload_id is not None
    with pytest.raises(access.Forbidden):
        rollback(done.upload_id, url=seeded_url, actor=VIEWER)
    assert "rolled back" in rollback(done.upload_id, url=seeded_url, actor=EDITOR)
