"""The Equity view for staff, the public portal and a goal link, on the seeded demo city.

Suppression comes from the visibility rule in SQL; these tests check that the view only turns
its flags into text (public: "suppressed"; staff: the number marked "below N"), that the gaps
and the gap series use shown values only, and that the SQL rule and the pandas statement of
the same rule (domain.equity.suppress) hide exactly the same cells on the demo city.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from metrics import access
from metrics.domain import equity, text
from metrics.views import base
from metrics.views import equity as equity_view

OVERDOSE, HOME = "overdose-deaths", "households-stable-housing"
GOAL_LINK = access.Actor("public", "public link", "public", "goal:reduce-homelessness")
STAFF = access.LOCAL_ADMIN


def cells(view: equity_view.EquityView) -> set[tuple[str, str]]:
    g = view.groups
    return set(zip(g.loc[g["suppressed"], "period"], g.loc[g["suppressed"], "member"], strict=True))


def test_sql_rule_and_domain_rule_suppress_the_same_cells(city_url):
    """Overdose deaths by race: what the public view hides is what equity.suppress hides in the raw rows."""
    threshold = base.status(city_url).settings.suppress_below
    public = equity_view.build(city_url, access.PUBLIC_PORTAL, measure_id=OVERDOSE, dimension="race")
    staff = equity_view.build(city_url, STAFF, measure_id=OVERDOSE, dimension="race")
    assert public.notice is None and public.measure_id == OVERDOSE and public.dimension == "race"
    raw = staff.groups[["period", "member", "value"]]
    assert raw["value"].notna().all()  # staff read every raw value
    expected = equity.suppress(raw, threshold)
    want = set(zip(expected.loc[expected["suppressed"], "period"], expected.loc[expected["suppressed"], "member"],
                   strict=True))
    assert want and cells(public) == want == cells(staff)
    assert public.n_suppressed == len(want) == staff.n_suppressed


def test_public_read_suppressed_and_never_the_number(city_url):
    v = equity_view.build(city_url, access.PUBLIC_PORTAL, measure_id=OVERDOSE, dimension="race")
    hidden = v.groups[v.groups["suppressed"]]
    assert len(hidden) and hidden["value"].isna().all() and hidden["shown"].isna().all()
    assert (hidden["text"] == equity.SUPPRESSED).all()
    shown = v.groups[~v.groups["suppressed"]]
    assert (shown["value"] >= v.threshold).all()
    members = [c for c in v.table.columns if c not in ("period", "City")]
    flat = v.table[members].to_numpy().ravel().tolist()
    assert equity.SUPPRESSED in flat and not any("below" in str(c) for c in flat)
    assert not v.staff and v.counts


def test_staff_see_the_raw_number_marked(city_url):
    v = equity_view.build(city_url, STAFF, measure_id=OVERDOSE, dimension="race")
    hidden = v.groups[v.groups["suppressed"]]
    small = hidden[hidden["value"] < v.threshold]
    assert len(small)
    assert (small["text"] == [f"{x:,.0f} (below {v.threshold})" for x in small["value"]]).all()
    complement = hidden[hidden["value"] >= v.threshold]
    assert complement["text"].str.endswith("(complement)").all()
    assert not (v.groups["text"] == equity.SUPPRESSED).any()
    assert v.staff


def test_gaps_and_the_gap_series_use_shown_values_only(city_url):
    staff = equity_view.build(city_url, STAFF, measure_id=OVERDOSE, dimension="race")
    public = equity_view.build(city_url, access.PUBLIC_PORTAL, measure_id=OVERDOSE, dimension="race")
    pd.testing.assert_frame_equal(staff.gaps, public.gaps)
    pd.testing.assert_frame_equal(staff.gap_series, public.gap_series)
    assert staff.gap_csv == public.gap_csv == text.to_csv(public.gap_series)
    assert staff.gap_id == f"{OVERDOSE}-gap-race" and set(staff.gap_series["measure_id"]) == {staff.gap_id}
    # every gap is max - min of the values shown in that period
    shown = public.groups.dropna(subset=["shown"]).groupby("period")["shown"]
    spread = (shown.max() - shown.min())[shown.count() >= 2]
    assert public.gap_series.set_index("period")["value"].to_dict() == spread.to_dict()
    assert public.latest_gap is not None and public.latest_gap.period == public.gaps["period"].iloc[-1]


def test_a_rate_is_not_suppressed_and_compares_by_difference(duck_city):
    v = equity_view.build(duck_city, access.PUBLIC_PORTAL, measure_id="unemployment-rate")
    assert not v.counts and v.n_suppressed == 0 and v.groups["value"].notna().all()
    assert v.vs_city_reference == 0.0 and "Difference" in v.vs_city_title
    city = v.city.set_index("period")["value"]
    first = v.vs_city.iloc[0]
    own = v.groups[(v.groups["period"] == first["period"]) & (v.groups["member"] == first["member"])]["value"]
    assert first["vs_city"] == pytest.approx(own.iloc[0] - city[first["period"]])


def test_counts_compare_as_a_share_of_the_city_total(duck_city):
    v = equity_view.build(duck_city, STAFF, measure_id=HOME)
    assert v.counts and v.vs_city_reference is None and v.vs_city_unit == "%"
    row = v.groups.dropna(subset=["shown"]).iloc[-1]
    city = v.city.set_index("period")["value"][row["period"]]
    got = v.vs_city[(v.vs_city["period"] == row["period"]) & (v.vs_city["member"] == row["member"])]["vs_city"]
    assert got.iloc[0] == pytest.approx(100 * row["shown"] / city)


@pytest.mark.parametrize("who", [STAFF, access.PUBLIC_PORTAL, GOAL_LINK], ids=["staff", "portal", "goal-link"])
def test_unknown_or_invisible_measure_falls_back_with_a_notice(duck_city, who):
    for wanted in ("no-such-measure", "staff-turnover"):  # staff-turnover is under the non-public goal
        v = equity_view.build(duck_city, who, measure_id=wanted)
        assert v.measure_id == v.measures["id"].iloc[0]
        if who is STAFF and wanted == "staff-turnover":  # staff see it; it just has no breakdown: a note
            assert v.notice is None and "whole city only" in v.note
        else:  # unknown, or not for this reader: the same notice, naming nothing
            assert v.notice == equity_view.UNKNOWN_MEASURE and v.note is None
            assert wanted not in v.notice
    v = equity_view.build(duck_city, who, measure_id=v.measure_id, dimension="no-such-dimension")
    assert v.dimension == v.dimensions[0] and v.notice == equity_view.UNKNOWN_DIMENSION


def test_a_goal_link_lists_only_its_goals_measures(duck_city):
    portal = equity_view.build(duck_city, access.PUBLIC_PORTAL)
    scoped = equity_view.build(duck_city, GOAL_LINK)
    assert set(scoped.measures["id"]) < set(portal.measures["id"])
    assert HOME in set(scoped.measures["id"]) and OVERDOSE not in set(scoped.measures["id"])
    assert equity_view.build(duck_city, GOAL_LINK, measure_id=OVERDOSE).notice == equity_view.UNKNOWN_MEASURE


def test_a_city_without_breakdowns_says_so(fresh_url):
    v = equity_view.build(fresh_url, STAFF)
    assert v.empty_notice == equity_view.NO_BREAKDOWNS and v.measure_id is None and v.measures.empty


def test_the_threshold_is_the_reader_settings(seeded_url):
    settings = base.status(seeded_url).settings
    low = equity_view.build(seeded_url, access.PUBLIC_PORTAL, settings, measure_id=OVERDOSE)
    high = equity_view.build(seeded_url, access.PUBLIC_PORTAL, replace(settings, suppress_below=30),
                             measure_id=OVERDOSE)
    assert high.threshold == 30 and high.n_suppressed > low.n_suppressed
