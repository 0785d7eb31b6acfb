"""WWC certification logic: hand-worked cases against the real 43-criterion list and thresholds."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from metrics.domain import certification as cert

CORE = ["DM-01", "LC-01", "PA-01"]


@pytest.fixture(scope="module")
def config() -> cert.LevelConfig:
    return cert.load_levels()


@pytest.fixture(scope="module")
def criteria(config) -> pd.DataFrame:
    return cert.load_criteria_csv(config=config)


def make_status(criteria: pd.DataFrame, met: list[str], in_progress: list[str] = ()) -> pd.DataFrame:
    df = criteria[["code", "practice", "criterion"]].copy()
    df["status"] = "not_started"
    df.loc[df["code"].isin(in_progress), "status"] = "in_progress"
    df.loc[df["code"].isin(met), "status"] = "met"
    return df


def non_core(criteria: pd.DataFrame) -> list[str]:
    return [c for c in criteria["code"] if c not in CORE]


def with_met(criteria, n: int, core: list[str] = CORE, in_progress: int = 0) -> pd.DataFrame:
    """n criteria met: the given core ones plus the first non-core ones in CSV order; then `in_progress`
    more in progress."""
    rest = non_core(criteria)
    k = n - len(core)
    return make_status(criteria, list(core) + rest[:k], rest[k:k + in_progress])


# --- configuration -------------------------------------------------------------------------------

def test_levels_file(config):
    assert config.version == "2022"
    assert config.levels == (("Silver", 0.51), ("Gold", 0.68), ("Platinum", 0.85))
    assert sorted(config.core) == CORE
    assert config.criteria_count == 43


def test_criteria_needed_matches_wwc_levels_md(config):
    assert [config.needed(name, 43) for name, _ in config.levels] == [22, 30, 37]
    assert cert.criteria_needed(0.68, 25) == 17  # 0.68*25 is 17.000000000000004 in floats


def test_load_criteria_csv(criteria):
    assert len(criteria) == 43 and criteria["code"].is_unique
    assert sorted(criteria.loc[criteria["is_core"], "code"]) == CORE
    assert criteria["confirmed"].dtype == bool
    assert criteria["practice"].nunique() == 8


@pytest.mark.parametrize("mutate, message", [
    (lambda df: df.iloc[:42], "expected 43"),
    (lambda df: pd.concat([df.iloc[:42], df.iloc[[0]]]), "duplicate"),
])
def test_load_criteria_csv_rejects_bad_files(tmp_path, config, criteria, mutate, message):
    path = tmp_path / "bad.csv"
    mutate(criteria.drop(columns=["is_core"])).to_csv(path, index=False)
    with pytest.raises(ValueError, match=message):
        cert.load_criteria_csv(path, config)


# --- assess --------------------------------------------------------------------------------------

@pytest.mark.parametrize("n_met, level, next_level, needed", [
    (21, None, "Silver", 1),
    (22, "Silver", "Gold", 8),
    (29, "Silver", "Gold", 1),
    (30, "Gold", "Platinum", 7),
    (36, "Gold", "Platinum", 1),
    (37, "Platinum", None, 0),
    (43, "Platinum", None, 0),
])
def test_levels_by_count(config, criteria, n_met, level, next_level, needed):
    a = cert.assess(with_met(criteria, n_met), config)
    assert (a.met, a.total, a.level, a.next_level, a.needed_for_next) == (n_met, 43, level, next_level, needed)
    assert a.core_met == 3 and a.core_missing == ()


def test_core_missing_blocks_certification(config, criteria):
    a = cert.assess(with_met(criteria, 40, core=["DM-01", "PA-01"]), config)
    assert a.met == 40 and a.core_met == 2 and a.core_missing == ("LC-01",)
    assert a.level is None and a.share_level == "Platinum"
    assert a.next_level == "Silver" and a.needed_for_next == 1


def test_needed_counts_missing_core_without_double_counting(config, criteria):
    # 20 met with no core: Silver needs 22, i.e. 2 more, but all 3 core are missing -> 3.
    a = cert.assess(with_met(criteria, 20, core=[]), config)
    assert a.level is None and a.needed_for_next == 3


def test_points_per_practice(config, criteria):
    df = make_status(criteria, met=["DM-01", "DM-02", "OD-01"], in_progress=["DM-03"])
    bp = cert.assess(df, config).by_practice.set_index("practice")
    assert list(bp.columns) == ["met", "in_progress", "not_started", "total", "share"]
    assert bp.loc["Data Management"].tolist() == [2, 1, 6, 9, pytest.approx(2 / 9)]
    assert bp.loc["Open Data", "met"] == 1 and bp.loc["Open Data", "total"] == 4
    assert bp["total"].sum() == 43 and bp.index[0] == "Data Management"


def test_assess_rejects_bad_tables(config, criteria):
    df = make_status(criteria, met=CORE)
    with pytest.raises(ValueError, match="unknown statuses"):
        cert.assess(df.replace({"status": {"met": "done"}}), config)
    with pytest.raises(ValueError, match="more than once"):
        cert.assess(pd.concat([df, df.iloc[[0]]]), config)


# --- what_if -------------------------------------------------------------------------------------

def test_what_if_from_27_ranks_in_progress_first(config, criteria):
    df = with_met(criteria, 27, in_progress=3)
    in_prog = df.loc[df["status"] == "in_progress", "code"].tolist()
    # Not-started criteria with owners and near dates must still rank after work in progress.
    df["owner"] = None
    df["target_date"] = None
    df.loc[df["status"] == "not_started", ["owner", "target_date"]] = ["Ana", "2026-01-01"]
    df.loc[df["code"] == in_prog[2], ["owner", "target_date"]] = ["Bo", "2026-03-01"]
    df.loc[df["code"] == in_prog[1], ["owner", "target_date"]] = ["Cy", "2026-02-01"]

    plan = cert.what_if(df, config)
    assert len(plan) == 3
    assert plan["status"].eq("in_progress").all()
    assert plan["code"].tolist() == [in_prog[1], in_prog[2], in_prog[0]]  # owner + earlier date first
    assert plan["met_after"].tolist() == [28, 29, 30]
    assert plan["reaches"].tolist() == ["Silver", "Silver", "Gold"]


def test_what_if_puts_missing_core_first(config, criteria):
    plan = cert.what_if(with_met(criteria, 40, core=["DM-01", "PA-01"]), config)
    assert plan["code"].tolist() == ["LC-01"] and plan["reaches"].tolist() == ["Platinum"]


def test_what_if_below_silver_and_at_top(config, criteria):
    plan = cert.what_if(with_met(criteria, 20, core=[]), config)
    assert sorted(plan["code"]) == CORE and plan["reaches"].tolist() == [None, None, "Silver"]
    assert cert.what_if(with_met(criteria, 43), config).empty


# --- next_steps ----------------------------------------------------------------------------------

def test_next_steps_core_first_when_core_missing(config, criteria):
    steps = cert.next_steps(with_met(criteria, 40, core=["DM-01", "PA-01"]), config, as_of=date(2026, 6, 1))
    assert steps.loc[0, "code"] == "LC-01" and steps.loc[0, "rank"] == 1
    assert steps.loc[0, "reason"].startswith("Core criterion: required for any certification")
    assert "Meeting it reaches Platinum" in steps.loc[0, "reason"]
    assert len(steps) == 3  # only 3 unmet criteria
    assert list(steps.columns) == ["rank", "code", "criterion", "practice", "status", "owner",
                                   "target_date", "reason"]


def test_next_steps_order_and_reasons(config, criteria):
    rest = non_core(criteria)
    # 29 met: Gold needs one more; two in progress (one overdue), one with a data suggestion.
    df = make_status(criteria, CORE + rest[:26], in_progress=[rest[26], rest[27]])
    df["owner"] = None
    df["target_date"] = pd.NaT
    df.loc[df["code"] == rest[26], "target_date"] = pd.Timestamp("2026-12-31")
    df.loc[df["code"] == rest[27], "target_date"] = pd.Timestamp("2026-01-31")
    suggestions = pd.DataFrame([{"code": rest[30], "indicator": "x", "value": 1.0,
                                 "detail": "9 of 9 measures are up to date", "suggests_met": True}])
    steps = cert.next_steps(df, config, n=4, as_of=date(2026, 6, 1), suggestions=suggestions)
    # rest[27] is on the shortest path (earlier target date), then the other in-progress one.
    assert steps["code"].tolist() == [rest[27], rest[26], rest[30], rest[28]]
    assert steps.loc[0, "reason"] == ("Meeting it reaches Gold; In progress; due 2026-01-31 (overdue)")
    assert steps.loc[1, "reason"] == "In progress; due 2026-12-31"
    assert steps.loc[2, "reason"] == "Your data suggests it may be met (9 of 9 measures are up to date)"
    assert steps.loc[3, "reason"] == "Not started"


# --- validate_status_update ----------------------------------------------------------------------

KNOWN = dict(known_codes=["DM-01", "PA-01"], known_measure_ids=["housed-households", 7], known_goal_ids=["g1"])


def check(code="DM-01", status="met", evidence=(), note=None):
    return cert.validate_status_update(code, status, list(evidence), note, **KNOWN)


def test_validate_good_input():
    assert check(evidence=["https://data.city.gov/dataset/1", "http://x.org", "measure:housed-households",
                           "measure:7", "goal:g1"], note="Reviewed with the CDO.") == []
    assert check(note="x" * cert.NOTE_MAX_CHARS) == []


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(code="XX-99"), "Unknown criterion code 'XX-99'"),
    (dict(status="done"), "Status 'done' is not allowed"),
    (dict(evidence=["javascript:alert(1)"]), "got 'javascript:'"),
    (dict(evidence=["data:text/html,<script>alert(1)</script>"]), "got 'data:'"),
    (dict(evidence=["ftp://files.city.gov/a.csv"]), "got 'ftp:'"),
    (dict(evidence=["https:///no-host"]), "no host name"),
    (dict(evidence=["www.city.gov/report"]), "got no scheme"),
    (dict(evidence=["https://city.gov/a b"]), "spaces or control characters"),
    (dict(evidence=["measure:unknown"]), "no measure with id 'unknown'"),
    (dict(evidence=["goal:"]), "needs an id"),
    (dict(evidence=["goal:g2"]), "no goal with id 'g2'"),
    (dict(note="x" * (cert.NOTE_MAX_CHARS + 1)), "the limit is 4000"),
])
def test_validate_errors(kwargs, fragment):
    errors = check(**kwargs)
    assert len(errors) == 1 and fragment in errors[0], errors


def test_validate_collects_every_error():
    errors = cert.validate_status_update("XX", "done", ["javascript:x"], "y" * 5000, ["DM-01"])
    assert len(errors) == 4
    assert cert.validate_status_update("DM-01", "met", "https://x.org", None, ["DM-01"])  # str, not list


# --- suggest_evidence ----------------------------------------------------------------------------

@pytest.fixture()
def tiny_city():
    goals = pd.DataFrame({"id": ["g1", "g2", "g3", "g4"], "name": ["Housing", "Safety", "Parks", "Roads"]})
    measures = pd.DataFrame([
        # id, name, kind, goal_id, is_public, state, owner, data_source, methodology, frequency
        ("m1", "Households housed", "outcome", "g1", True, "published", "Ana", "HMIS", "Count", "month"),
        ("m2", "Response time", "outcome", "g2", False, "draft", "Bo", "CAD", "", "quarter"),
        ("m3", "Trees planted", "output", "g3", True, "published", "Cy", "Parks db", "Count", "year"),
        ("m4", "Potholes fixed", "outcome", "g4", True, "retired", "Di", "311", "Count", "month"),
    ], columns=["id", "name", "kind", "goal_id", "is_public", "state", "owner", "data_source", "methodology",
                "frequency"])
    obs = pd.DataFrame({"measure_id": ["m1", "m2", "m3", "m4"],
                        "last_period_end": [date(2026, 5, 31), date(2025, 3, 31), date(2025, 12, 31),
                                            date(2026, 5, 31)],
                        "has_disaggregation": [True, False, False, True]})
    targets = pd.DataFrame({"measure_id": ["m1", "m2", "m2"],
                            "set_at": [datetime(2026, 1, 10, tzinfo=UTC), datetime(2023, 1, 1),
                                       datetime(2024, 1, 1)],
                            "effective_from": [date(2026, 1, 1), date(2023, 1, 1), date(2024, 1, 1)]})
    return measures, goals, obs, targets


def test_suggest_evidence_tiny_city(tiny_city):
    s = cert.suggest_evidence(*tiny_city, as_of=date(2026, 6, 15))
    assert list(s.columns) == ["code", "indicator", "value", "detail", "suggests_met"]
    by = {(r.code, r.indicator): r for r in s.itertuples()}
    goals = by[("PA-01", "goals with at least one outcome measure")]
    assert goals.value == 0.5 and not goals.suggests_met  # g1, g2; g3 output only; g4's measure retired
    assert goals.detail == "2 of 4 goals have at least one outcome measure"
    assert by[("OD-03", "measures published publicly")].value == pytest.approx(2 / 3)
    assert by[("PA-03", "measures published publicly")].value == pytest.approx(2 / 3)
    assert by[("DM-08", "measures with disaggregated data")].value == pytest.approx(1 / 3)
    fresh = by[("DM-04", "measures updated on schedule")]
    assert fresh.value == pytest.approx(2 / 3) and "stale or never loaded: m2" in fresh.detail
    inv = by[("DM-02", "measures with owner, data source and methodology")]
    assert inv.value == pytest.approx(2 / 3) and "1 lack methodology" in inv.detail
    reviewed = s.loc[s["indicator"].str.startswith("targets reviewed")].iloc[0]
    assert reviewed["code"] == "PA-02" and reviewed["value"] == 0.5  # m1 yes; m2's latest is 2024
    assert "1 measures have no target" in reviewed["detail"]
    assert not s["suggests_met"].any()
    assert set(s["code"]) <= {c for codes in cert.INDICATOR_CRITERIA.values() for c in codes}


def test_suggest_evidence_threshold_and_empty_city(tiny_city):
    s = cert.suggest_evidence(*tiny_city, as_of=date(2026, 6, 15), min_share=0.5)
    assert s.loc[s["code"] == "PA-01", "suggests_met"].item()
    measures, goals, obs, targets = (df.iloc[0:0] for df in tiny_city)
    empty = cert.suggest_evidence(measures, goals, obs, targets, as_of=date(2026, 6, 15))
    assert empty["value"].isna().all() and not empty["suggests_met"].any()


def test_known_criteria_codes_in_mapping(criteria):
    codes = set(criteria["code"])
    assert {c for cs in cert.INDICATOR_CRITERIA.values() for c in cs} <= codes
