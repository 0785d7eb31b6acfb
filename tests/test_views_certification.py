"""The Certification view for staff, the public portal and a goal link (demo city, no mocks).

Staff get the whole tracker. The public get statuses, the level and evidence counts but no
owners, due dates ("overdue"), notes, history, suggestions, who attached what, or a goal or
measure outside what they may see, even when it is linked to a criterion.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from metrics import access
from metrics.domain import certification
from metrics.domain.certification import LevelConfig
from metrics.store import db, schema
from metrics.views import base
from metrics.views import certification as cert_view
from metrics.wwc import store as wwc_store
from tests.conftest import make_db, sql_frame
from tests.test_wwc_store import snapshot

STAFF = access.LOCAL_ADMIN
VIEWER = access.Actor("user", "vi", "viewer")
EDITOR = access.Actor("user", "ed", "editor")
GOAL_LINK = access.Actor("public", "public link", "public", "goal:reduce-homelessness")
HIDDEN_GOAL, HIDDEN_MEASURE, LINKED = "workforce", "staff-turnover", "PA-01"


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def linked(request, tmp_path_factory) -> str:
    """The demo city with the non-public `workforce` goal linked to PA-01 and evidence pointing at
    one of its measures."""
    if request.param == "duckdb":
        url = make_db(f"duckdb:///{tmp_path_factory.mktemp('cert_view') / 'c.duckdb'}")
    else:
        url = make_db(request.getfixturevalue("new_pg_schema")())
    with db.writer(url) as conn:
        version = wwc_store.current_version(conn)
        conn.execute(sa.insert(schema.goal_criteria).values(goal_id=HIDDEN_GOAL, code=LINKED))
        conn.execute(sa.insert(schema.wwc_evidence).values(
            standard_version=version, code=LINKED, kind="measure", ref=f"measure:{HIDDEN_MEASURE}",
            note="turnover report", added_by="performance-team", added_at=datetime(2026, 1, 5)))
    return url


def hidden_goal_name(url: str) -> str:
    return sql_frame("SELECT name FROM goals WHERE id = :g", url, g=HIDDEN_GOAL)["name"].iloc[0]


def all_strings(obj) -> str:
    from tests.test_visibility import strings_in
    return "\n".join(strings_in(obj))


def test_staff_view_is_the_assessment_of_the_stored_status(linked):
    v = cert_view.build(linked, STAFF)
    raw = sql_frame("SELECT c.code, c.practice, COALESCE(s.status, 'not_started') AS status FROM wwc_criteria c "
                    "JOIN wwc_standards st ON st.is_current AND st.version = c.standard_version "
                    "LEFT JOIN wwc_status s ON s.standard_version = c.standard_version AND s.code = c.code "
                    "ORDER BY c.sort", linked)
    assert dict(zip(v.criteria["code"], v.criteria["status"], strict=True)) == dict(
        zip(raw["code"], raw["status"], strict=True))
    config = base.status(linked).settings.levels
    expected = certification.assess(raw, config)
    a = v.assessment
    assert (a.level, a.met, a.total, a.needed_for_next) == (expected.level, expected.met, expected.total,
                                                           expected.needed_for_next)
    assert v.thresholds == tuple((n, config.needed(n, a.total)) for n, _ in config.levels)
    assert v.staff and cert_view.can_edit(STAFF) and v.criteria["owner"].notna().any()
    assert {"owner", "target_date"} <= set(v.path.columns) and "owner" in v.steps.columns
    assert len(v.suggestions) and v.suggestions["evidence_ref"].str.startswith("Dashboard indicator").all()
    assert {"owner", "target_date", "notes"} <= set(v.export_rows.columns)
    assert v.export_csv.startswith("level_now,")
    assert v.project(v.path["code"]).level == a.next_level


def test_viewer_reads_everything_but_may_not_edit(linked):
    v = cert_view.build(linked, VIEWER)
    assert v.staff and not cert_view.can_edit(VIEWER) and v.criteria["owner"].notna().any()
    d = cert_view.detail(linked, VIEWER, criterion="RDC-02")
    assert len(d.history) and cert_view.can_edit(EDITOR)


def test_public_view_has_no_owners_dates_notes_or_suggestions(linked):
    v = cert_view.build(linked, access.PUBLIC_PORTAL)
    staff = cert_view.build(linked, STAFF)
    assert not v.staff and not cert_view.can_edit(access.PUBLIC_PORTAL)
    assert v.assessment.level == staff.assessment.level and v.assessment.met == staff.assessment.met
    for col in cert_view.PRIVATE_COLUMNS:
        assert v.criteria[col].isna().all(), col
    for frame in (v.path, v.steps, v.export_rows, v.table()):
        assert not set(cert_view.PRIVATE_COLUMNS) & set(frame.columns)
    assert not v.steps["reason"].str.contains("due|overdue").any()
    assert v.suggestions.empty
    everything = all_strings(v)
    for owner in set(staff.criteria["owner"].dropna()):  # as a whole name ("Evaluation Lead", not "...Leadership")
        assert not re.search(re.escape(owner) + r"(?![A-Za-z])", everything), owner
    assert hidden_goal_name(linked) not in everything


def test_public_criterion_names_no_hidden_goal_and_no_hidden_evidence(linked):
    who = access.PUBLIC_PORTAL
    staff = cert_view.detail(linked, STAFF, criterion=LINKED)
    assert HIDDEN_GOAL in set(staff.goals["id"]) and f"measure:{HIDDEN_MEASURE}" in set(staff.evidence["ref"])
    d = cert_view.detail(linked, who, criterion=LINKED)
    assert d.code == LINKED and d.notice is None and len(d.goals)
    assert HIDDEN_GOAL not in set(d.goals["id"])
    assert f"measure:{HIDDEN_MEASURE}" not in set(d.evidence["ref"])
    everything = all_strings(d)
    assert hidden_goal_name(linked) not in everything and HIDDEN_MEASURE not in everything
    assert d.history.empty and d.owner is None and d.target_date is None and d.notes is None
    assert [k for k, _ in d.facts] == ["Status", "Last reviewed"]
    assert not {"owner", "target_date"} & set(d.goals.columns) and "added_by" not in d.evidence.columns


def test_staff_criterion_detail(linked):
    d = cert_view.detail(linked, STAFF, criterion="RDC-02")
    assert d.title and d.practice and [k for k, _ in d.facts] == ["Status", "Owner", "Due", "Last reviewed"]
    assert len(d.history) and set(d.history["code"]) == {"RDC-02"}
    assert d.evidence["link"].iloc[0] == "/measure?measure=households-stable-housing"
    assert cert_view.detail(linked, STAFF, criterion="ZZ-99").notice == "No criterion ZZ-99 in the current standard."
    nothing = cert_view.detail(linked, STAFF)
    assert nothing.code is None and nothing.notice is None


def test_a_goal_link_is_told_the_tracker_is_not_part_of_it(linked):
    v = cert_view.build(linked, GOAL_LINK)
    assert v.notice == cert_view.GOAL_SCOPED and v.empty and v.criteria.empty
    assert cert_view.detail(linked, GOAL_LINK, criterion=LINKED).notice == cert_view.GOAL_SCOPED


def test_levels_come_from_the_reader_settings(linked):
    settings = base.status(linked).settings
    one_level = LevelConfig(version="test", levels=(("Bronze", 0.1),), core=("DM-01",))
    v = cert_view.build(linked, STAFF, replace(settings, levels=one_level))
    assert v.assessment.level == "Bronze" and v.assessment.next_level is None and v.path.empty
    assert v.thresholds == (("Bronze", certification.criteria_needed(0.1, v.assessment.total)),)


def test_unknown_evidence_scheme_gets_no_link():
    assert certification.evidence_link("javascript:alert(1)") is None
    assert certification.evidence_link("Charter.pdf") is None
    assert certification.evidence_link("goal:reduce-homelessness") == "/goal?goal=reduce-homelessness"
    assert certification.evidence_link("https://data.example.gov/") == "https://data.example.gov/"


def test_save_writes_as_the_actor_and_refuses_without_rights(seeded_url):
    before = snapshot(seeded_url)
    refused = cert_view.save(seeded_url, VIEWER, "EV-04", status="met")
    assert not refused.ok and "may not edit criteria" in refused.errors[0]
    invalid = cert_view.save(seeded_url, EDITOR, "EV-04", evidence=["javascript:alert(1)"])
    assert not invalid.ok and any("http:// or https://" in e for e in invalid.errors)
    assert snapshot(seeded_url) == before
    saved = cert_view.save(seeded_url, EDITOR, "EV-04", status="met", owner="Evaluation Lead",
                           target_date=date(2027, 1, 31))
    assert saved.ok and saved.message.startswith("EV-04 saved: ") and "status changed" in saved.message
    d = cert_view.detail(seeded_url, STAFF, criterion="EV-04")
    assert d.status == "met" and d.owner == "Evaluation Lead"
    assert set(d.history.loc[d.history["field"] == "status", "changed_by"].head(1)) == {EDITOR.name}
