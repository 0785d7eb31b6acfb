"""The data inventory (staff) and the publish_dir rebuild after a commit.

The inventory lists every measure, drafts included, with owner, source, cadence, freshness,
metadata completeness and whether the public sees it, plus what is overdue per owner; its CSV
is formula-safe; the public gets a notice, never an owner. The page is in the staff nav only.
After an upload commits with `publish_dir` set, the public site is rebuilt from the new data.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from metrics import access
from metrics.ingest.commit import ingest
from metrics.publish import hooks, site
from metrics.store import db, schema
from metrics.views import inventory
from tests.conftest import REPO

ADMIN = access.Actor("user", "ana", "admin")
TODAY = date(2026, 12, 1)


def test_inventory_lists_every_measure_with_freshness_and_completeness(seeded_url):
    now = datetime.now(UTC)
    with db.writer(seeded_url) as conn:
        conn.execute(sa.insert(schema.measures).values(
            id="draft-no-meta", name="=cmd|' /C calc'!A0", kind="output", unit=None, direction="higher",
            frequency="month", goal_id="reduce-homelessness", is_public=False, state="draft", rollup="sum",
            created_at=now, updated_at=now))
    v = inventory.build(seeded_url, ADMIN, today=TODAY)
    t = v.table.set_index("measure_id")
    with db.reader(seeded_url) as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(schema.measures)).scalar()
    assert len(t) == n
    hh = t.loc["households-stable-housing"]
    assert hh["owner"] and hh["source"] and hh["frequency"] == "quarterly" and hh["metadata"] == "9/9"
    assert hh["public"] == "public" and hh["last_period"] and hh["next_due"]
    d = t.loc["draft-no-meta"]
    assert d["state"] == "draft" and d["public"] == "draft" and "unit" in d["missing"] and "owner" in d["missing"]
    assert pd.isna(d["last_period"]) and not d["overdue"]
    assert t.loc[t["overdue"], "next_due"].map(lambda x: date.fromisoformat(x) < TODAY).all()
    assert v.n_overdue == int(v.owners["overdue"].sum()) and v.n_overdue > 0
    o = v.owners.set_index("owner")  # an owner with nothing overdue reads "—", not "None"
    assert (o.loc[o["overdue"] == 0, "oldest_due"] == "—").all() and (o["overdue"] == 0).any()
    assert o.loc[o["overdue"] > 0, "oldest_due"].map(lambda x: date.fromisoformat(x) < TODAY).all()
    assert "'=cmd" in v.csv and "\n=cmd" not in v.csv and ",=cmd" not in v.csv
    assert pd.read_csv(__import__("io").StringIO(v.csv)).shape[0] == n


def test_public_reader_gets_a_notice_not_owners(duck_city):
    v = inventory.build(duck_city, access.PUBLIC_PORTAL)
    assert v.notice == inventory.STAFF_ONLY and v.table.empty and v.owners.empty


def _app(url: str, monkeypatch, actor: access.Actor | None = None) -> AppTest:
    monkeypatch.setenv("METRICS_DB_URL", url)
    monkeypatch.chdir(REPO)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    if actor is not None and actor.is_public:
        with db.writer(url) as conn:
            at.query_params["share"] = access.create_share(conn, "portal", actor=access.LOCAL_ADMIN)
    elif actor is not None:
        at.session_state["actor"] = actor
    at.run()
    return at


def test_inventory_page_for_staff(seeded_url, monkeypatch):
    at = _app(seeded_url, monkeypatch)
    at.switch_page("app_pages/inventory.py").run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Data inventory"
    assert {m.label for m in at.metric} >= {"Measures", "Overdue"}
    owners, table = at.dataframe[0].value, at.dataframe[1].value
    assert "overdue" in owners.columns and "households-stable-housing" in set(table["measure_id"])
    assert at.get("download_button")


def test_inventory_is_not_in_the_public_nav(duck_city, monkeypatch):
    at = _app(duck_city, monkeypatch, access.PUBLIC_PORTAL)
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not registered for the public
        at.switch_page("app_pages/inventory.py")


def test_site_is_rebuilt_after_an_upload_commits(seeded_url, tmp_path):
    out = tmp_path / "public"
    first = site.publish(out, seeded_url)
    hooks.set_publish_dir(seeded_url, out, actor=ADMIN)
    with pytest.raises(access.Forbidden):
        hooks.set_publish_dir(seeded_url, out, actor=access.Actor("user", "ed", "editor"))
    csv = b"measure_id,period,value\nhouseholds-stable-housing,2018-Q1,3111\n"
    result = ingest(csv, seeded_url, actor=ADMIN, file_name="q1.csv")
    assert result.status == "committed"
    marker = out / site.MARKER
    deadline = time.monotonic() + 900  # the rebuild runs detached; wait for it, however slow the machine
    while time.monotonic() < deadline:
        if marker.is_file() and json.loads(marker.read_text())["version"] > first.version:
            break
        time.sleep(1)
    assert json.loads(marker.read_text())["version"] > first.version, hooks.log_path(out).read_text()
    rows = pd.read_csv(out / "data" / "measures.csv", dtype={"period": str, "dimension": str})
    q1 = rows[(rows["measure_id"] == "households-stable-housing") & (rows["period"] == "2018-Q1")
              & rows["dimension"].isna()]
    assert q1["value"].iloc[0] == 3111
