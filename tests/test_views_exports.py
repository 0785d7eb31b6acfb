"""The exports view on both engines: the public gets no hidden measure and no small count; staff get raw rows."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from metrics import access
from metrics.views import base, exports
from tests.conftest import sql_frame

WORKFORCE = {"staff-turnover", "training-hours", "vacancy-rate", "workforce-representation"}
GOAL_LINK = access.Actor("public", "public link", "public", "goal:overdose")


@pytest.fixture
def facts(city_url) -> dict:
    m = sql_frame("SELECT m.id, m.goal_id, m.state, m.is_public, g.is_public AS goal_public, m.rollup "
                  "FROM measures m JOIN goals g ON g.id = m.goal_id", city_url)
    visible = m[m.is_public.astype(bool) & (m.state == "published") & m.goal_public.astype(bool)]
    return {"hidden_goal": set(m.loc[m.goal_id == "workforce", "id"]),
            "drafts": set(m.loc[m.state != "published", "id"]),
            "public": set(visible.id),
            "counts": set(m.loc[m.rollup.fillna("sum") == "sum", "id"]),
            "threshold": base.status(city_url).settings.suppress_below}


def _breakdown_counts(rows: pd.DataFrame, counts: set[str]) -> pd.DataFrame:
    return rows[(rows.dimension != "") & rows.measure_id.isin(counts)]


@pytest.mark.parametrize("who", [access.PUBLIC_PORTAL, None])
def test_public_rows_have_no_hidden_measure_and_no_small_count(city_url, facts, who):
    rows = exports.canonical_rows(city_url, who)
    assert list(rows.columns) == exports.CANONICAL_COLUMNS
    ids = set(rows.measure_id)
    assert WORKFORCE <= facts["hidden_goal"] and facts["drafts"]
    assert not ids & facts["hidden_goal"] and not ids & facts["drafts"]
    assert ids <= facts["public"] and "overdose-deaths" in ids
    part = _breakdown_counts(rows, facts["counts"])
    assert part.value.isna().any()  # suppressed cells are there, with no value
    assert not (part.value.dropna() < facts["threshold"]).any()
    cell = rows[(rows.measure_id == "overdose-deaths") & (rows.period == "2016-01") & (rows.member == "Other")]
    assert len(cell) == 1 and pd.isna(cell.value.iloc[0])


def test_staff_rows_are_raw_and_complete(city_url, facts):
    staff = exports.canonical_rows(city_url, access.LOCAL_ADMIN)
    assert WORKFORCE <= set(staff.measure_id) and facts["drafts"] <= set(staff.measure_id)
    assert len(staff) == int(sql_frame("SELECT COUNT(*) AS n FROM observations", city_url).n.iloc[0])
    cell = staff[(staff.measure_id == "overdose-deaths") & (staff.period == "2016-01") & (staff.member == "Other")]
    assert cell.value.iloc[0] == 2
    public = exports.canonical_rows(city_url, access.PUBLIC_PORTAL)
    key = ["measure_id", "period", "dimension", "member"]
    both = staff.merge(public, on=key, how="right", suffixes=("_staff", "_public"), validate="one_to_one")
    assert len(both) == len(public)  # the public rows are the staff rows of the public measures
    shown = both.value_public.notna()
    assert (both.loc[shown, "value_public"] == both.loc[shown, "value_staff"]).all()
    assert (both.loc[~shown, "value_staff"].notna()).all()  # the number exists, it is only not shown


def test_goal_link_sees_only_its_goal(city_url, facts):
    rows = exports.canonical_rows(city_url, GOAL_LINK)
    goal = set(sql_frame("SELECT id FROM measures WHERE goal_id = 'overdose'", city_url).id)
    assert set(rows.measure_id) <= goal and "overdose-deaths" in set(rows.measure_id)
    assert not (_breakdown_counts(rows, facts["counts"]).value.dropna() < facts["threshold"]).any()


def test_one_measure_and_downloads(city_url):
    rows = exports.canonical_rows(city_url, access.PUBLIC_PORTAL, "overdose-deaths")
    assert set(rows.measure_id) == {"overdose-deaths"}
    assert exports.canonical_rows(city_url, access.PUBLIC_PORTAL, "staff-turnover").empty
    csv = exports.to_csv(rows)
    assert "overdose-deaths,2016-01,race,Other,\n" in csv
    records = json.loads(exports.to_json(rows))
    other = next(r for r in records if r["period"] == "2016-01" and r["member"] == "Other")
    assert other["value"] is None


def test_csv_neutralises_formulas():
    rows = pd.DataFrame({"measure_id": ["m"], "period": ["2018-01"], "dimension": ["district"],
                         "member": ["=HYPERLINK(\"http://x\")"], "value": [1.0]})
    assert exports.to_csv(rows).splitlines()[1].startswith("m,2018-01,district,\"'=HYPERLINK")
