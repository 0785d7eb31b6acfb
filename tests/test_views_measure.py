"""The Measure view (metrics.views.measure) for staff, the public portal and a goal link, and the
public Measure page for overdose deaths: "suppressed" exactly where Equity suppresses, in the
table and in the download, never the small count."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from metrics import access
from metrics.access.visibility import STAFF
from metrics.domain import equity, text
from metrics.store import queries
from metrics.views import base
from metrics.views import measure as measure_view
from tests.conftest import REPO, data_table_rows

HOME, OVERDOSE, DRAFT = "households-stable-housing", "overdose-deaths", "speed-cameras-active"
GOAL = "reduce-homelessness"
VIEWER = access.Actor("user", "vi", "viewer")
GOAL_LINK = access.Actor("public", "public link", "public", f"goal:{GOAL}")


def threshold(url: str) -> int:
    return base.status(url).settings.suppress_below


def equity_flags(url: str, measure_id: str, dimension: str) -> pd.DataFrame:
    """What the Equity rule (domain.equity.suppress) hides, worked out from the raw staff values."""
    obs = queries.fetch("measure_observations", STAFF, url=url, measure_id=measure_id)
    groups = obs[obs["dimension"] == dimension]
    return equity.suppress(groups, threshold(url))[["period", "member", "value", "suppressed"]]


def test_staff_view_has_history_lookup_targets_and_spc(city_url):
    v = measure_view.build(city_url, VIEWER, measure_id=HOME, period="2018-Q1")
    assert v.notice is None and v.measure.id == HOME and not v.public
    assert v.measure.name == "Households moved into stable housing" and v.measure.unit == "households"
    assert "HMIS" in v.measure.methodology
    raw = queries.fetch("measure_observations", STAFF, url=city_url, measure_id=HOME)
    agg = raw[raw["dimension"] == ""]
    assert v.history["value"].tolist() == agg.sort_values("period_end")["value"].tolist()
    assert v.lookup.period == "2018-Q1" and v.lookup.value == 3024
    assert v.lookup.last_year_label == "2017-Q1" and v.lookup.change_on_last_year == pytest.approx(1222)
    assert v.latest.period == v.period_labels[0] == agg.sort_values("period_end")["period"].iloc[-1]
    assert set(v.targets["measure_id"]) == {HOME} and not v.targets.empty
    assert v.spc_limits is not None and v.spc_verdict is not None
    assert v.dimensions and v.dimension == v.dimensions[0]
    assert len(v.table) == len(raw) == len(v.download)


def test_unknown_period_and_dimension_fall_back(duck_city):
    v = measure_view.build(duck_city, VIEWER, measure_id=HOME, period="1999-Q1", dimension="no-such")
    assert v.lookup.period == v.period_labels[0]
    assert v.dimension == v.dimensions[0]


def test_staff_see_small_counts_marked_below_the_threshold(duck_city):
    n = threshold(duck_city)
    v = measure_view.build(duck_city, VIEWER, measure_id=OVERDOSE)
    part = v.table[v.table["dimension"] == "race"]
    marked = part[part["value"].str.contains(f"(below {n})", regex=False)]
    assert len(marked) > 0
    first = marked["value"].iloc[0]
    assert float(first.split(" ")[0]) < n  # the raw number is there for staff, with the marker
    small = v.download[(v.download["dimension"] == "race") & (v.download["value"] < n)]
    assert len(small) == len(marked) and (small["note"] == f"below {n}").all()
    # the chart never plots a suppressed cell, even for staff
    assert v.breakdown.loc[v.breakdown["suppressed"], "value"].isna().all()


@pytest.mark.parametrize("who", [access.PUBLIC_PORTAL, GOAL_LINK], ids=["portal", "goal-link"])
def test_public_view_has_no_owner_and_plain_words(city_url, who):
    staff = measure_view.build(city_url, VIEWER, measure_id=HOME)
    v = measure_view.build(city_url, who, measure_id=HOME)
    assert staff.measure.owner and v.measure.owner == ""
    assert staff.spc_limits is not None and v.spc_limits is None  # no control limits drawn for the public
    assert v.spc_verdict[0] == staff.spc_verdict[0]
    assert v.spc_verdict[1] in ("The latest figure is within normal variation: the usual ups and downs, not a real "
                                "change.", "The latest figure is outside this measure's usual range: likely a real "
                                "change, not chance.")


@pytest.mark.parametrize("who", [access.PUBLIC_PORTAL, GOAL_LINK], ids=["portal", "goal-link"])
def test_a_hidden_or_unknown_measure_is_a_notice_and_the_first_measure(duck_city, who):
    for asked in (DRAFT, "no-such-measure"):
        v = measure_view.build(duck_city, who, measure_id=asked)
        assert v.notice and asked not in v.notice
        assert v.measure.id == v.measure_ids[0] != asked
        assert DRAFT not in v.measure_ids and DRAFT not in v.names


def test_portal_view_suppresses_where_equity_does(city_url):
    n = threshold(city_url)
    v = measure_view.build(city_url, access.PUBLIC_PORTAL, measure_id=OVERDOSE)
    assert v.public and v.notice is None and v.measure.id == OVERDOSE and v.n_suppressed > 0
    flags = equity_flags(city_url, OVERDOSE, "race")
    table = v.table[v.table["dimension"] == "race"].merge(flags, on=["period", "member"], suffixes=("", "_raw"))
    assert len(table) == len(flags)
    assert ((table["value"] == equity.SUPPRESSED) == table["suppressed"]).all()
    shown = table[~table["suppressed"]]
    assert (shown["value"].str.replace(",", "").astype(float) >= n).all()
    # the download: "suppressed", no value, never the number
    dl = v.download[v.download["dimension"] == "race"]
    assert (dl["note"] == equity.SUPPRESSED).sum() == int(flags["suppressed"].sum())
    assert dl.loc[dl["note"] == equity.SUPPRESSED, "value"].isna().all()
    assert (dl["value"].dropna() >= n).all()
    # the chart gets no value for a suppressed cell
    assert v.breakdown.loc[v.breakdown["suppressed"], "value"].isna().all()


def test_goal_link_sees_only_its_goals_measures(duck_city):
    v = measure_view.build(duck_city, GOAL_LINK, measure_id=OVERDOSE)
    measures = queries.fetch("measures", STAFF, url=duck_city)
    in_goal = set(measures.loc[measures["goal_id"] == GOAL, "id"])
    assert set(v.measure_ids) <= in_goal and v.measure_ids
    assert v.notice and v.measure.id != OVERDOSE and v.measure.goal_id == GOAL


# --------------------------------------------------------------------------- the public page


def test_public_measure_page_shows_suppressed_where_equity_does(duck_city, monkeypatch):
    """Done-when of issue 9: the public Measure page for overdose deaths says "suppressed" where
    Equity does, and neither its data table nor its "Download CSV" carries a small count."""
    downloads: list[object] = []
    add = MediaFileManager.add

    def recording_add(self, data, *args, **kwargs):
        downloads.append(data)
        return add(self, data, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add", recording_add)
    monkeypatch.setenv("METRICS_DB_URL", duck_city)
    monkeypatch.chdir(REPO)
    at = AppTest.from_file(str(REPO / "app_pages" / "measure.py"), default_timeout=60)
    at.session_state["current_actor"] = access.PUBLIC_PORTAL
    at.query_params["measure"] = OVERDOSE
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == text.md("Overdose deaths")
    n = threshold(duck_city)
    assert any(f"below {n}" in c.value and "suppressed" in c.value for c in at.caption)

    table = data_table_rows(at)
    flags = equity_flags(duck_city, OVERDOSE, "race")
    race = table[table["dimension"] == "race"].merge(flags, on=["period", "member"], suffixes=("", "_raw"))
    assert len(race) == len(flags) and race["suppressed"].any()
    assert ((race["value"] == "suppressed") == race["suppressed"]).all()
    numbers = race.loc[race["value"] != "suppressed", "value"].str.replace(",", "").astype(float)
    assert (numbers >= n).all()

    assert any(b.proto.label == "Download CSV" for b in at.get("download_button"))
    csv = next(d for d in downloads if isinstance(d, str | bytes) and "measure_id" in str(d))
    rows = pd.read_csv(io.StringIO(csv if isinstance(csv, str) else csv.decode()), keep_default_na=False)
    got = rows[rows["dimension"] == "race"]
    assert (got["note"] == "suppressed").sum() == int(flags["suppressed"].sum())
    assert (got.loc[got["note"] == "suppressed", "value"] == "").all()
    assert (pd.to_numeric(got.loc[got["note"] != "suppressed", "value"]) >= n).all()
