"""Fail closed: who is looking is decided safely, and every write needs an actor that may do it.

- Single-user mode (full rights, no sign-in) only while no staff account exists AND the server
  listens on loopback; on any other address the app shows a setup page, never the dashboards.
- Any error while deciding who is looking (the users table locked past a statement timeout on
  PostgreSQL, an unreadable users table on DuckDB, a share link that can't be checked) means
  "not signed in", never admin.
- A share-link reader who clicks to another page (the query string is dropped) and reloads is
  still the public.
- Every write function takes `actor` as a required keyword (a TypeError without it) and raises
  Forbidden for a viewer, a public portal link, a goal link, None or a bare name, before writing
  anything; the allowed actor's name is what the audit log records; the CLI records cli:<login>.
  A static scan of metrics/ finds every function that writes, so a new one must be classified.
"""

from __future__ import annotations

import ast
import inspect
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from metrics import access, catalog, cli
from metrics.ingest.commit import ingest
from metrics.ingest.rollback import rollback
from metrics.store import db, schema
from metrics.wwc import store as wwc_store
from tests.conftest import REPO

VIEWER = access.Actor("user", "val", "viewer")
EDITOR = access.Actor("user", "ed", "editor")
ADMIN = access.Actor("user", "ada", "admin")
GOAL_LINK = access.Actor("public", "public link", "public", "goal:reduce-homelessness")
CSV = b"measure_id,period,value\nhouseholds-stable-housing,2018-Q1,3101\n"
STANDARD = "practice,code,criterion,description\nOpen Data,OD-01,Open data policy,Adopted\n"


# --- the app: who is looking -------------------------------------------------------------------

@pytest.fixture
def listen():
    """Set Streamlit's server.address for the in-process AppTest runs; restored afterwards."""
    old = st_config.get_option("server.address")
    yield lambda address: st_config.set_option("server.address", address)
    st_config.set_option("server.address", old)


@pytest.fixture
def city(seeded_url, monkeypatch):
    """A fresh demo city (no staff accounts) the app reads."""
    monkeypatch.setenv("METRICS_DB_URL", seeded_url)
    monkeypatch.chdir(REPO)
    return seeded_url


def app() -> AppTest:
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=60)


def body(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in [*at.title, *at.header, *at.subheader, *at.caption, *at.markdown,
                                             *at.code, *at.info, *at.warning, *at.error])


def test_config_listens_on_loopback_with_host_and_origin_checks():
    cfg = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    server = cfg["server"]
    assert server["address"] == "127.0.0.1"
    assert server["enableXsrfProtection"] is True
    assert server["enableCORS"] is True  # off would send Access-Control-Allow-Origin: * and accept any origin
    assert set(server["allowedHosts"]) == {"localhost", "127.0.0.1", "::1"}
    assert cfg["browser"]["serverAddress"] == "localhost"  # set: no external-IP lookup at start
    assert cfg["client"]["disableDataExport"] is True  # the grid download writes formulas raw; ours neutralise
    assert "--server.address $(ADDRESS)" in (REPO / "Makefile").read_text()


@pytest.mark.parametrize("address, loopback", [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("127.0.0.2", True),
    ("LOCALHOST", True), ("0.0.0.0", False), ("::", False), ("", False), (None, False),
    ("192.168.1.20", False), ("10.0.0.5", False), ("city.example.gov", False), ("unix:///tmp/app.sock", False),
])
def test_on_loopback(address, loopback, listen):
    from ui import auth
    listen(address)
    assert auth.on_loopback() is loopback


@pytest.mark.parametrize("address", ["0.0.0.0", "192.168.1.20", ""])
def test_no_staff_and_reachable_from_outside_shows_the_setup_page(city, listen, address):
    listen(address)
    at = app().run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Set up the first staff account"
    assert "python -m metrics users add NAME --role admin" in body(at)
    assert "Single-user mode" not in body(at) and "Overview" not in body(at)
    assert "current_actor" not in at.session_state
    for page in ("app_pages/overview.py", "app_pages/upload.py"):  # no page but the setup page is registered
        with pytest.raises(ValueError, match="navigation page"):
            at.switch_page(page)


def test_no_staff_on_loopback_is_single_user(city, listen):
    listen("127.0.0.1")
    at = app().run()
    assert not at.exception and not at.error
    assert "Single-user mode" in body(at)
    assert at.session_state["current_actor"] == access.LOCAL_ADMIN
    at.switch_page("app_pages/upload.py").run()
    assert not at.exception and at.title[0].value == "Upload data"


def test_staff_exist_means_sign_in_on_any_address(city, listen):
    with db.writer(city) as conn:
        access.add_user(conn, "ops", "editor", "a long enough password", actor=ADMIN)
    for address in ("127.0.0.1", "0.0.0.0"):
        listen(address)
        at = app().run()
        assert not at.exception and not at.error and at.title[0].value == "Sign in"


def test_users_table_locked_on_postgresql_means_sign_in_not_admin(pg_city, monkeypatch, listen):
    listen("127.0.0.1")  # even on loopback: a failed check is never single-user mode
    monkeypatch.chdir(REPO)
    impatient = pg_city + "%20-cstatement_timeout%3D1500%20-clock_timeout%3D1500"
    monkeypatch.setenv("METRICS_DB_URL", impatient)
    monkeypatch.setenv("METRICS_STATEMENT_TIMEOUT", "1.5")  # where the store sets its own statement timeout
    holder = sa.create_engine(pg_city)
    try:
        with holder.connect() as conn, conn.begin():
            conn.exec_driver_sql("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
            at = app().run()
            assert not at.exception
            assert at.title[0].value == "Sign in"
            assert "Single-user mode" not in body(at) and "current_actor" not in at.session_state
            assert len(at.error) == 1  # one line: why nobody could be signed in (the timeout)
            assert at.get("form"), "the sign-in form is shown"
        at = app().run()  # lock released: the same city on loopback is single-user again
        assert not at.exception and "Single-user mode" in body(at)
    finally:
        holder.dispose()


def test_users_table_unreadable_on_duckdb_means_sign_in_not_admin(city, listen):
    listen("127.0.0.1")
    with db.writer(city) as conn:
        conn.exec_driver_sql("ALTER TABLE users RENAME TO users_unreadable")
    at = app().run()
    assert not at.exception
    assert at.title[0].value == "Sign in" and "Single-user mode" not in body(at)
    assert "current_actor" not in at.session_state


def test_sign_in_that_errors_signs_nobody_in(city, listen):
    listen("127.0.0.1")
    with db.writer(city) as conn:
        access.add_user(conn, "ops", "editor", "a long enough password", actor=ADMIN)
    at = app().run()
    assert at.title[0].value == "Sign in"
    with db.writer(city) as conn:
        conn.exec_driver_sql("ALTER TABLE users RENAME TO users_unreadable")
    at.text_input[0].input("ops")
    at.text_input[1].input("a long enough password")
    at.button[0].click().run()
    assert not at.exception
    assert any("not possible right now" in e.value for e in at.error)
    assert at.title[0].value == "Sign in" and "actor" not in at.session_state


def share(url: str, scope: str = "portal") -> str:
    with db.writer(url) as conn:
        return access.create_share(conn, scope, actor=ADMIN)


@pytest.mark.parametrize("address", ["127.0.0.1", "0.0.0.0"])
def test_bad_share_token_is_one_line_never_admin(city, listen, address):
    listen(address)
    at = app()
    at.query_params["share"] = "not-a-real-token"
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["This public link has expired or been revoked. Ask the city for a new one."]
    assert "Single-user mode" not in body(at) and "current_actor" not in at.session_state


def test_share_link_that_cannot_be_checked_is_one_line_never_admin(city, listen):
    listen("127.0.0.1")
    token = share(city)
    with db.writer(city) as conn:
        conn.exec_driver_sql("ALTER TABLE share_links RENAME TO share_links_unreadable")
    at = app()
    at.query_params["share"] = token
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "can't be checked right now" in at.error[0].value
    assert "Single-user mode" not in body(at) and "current_actor" not in at.session_state


@pytest.mark.parametrize("scope", ["portal", "goal:reduce-homelessness"])
def test_share_reader_who_clicks_the_sidebar_and_reloads_stays_public(city, listen, scope):
    listen("127.0.0.1")  # single-user mode would be on for anyone who arrived without a link
    token = share(city, scope)
    at = app()
    at.query_params["share"] = token
    at.run()
    assert not at.exception and "Public view" in body(at)
    # A click in the sidebar: Streamlit changes page and the query string is dropped.
    at.query_params.clear()
    at.switch_page("app_pages/goal.py").run()
    assert not at.exception
    assert "Public view" in body(at) and "Single-user mode" not in body(at)
    assert at.session_state["current_actor"].is_public
    assert at.query_params.get("share") == token  # put back into the URL
    # A reload is a new session with only the URL: still public.
    reloaded = app()
    reloaded.query_params.update(at.query_params)
    reloaded.run()
    assert not reloaded.exception
    assert "Public view" in body(reloaded) and "Single-user mode" not in body(reloaded)
    assert reloaded.session_state["current_actor"].is_public
    assert reloaded.session_state["current_actor"].scope == scope


def test_no_public_only_test_hook_in_the_app():
    for path in [REPO / "app.py", *(REPO / "ui").glob("*.py"), *(REPO / "app_pages").glob("*.py")]:
        assert "public_only" not in path.read_text(), path


# --- writes require an actor --------------------------------------------------------------------

@pytest.fixture(scope="module")
def write_city(duck_city, tmp_path_factory) -> dict:
    """A private seeded city with one committed upload and one share link to aim the writes at."""
    path = tmp_path_factory.mktemp("writes") / "city.duckdb"
    shutil.copyfile(db.duckdb_path(duck_city), path)
    url = f"duckdb:///{path}"
    upload = ingest(b"measure_id,period,value\nhouseholds-stable-housing,2018-Q2,3333\n", url, actor=EDITOR)
    token = share(url)
    with db.reader(url) as conn:
        share_id = conn.execute(sa.select(sa.func.max(schema.share_links.c.id))).scalar()
    standard = tmp_path_factory.mktemp("std") / "standard.csv"
    standard.write_text(STANDARD)
    return {"url": url, "upload_id": upload.upload_id, "share_id": share_id, "token": token,
            "standard": str(standard)}


def _in_writer(fn):
    def call(ctx, **kw):
        with db.writer(ctx["url"]) as conn:
            return fn(conn, ctx, **kw)
    return call


WRITES = {  # name: (the function, the action it needs, how to call it with keyword arguments `kw`)
    "access.add_user": (access.add_user, "manage-users", _in_writer(
        lambda conn, ctx, **kw: access.add_user(conn, "eve", "admin", "a-long-enough-password", **kw))),
    "access.create_share": (access.create_share, "manage-shares", _in_writer(
        lambda conn, ctx, **kw: access.create_share(conn, "portal", **kw))),
    "access.revoke_share": (access.revoke_share, "manage-shares", _in_writer(
        lambda conn, ctx, **kw: access.revoke_share(conn, ctx["share_id"], **kw))),
    "access.invite_user": (access.invite_user, "manage-users", _in_writer(
        lambda conn, ctx, **kw: access.invite_user(conn, "ivy", "editor", **kw))),
    "access.reset_password": (access.reset_password, "manage-users", _in_writer(
        lambda conn, ctx, **kw: access.reset_password(conn, "ada", **kw))),
    "access.set_disabled": (access.set_disabled, "manage-users", _in_writer(
        lambda conn, ctx, **kw: access.set_disabled(conn, "ada", True, **kw))),
    "access.set_email": (access.set_email, "manage-users", _in_writer(
        lambda conn, ctx, **kw: access.set_email(conn, "ada", "ada@city.gov", **kw))),
    "access.set_role": (access.set_role, "manage-users", _in_writer(
        lambda conn, ctx, **kw: access.set_role(conn, "ada", "viewer", **kw))),
    "ingest": (ingest, "upload-csv", lambda ctx, **kw: ingest(CSV, ctx["url"], **kw)),
    "ingest (dry run)": (ingest, "upload-csv", lambda ctx, **kw: ingest(CSV, ctx["url"], dry_run=True, **kw)),
    "rollback": (rollback, "rollback-upload", lambda ctx, **kw: rollback(ctx["upload_id"], ctx["url"], **kw)),
    "wwc_store.set_status": (wwc_store.set_status, "edit-criteria", _in_writer(
        lambda conn, ctx, **kw: wwc_store.set_status(conn, "EV-01", status="met", **kw))),
    "wwc_store.load_standard": (wwc_store.load_standard, "edit-criteria", _in_writer(
        lambda conn, ctx, **kw: wwc_store.load_standard(conn, ctx["standard"], "2030", **kw))),
    "catalog.add_goal": (catalog.add_goal, "edit-catalog", lambda ctx, **kw: catalog.add_goal(
        ctx["url"], "new-goal", "housing", "New goal", **kw)),
    "catalog.edit_measure": (catalog.edit_measure, "edit-catalog", lambda ctx, **kw: catalog.edit_measure(
        ctx["url"], "households-stable-housing", {"name": "Renamed"}, **kw)),
    "catalog.publish_measures": (catalog.publish_measures, "publish-measure", lambda ctx, **kw: catalog.unpublish_measures(
        ctx["url"], ["households-stable-housing"], **kw)),
    "catalog.retire_measures": (catalog.retire_measures, "retire-measure", lambda ctx, **kw: catalog.retire_measures(
        ctx["url"], ["households-stable-housing"], **kw)),
    "catalog.delete_measures": (catalog.delete_measures, "delete-measure", lambda ctx, **kw: catalog.delete_measures(
        ctx["url"], ["households-stable-housing"], **kw)),
    "catalog.set_target": (catalog.set_target, "set-target", lambda ctx, **kw: catalog.set_target(
        ctx["url"], "households-stable-housing", "2026-Q1", 1, reason="x", **kw)),
    "catalog.add_link": (catalog.add_link, "edit-catalog", lambda ctx, **kw: catalog.add_link(
        ctx["url"], "shelter-beds", "households-stable-housing", 1, **kw)),
    "catalog.set_narrative": (catalog.set_narrative, "write-narrative", lambda ctx, **kw: catalog.set_narrative(
        ctx["url"], "households-stable-housing", "2026-Q1", "x", **kw)),
    "catalog.annotate_measure": (catalog.annotate_measure, "write-narrative", lambda ctx, **kw: catalog.annotate_measure(
        ctx["url"], "households-stable-housing", "2026-01-01", "x", **kw)),
}
CHECKED = {fn for fn, _, _ in WRITES.values()}


def snapshot(url: str) -> dict:
    with db.reader(url) as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in schema.metadata.sorted_tables}


@pytest.mark.parametrize("name", sorted(WRITES))
def test_actor_is_a_required_keyword(name):
    fn = WRITES[name][0]
    param = inspect.signature(fn).parameters["actor"]
    assert param.kind is inspect.Parameter.KEYWORD_ONLY and param.default is inspect.Parameter.empty


@pytest.mark.parametrize("name", sorted(WRITES))
def test_calling_a_write_without_actor_is_a_type_error(write_city, name):
    before = snapshot(write_city["url"])
    with pytest.raises(TypeError, match="actor"):
        WRITES[name][2](write_city)
    assert snapshot(write_city["url"]) == before


@pytest.mark.parametrize("who", [VIEWER, access.PUBLIC_PORTAL, GOAL_LINK, None, "ada"],
                         ids=["viewer", "portal-link", "goal-link", "none", "bare-name"])
@pytest.mark.parametrize("name", sorted(WRITES))
def test_write_is_forbidden_and_writes_nothing(write_city, name, who):
    before = snapshot(write_city["url"])
    with pytest.raises(access.Forbidden):
        WRITES[name][2](write_city, actor=who)
    assert snapshot(write_city["url"]) == before


@pytest.mark.parametrize("name", sorted(WRITES))
def test_the_required_role_is_the_policy_one(name):
    action = WRITES[name][1]
    assert not access.allowed(VIEWER, action) and not access.allowed(access.PUBLIC_PORTAL, action)
    assert access.allowed(ADMIN, action)


def test_allowed_writes_record_the_actor_in_the_audit_log(seeded_url, tmp_path):
    ctx = {"url": seeded_url}
    ctx["upload_id"] = ingest(CSV, seeded_url, actor=EDITOR).upload_id
    assert ctx["upload_id"] is not None
    assert "rolled back" in rollback(ctx["upload_id"], seeded_url, actor=EDITOR)
    with db.writer(seeded_url) as conn:
        access.add_user(conn, "eve", "viewer", "a-long-enough-password", actor=ADMIN)
        access.create_share(conn, "portal", actor=ADMIN)
        share_id = conn.execute(sa.select(sa.func.max(schema.share_links.c.id))).scalar()
        assert access.revoke_share(conn, share_id, actor=ADMIN)
        wwc_store.set_status(conn, "EV-01", status="met", actor=EDITOR)
    std = tmp_path / "std.csv"
    std.write_text(STANDARD)
    with db.writer(seeded_url) as conn:
        wwc_store.load_standard(conn, std, "2030", actor=EDITOR)
    with db.reader(seeded_url) as conn:
        rows = dict(conn.execute(sa.select(schema.audit_log.c.action, schema.audit_log.c.actor)
                                 .order_by(schema.audit_log.c.id)).all())  # the latest row per action
        uploader, rolled_back_by = conn.execute(sa.select(schema.uploads.c.uploaded_by, schema.uploads.c.rolled_back_by)
                                                .where(schema.uploads.c.id == ctx["upload_id"])).one()
    assert {a: rows[a] for a in ("upload-commit", "upload-rollback", "wwc_status_set", "wwc_standard_loaded")} == dict.fromkeys(
        ("upload-commit", "upload-rollback", "wwc_status_set", "wwc_standard_loaded"), "ed")
    assert {a: rows[a] for a in ("add-user", "create-share", "revoke-share")} == dict.fromkeys(
        ("add-user", "create-share", "revoke-share"), "ada")
    assert (uploader, rolled_back_by) == ("ed", "ed")


def test_cli_actor_is_an_admin_named_after_the_os_user():
    login = cli.os_user()
    assert cli.actor() == access.Actor("cli", f"cli:{login}", "admin")
    assert cli.actor("ana").name == f"ana (cli:{login})"
    assert access.allowed(cli.actor(), "manage-users")


def test_cli_writes_record_the_os_user(seeded_url, tmp_path):
    env = {**os.environ, "METRICS_DB_URL": seeded_url}

    def run(*args, stdin=None):
        res = subprocess.run([sys.executable, "-m", "metrics", *args], input=stdin, capture_output=True, text=True,
                             env=env, cwd=REPO, timeout=120)
        assert res.returncode == 0, res.stderr
        return res

    f = tmp_path / "q.csv"
    f.write_bytes(CSV)
    run("users", "add", "lee", "--role", "viewer", "--password-stdin", stdin="a very long password\n")
    run("ingest", str(f), "--user", "ana")
    run("criteria", "set", "EV-01", "--status", "in_progress")
    run("share", "create")
    login = f"cli:{cli.os_user()}"
    with db.reader(seeded_url) as conn:
        rows = dict(conn.execute(sa.select(schema.audit_log.c.action, schema.audit_log.c.actor)
                                 .order_by(schema.audit_log.c.id)).all())
    assert rows["add-user"] == login and rows["create-share"] == login and rows["wwc_status_set"] == login
    assert rows["upload-commit"] == f"ana ({login})"


# --- every function in metrics/ that writes is classified ----------------------------------------

_WRITE_CALLS = {("sa", "insert"), ("sa", "update"), ("sa", "delete"), ("db", "writer")}
_WRITE_NAMES = {"writer", "bulk_insert", "set_meta", "exec_driver_sql", "audit"}
EXEMPT = {  # "module:function": why it takes no actor
    "metrics.store.meta:set_meta": "store primitive, used inside a checked write's transaction",
    "metrics.store.meta:bump_data_version": "store primitive, used inside a checked write's transaction",
    "metrics.store.meta:audit": "store primitive: records the actor a checked write passes it",
    "metrics.store.meta:migrate": "bootstrap (`init`): creates the users table, so runs before any actor exists",
    "metrics.store.db:check": "a connectivity probe (SELECT 1), writes nothing",
    "metrics.wwc.store:load_criteria": "bootstrap (`init`): loads the shipped standard once",
    "metrics.wwc.store:seed_demo_status": "bootstrap (`demo`), called by demo.seed_demo",
    "metrics.demo.city:load": "bootstrap (`demo`), called by seed_demo",
    "metrics.demo.city:seed_demo": "bootstrap (`demo`): CLI only, audited under the CLI actor",
    "metrics.ingest.preview:stage": "inside ingest's transaction, after its check",
    "metrics.ingest.preview:drop_stage": "inside ingest's transaction, after its check",
    "metrics.ingest.registry:upsert_measures": "inside ingest's transaction, after its check",
    "metrics.ingest.registry:insert_drafts": "inside ingest's transaction, after its check",
    "metrics.access.sessions:sign_in_sso": "single sign-on: the identity provider vouched for the address; audited",
    "metrics.access.sessions:touch": "notes activity on a session the same run has just re-checked",
    "metrics.access.sessions:exchange": "the one-time handoff code (from a checked sign-in) is the authority",
    "metrics.access.sessions:end": "sign-out: holding the session's token is the authority to end it",
    "metrics.access.sessions:end_all": "inside users' checked writes (disable, reset) and a redeemed link",
    "metrics.access.users:redeem_password_link": "holding the one-time set-password link is the authority",
    "metrics.ingest.changes:record": "inside ingest's transaction, after its check",
    "metrics.ingest.changes:put_back": "inside rollback's transaction, after its check",
    "metrics.store.rollups:refresh": "derived scores, recomputed inside a checked write's transaction (or migration 11)",
}
CHECKED_NAMES = {f"{fn.__module__}:{fn.__name__}" for fn in CHECKED}
# Exempt writes the app itself makes, because they are how someone becomes (or stops being) an actor.
SIGN_IN_FLOW = {"sign_in", "sign_in_sso", "touch", "exchange", "end", "redeem_password_link"}


def _module(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts)


def _writers() -> dict[str, ast.FunctionDef]:
    found = {}
    for path in sorted((REPO / "metrics").rglob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            for n in ast.walk(node):
                f = getattr(n, "func", None) if isinstance(n, ast.Call) else None
                if (isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name)
                        and (f.value.id, f.attr) in _WRITE_CALLS) or (
                        isinstance(f, ast.Attribute) and f.attr in _WRITE_NAMES) or (
                        isinstance(f, ast.Name) and f.id in _WRITE_NAMES):
                    found[f"{_module(path)}:{node.name}"] = node
                    break
    return found


def _calls(node: ast.AST, names: set[str]) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            f = n.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            if name in names:
                return True
    return False


def test_every_function_that_writes_checks_an_actor_or_is_exempt_for_a_reason():
    checked_fns = {n.split(":")[1] for n in CHECKED_NAMES}
    unclassified = []
    for name, node in _writers().items():
        module, fn = name.split(":")
        if name in CHECKED_NAMES or name in EXEMPT:
            continue
        if fn.startswith("cmd_") and module.startswith(("metrics.cli", "metrics.__main__")):
            continue  # CLI entry points: they pass cli.actor() (checked below)
        args = node.args
        required = [a.arg for a in args.args[:len(args.args) - len(args.defaults)]]
        required += [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None]
        if "actor" in required and _calls(node, {"ensure_allowed", *checked_fns}):
            continue  # a wrapper that passes its required actor on to a checked write
        unclassified.append(name)
    assert not unclassified, f"write functions with no required actor: {unclassified}; add an actor or a reason"
    stale = [n for n in EXEMPT if n not in _writers()]
    assert not stale, f"exempt functions that no longer write (drop them from EXEMPT): {stale}"


def test_checked_writes_start_with_ensure_allowed():
    for fn in CHECKED:
        body = ast.parse(inspect.getsource(fn).lstrip()).body[0].body
        body = body[1:] if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) else body
        first = ast.unparse(body[0])
        assert first.startswith(("ensure_allowed(actor", "access.ensure_allowed(actor")), (fn.__name__, first)


def test_every_call_to_a_write_passes_actor_by_keyword_and_the_app_never_calls_an_exempt_one():
    checked_fns = {n.split(":")[1] for n in CHECKED_NAMES}
    exempt_fns = {n.split(":")[1] for n in EXEMPT}
    missing, reached = [], []
    files = [*(REPO / "metrics").rglob("*.py"), *(REPO / "ui").glob("*.py"), *(REPO / "app_pages").glob("*.py"),
             REPO / "app.py"]
    for path in files:
        in_app = path.parent.name in ("ui", "app_pages") or path.name == "app.py"
        for n in ast.walk(ast.parse(path.read_text())):
            if not isinstance(n, ast.Call):
                continue
            f = n.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            if name in checked_fns and (n.args or n.keywords):  # conn.rollback() is not upload rollback
                if "actor" not in {k.arg for k in n.keywords}:
                    missing.append(f"{path.relative_to(REPO)}:{n.lineno} {ast.unparse(n)[:80]}")
            if in_app and name in exempt_fns and name not in SIGN_IN_FLOW:
                reached.append(f"{path.relative_to(REPO)}:{n.lineno} {name}")
    assert not missing, missing
    assert not reached, reached
