"""The live portal's Goal and Measure pages as a resident opens them through a share link (AppTest on a
real seeded DuckDB): no staff-only fact (the goal's owner, the measure's owner, who works on a linked
criterion and by when) and no statistics jargon ("control limit"); plain words instead ("within normal
variation"). Staff opening the same pages still see the owners, so the test can fail."""

from __future__ import annotations

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from metrics import access
from metrics.store import db, meta, schema
from tests.test_pages import plain
from tests.test_pages_dashboards import HOME_GOAL, HOME_OUTCOME, all_text, make_app, open_page, share_link

GOAL_OWNER, MEASURE_OWNER, CRITERION_OWNER = "Pat Goal-Keeper", "Sam Measure-Keeper", "Quinn Criterion-Keeper"
STAFF = access.Actor("user", "ada", "admin")


def _owners(url: str) -> tuple[str, str]:
    """Named people as the goal's owner, the outcome measure's owner, and the owner (with a due date) of
    every criterion the goal supports (the demo's owners are departments, which are public)."""
    with db.writer(url) as conn:
        conn.execute(sa.update(schema.goals).where(schema.goals.c.id == HOME_GOAL).values(owner=GOAL_OWNER))
        conn.execute(sa.update(schema.measures).where(schema.measures.c.id == HOME_OUTCOME)
                     .values(owner=MEASURE_OWNER))
        codes = sa.select(schema.goal_criteria.c.code).where(schema.goal_criteria.c.goal_id == HOME_GOAL)
        conn.execute(sa.update(schema.wwc_status).where(schema.wwc_status.c.code.in_(codes))
                     .values(owner=CRITERION_OWNER, target_date=sa.func.current_date()))
        meta.bump_data_version(conn)
    return GOAL_OWNER, MEASURE_OWNER


def _everything(at: AppTest) -> str:
    """What the page shows: its text, every table (cells and headers) and every chart's spec."""
    tables = [d.value.to_csv() for d in at.dataframe]
    charts = [c.proto.spec for c in at.get("plotly_chart")]
    return plain("\n".join([all_text(at), *(m.label for m in at.metric), *tables, *charts]))


def _open(url: str, monkeypatch, page: str, **params: str) -> str:
    at = open_page(make_app(url, monkeypatch, **params), page)
    assert not at.error, [e.value for e in at.error]
    return _everything(at)


def test_public_goal_and_measure_pages_show_no_owner_and_plain_words(seeded_url, monkeypatch):
    goal_owner, measure_owner = _owners(seeded_url)
    token = share_link(seeded_url, "portal")
    for page, params in (("goal", {"goal": HOME_GOAL}), ("measure", {"measure": HOME_OUTCOME})):
        shown = _open(seeded_url, monkeypatch, page, share=token, **params)
        for name in (goal_owner, measure_owner, CRITERION_OWNER):
            assert name not in shown, (page, name)
        assert "owner" not in shown.lower(), page
        assert "control limit" not in shown.lower(), page
        assert "target_date" not in shown, page
    assert "within normal variation" in shown or "outside this measure's usual range" in shown


def test_staff_see_the_owners_on_the_same_pages(seeded_url, monkeypatch):
    goal_owner, measure_owner = _owners(seeded_url)
    goal = _open(seeded_url, monkeypatch, "goal", goal=HOME_GOAL)
    assert goal_owner in goal and CRITERION_OWNER in goal
    measure = _open(seeded_url, monkeypatch, "measure", measure=HOME_OUTCOME)
    assert f"Owner: {measure_owner}" in measure
    assert "Upper control limit" in measure  # staff keep the statistics
