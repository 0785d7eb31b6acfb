"""What Works Cities (WWC) certification: criteria status, level reached, shortest path, next steps.

Pure logic only: DataFrames in, DataFrames and dataclasses out; no streamlit and no database, so the
page, the CLI (`python -m metrics criteria`) and the DB writer all agree on one set of rules.
Thresholds and core criteria live in `data/wwc_levels.toml` (sourced in `data/wwc_levels.md`), because
WWC revises its standard and a new standard should be an edit to configuration, not to code.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from metrics.domain import periods, scoring
from metrics.domain.vocabulary import STATUSES as MEASURE_STATUSES
from metrics.domain.vocabulary import WWC_STATUSES

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEFAULT_LEVELS_PATH = DATA_DIR / "wwc_levels.toml"
DEFAULT_CRITERIA_PATH = DATA_DIR / "wwc_criteria.csv"

STATUSES = WWC_STATUSES  # labels: vocabulary.WWC_STATUS_LABELS / WWC_STATUS_TEXT
NOTE_MAX_CHARS = 4000
URL_MAX_CHARS = 2000
EVIDENCE_MAX_ITEMS = 50
EVIDENCE_REF_KINDS = ("measure", "goal")  # internal evidence written as `measure:ID` / `goal:ID`

# An indicator at or above this share is reported as "suggests met"; below it, as a gap to close.
SUGGEST_MIN_SHARE = 0.8
# A measure is stale when no period ending within this many periods after its last one has been loaded
# (one period to elapse plus one period of reporting lag).
TARGET_REVIEW_DAYS = 365
INACTIVE_MEASURE_STATES = frozenset({"retired", "archived", "inactive", "deleted"})

# Which criteria each data indicator speaks to, chosen by reading the descriptions in wwc_criteria.csv.
INDICATOR_CRITERIA: dict[str, tuple[str, ...]] = {
    # PA-01: "sets strategic goals, ties a varied set of performance measures to them"
    "goals_with_outcome_measure": ("PA-01",),
    # OD-03: "releases its open data through a single, central public website";
    # PA-03: "regularly reports its strategic goals, performance measures and progress ... to the public"
    "measures_public": ("OD-03", "PA-03"),
    # DM-08: "collects and analyzes data broken down by geography and demographic group"
    "measures_disaggregated": ("DM-08",),
    # PA-02: quarterly performance meetings need current data; DM-04: finding and fixing data problems
    "measures_on_schedule": ("PA-02", "DM-04"),
    # DM-02: "a detailed, current catalogue of its datasets ... properly stewarded"
    "inventory_complete": ("DM-02",),
    # PA-02: leaders "make decisions about strategic goals" -- targets revisited at least yearly
    "targets_reviewed_last_year": ("PA-02",),
}
_INDICATOR_LABELS = {
    "goals_with_outcome_measure": "goals with at least one outcome measure",
    "measures_public": "measures published publicly",
    "measures_disaggregated": "measures with disaggregated data",
    "measures_on_schedule": "measures updated on schedule",
    "inventory_complete": "measures with owner, data source and methodology",
    "targets_reviewed_last_year": f"targets reviewed in the last {TARGET_REVIEW_DAYS} days",
}


@dataclass(frozen=True)
class LevelConfig:
    """One certification standard: its levels (ascending by min_share) and the core criteria."""

    version: str
    levels: tuple[tuple[str, float], ...]
    core: tuple[str, ...]
    criteria_count: int = 43

    def needed(self, level: str, total: int) -> int:
        """Criteria that must be met for `level` out of `total`."""
        return criteria_needed(dict(self.levels)[level], total)


@dataclass(frozen=True, eq=False)
class Assessment:
    """Where the city stands. `level` is None when not certified; `share_level` ignores the core rule,
    so a page can say "your share earns Platinum, but LC-01 is missing"."""

    met: int
    total: int
    share: float
    core_met: int
    core_missing: tuple[str, ...]
    level: str | None
    share_level: str | None
    next_level: str | None
    needed_for_next: int
    by_practice: pd.DataFrame


def criteria_needed(min_share: float, total: int) -> int:
    """ceil(min_share * total) in exact arithmetic: 0.51*43 -> 22, 0.68*43 -> 30, 0.85*43 -> 37.

    Fraction(str(...)) avoids float noise such as 0.68*25 == 17.000000000000004 rounding up to 18.
    """
    return math.ceil(Fraction(str(min_share)) * total)


def load_levels(path: str | Path | None = None) -> LevelConfig:
    """Read the thresholds file; defaults to the repo's `data/wwc_levels.toml`."""
    with open(path or DEFAULT_LEVELS_PATH, "rb") as fh:
        raw = tomllib.load(fh)
    levels = tuple(sorted(((str(lv["name"]), float(lv["min_share"])) for lv in raw["levels"]),
                          key=lambda x: x[1]))
    if not levels or any(not 0 < share <= 1 for _, share in levels):
        raise ValueError(f"{path or DEFAULT_LEVELS_PATH}: every level needs 0 < min_share <= 1")
    return LevelConfig(version=str(raw["version"]), levels=levels, core=tuple(raw["core"]),
                       criteria_count=int(raw.get("criteria_count", 43)))


def load_criteria_csv(path: str | Path | None = None, config: LevelConfig | None = None) -> pd.DataFrame:
    """The criteria list with `confirmed` and `is_core` as booleans; raises ValueError if malformed,
    because a wrong count would silently shift every level threshold."""
    config = config or load_levels()
    path = path or DEFAULT_CRITERIA_PATH
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    cols = ["practice", "code", "criterion", "description", "confirmed"]
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    df = df[cols].apply(lambda s: s.str.strip())
    if len(df) != config.criteria_count:
        raise ValueError(f"{path}: expected {config.criteria_count} criteria, found {len(df)}")
    dupes = sorted(df.loc[df["code"].duplicated(), "code"].unique())
    if dupes:
        raise ValueError(f"{path}: duplicate criterion codes {dupes}")
    if (df["code"] == "").any() or (df["practice"] == "").any():
        raise ValueError(f"{path}: every criterion needs a code and a practice")
    unknown_core = sorted(set(config.core) - set(df["code"]))
    if unknown_core:
        raise ValueError(f"{path}: core criteria {unknown_core} are not in the list")
    df["confirmed"] = df["confirmed"].str.lower().isin(["yes", "true", "1"])
    df["is_core"] = df["code"].isin(config.core)
    if "criterion" not in df.columns:
        df["criterion"] = ""
    return df


def validate_status_update(code: str, status: str, evidence_urls: list[str] | tuple[str, ...] = (),
                           note: str | None = None, known_codes: object = (), *,
                           known_measure_ids: object = (), known_goal_ids: object = ()) -> list[str]:
    """Every problem with a proposed status change, as messages for the user; [] means safe to write.

    Evidence is either an http(s) link (anything else -- `javascript:`, `data:`, `ftp:` -- could run or
    smuggle content where the dashboard renders it as a link) or a reference to the city's own data,
    `measure:ID` / `goal:ID`, checked against the ids the caller knows exist.
    """
    errors: list[str] = []
    if code not in set(known_codes):
        errors.append(f"Unknown criterion code {code!r}.")
    if status not in STATUSES:
        errors.append(f"Status {status!r} is not allowed; use one of: {', '.join(STATUSES)}.")
    if note is not None and not isinstance(note, str):
        errors.append("The note must be text.")
    elif note is not None and len(note) > NOTE_MAX_CHARS:
        errors.append(f"The note has {len(note)} characters; the limit is {NOTE_MAX_CHARS}.")
    if isinstance(evidence_urls, str):
        return errors + ["Evidence must be a list of links or references, not a single string."]
    refs = list(evidence_urls or ())
    if len(refs) > EVIDENCE_MAX_ITEMS:
        errors.append(f"{len(refs)} evidence items given; the limit is {EVIDENCE_MAX_ITEMS}.")
    known = {"measure": {str(i) for i in known_measure_ids}, "goal": {str(i) for i in known_goal_ids}}
    for ref in refs:
        errors.extend(_evidence_errors(ref, known))
    return errors


def _evidence_errors(ref: object, known: dict[str, set[str]]) -> list[str]:
    if not isinstance(ref, str) or not ref.strip():
        return ["Evidence items must be non-empty text."]
    shown = ref if len(ref) <= 80 else ref[:77] + "..."
    if len(ref) > URL_MAX_CHARS:
        return [f"Evidence link is longer than {URL_MAX_CHARS} characters: {shown!r}."]
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in ref):
        return [f"Evidence link contains spaces or control characters: {shown!r}."]
    try:
        parts = urlsplit(ref)
        host = parts.hostname
    except ValueError:
        return [f"Evidence link is not a valid URL: {shown!r}."]
    scheme = parts.scheme.lower()
    if scheme in EVIDENCE_REF_KINDS:
        ref_id = ref.split(":", 1)[1]
        if not ref_id:
            return [f"Evidence reference {shown!r} needs an id, like {scheme}:ID."]
        if ref_id not in known[scheme]:
            return [f"Evidence reference {shown!r}: no {scheme} with id {ref_id!r}."]
        return []
    if scheme not in ("http", "https"):
        got = f"'{scheme}:'" if scheme else "no scheme"
        return [f"Evidence link must start with http:// or https:// (got {got}): {shown!r}."]
    if not host:
        return [f"Evidence link has no host name: {shown!r}."]
    return []


def _check_status_df(status_df: pd.DataFrame) -> None:
    missing = [c for c in ("code", "practice", "status") if c not in status_df.columns]
    if missing:
        raise ValueError(f"status table is missing columns {missing}")
    bad = sorted(set(status_df["status"]) - set(STATUSES))
    if bad:
        raise ValueError(f"unknown statuses {bad}; allowed: {STATUSES}")
    dupes = sorted(status_df.loc[status_df["code"].duplicated(), "code"].unique())
    if dupes:
        raise ValueError(f"criteria listed more than once: {dupes}")


def _level_for(met: int, total: int, core_ok: bool, config: LevelConfig) -> str | None:
    """Highest level whose threshold `met` reaches; None below Silver or when a core criterion is missing."""
    if not core_ok:
        return None
    reached = None
    for name, share in config.levels:
        if met >= criteria_needed(share, total):
            reached = name
    return reached


def _next_level(level: str | None, config: LevelConfig) -> str | None:
    names = [name for name, _ in config.levels]
    if level is None:
        return names[0]
    i = names.index(level)
    return names[i + 1] if i + 1 < len(names) else None


def assess(status_df: pd.DataFrame, config: LevelConfig) -> Assessment:
    """Count met criteria, apply the core rule and the share thresholds, and say what the next level needs.

    `needed_for_next` = max(threshold - met, core criteria still missing): meeting a missing core
    criterion also adds one to the count, so the two are not added together.
    """
    _check_status_df(status_df)
    total = len(status_df)
    is_met = status_df["status"].eq("met")
    met = int(is_met.sum())
    met_codes = set(status_df.loc[is_met, "code"])
    core_missing = tuple(c for c in config.core if c not in met_codes)
    level = _level_for(met, total, not core_missing, config)
    nxt = _next_level(level, config)
    needed = 0 if nxt is None else max(config.needed(nxt, total) - met, len(core_missing))

    counts = pd.crosstab(status_df["practice"], status_df["status"]).reindex(columns=list(STATUSES),
                                                                             fill_value=0)
    order = list(dict.fromkeys(status_df["practice"]))  # keep the criteria list's practice order
    by_practice = counts.reindex(order).rename_axis(None, axis=1).reset_index()
    by_practice["total"] = by_practice[list(STATUSES)].sum(axis=1)
    by_practice["share"] = by_practice["met"] / by_practice["total"]
    by_practice = by_practice[["practice", "met", "in_progress", "not_started", "total", "share"]]

    return Assessment(met=met, total=total, share=met / total if total else 0.0,
                      core_met=len(config.core) - len(core_missing), core_missing=core_missing,
                      level=level, share_level=_level_for(met, total, True, config),
                      next_level=nxt, needed_for_next=needed, by_practice=by_practice)


def _ranked_unmet(status_df: pd.DataFrame, config: LevelConfig) -> pd.DataFrame:
    """Unmet criteria, closest-to-done first: core, then in progress, then not started; within each,
    criteria with an owner, then earlier target dates, then the criteria list's own order."""
    df = status_df.loc[status_df["status"] != "met"].copy()
    df["is_core"] = df["code"].isin(config.core)
    if "criterion" not in df.columns:
        df["criterion"] = ""
    owner = df["owner"] if "owner" in df.columns else pd.Series(None, index=df.index, dtype=object)
    df["owner"] = owner
    df["_has_owner"] = owner.fillna("").astype(str).str.strip().ne("")
    raw_due = df["target_date"] if "target_date" in df.columns else pd.Series(None, index=df.index)
    df["target_date"] = pd.to_datetime(raw_due, errors="coerce")
    df["_status_rank"] = df["status"].map({"in_progress": 0, "not_started": 1})
    df = df.sort_values(["is_core", "_status_rank", "_has_owner", "target_date"],
                        ascending=[False, True, False, True], na_position="last", kind="stable")
    return df.drop(columns=["_status_rank"])


def what_if(status_df: pd.DataFrame, config: LevelConfig) -> pd.DataFrame:
    """The fewest unmet criteria that, once met, reach the next level, in the order to tackle them.

    Columns: step, code, criterion, practice, status, owner, target_date, is_core, met_after, reaches
    (the level reached once this and every earlier row are met; None while still short). Empty when the
    city already holds the top level.
    """
    a = assess(status_df, config)
    cols = ["step", "code", "criterion", "practice", "status", "owner", "target_date", "is_core",
            "met_after", "reaches"]
    if a.next_level is None:
        return pd.DataFrame(columns=cols)
    ranked = _ranked_unmet(status_df, config).head(a.needed_for_next).copy()
    ranked["step"] = range(1, len(ranked) + 1)
    ranked["met_after"] = a.met + ranked["step"]
    taken: set[str] = set()
    reaches = []
    for i, code in enumerate(ranked["code"], start=1):
        taken.add(code)
        reaches.append(_level_for(a.met + i, a.total, set(a.core_missing) <= taken, config))
    ranked["reaches"] = pd.Series(reaches, index=ranked.index, dtype=object)  # None, not NaN
    return ranked[cols].reset_index(drop=True)


def next_steps(status_df: pd.DataFrame, config: LevelConfig, n: int = 10, *, as_of: date | None = None,
               suggestions: pd.DataFrame | None = None) -> pd.DataFrame:
    """The assessment's "customised next steps", from the city's own records rather than boilerplate.

    Unmet criteria ranked by: core and not met > on the shortest path to the next level > in progress >
    past its target date > the city's data suggests it may already be met (`suggestions` is the output
    of `suggest_evidence`). Columns: rank, code, criterion, practice, status, owner, target_date, reason.
    """
    as_of = as_of or date.today()
    path = what_if(status_df, config)
    ranked = _ranked_unmet(status_df, config)
    hints: dict[str, str] = {}
    if suggestions is not None and len(suggestions):
        for row in suggestions.loc[suggestions["suggests_met"].astype(bool)].itertuples():
            hints.setdefault(row.code, row.detail)
    ranked["_unlocks"] = ranked["code"].isin(set(path["code"]))
    ranked["_in_progress"] = ranked["status"].eq("in_progress")
    ranked["_overdue"] = ranked["target_date"].lt(pd.Timestamp(as_of)).fillna(False)
    ranked["_suggested"] = ranked["code"].isin(hints)
    flags = ["is_core", "_unlocks", "_in_progress", "_overdue", "_suggested"]
    ranked = ranked.sort_values(flags + ["_has_owner", "target_date"],
                                ascending=[False] * 6 + [True], na_position="last", kind="stable")
    steps = ranked.head(n).copy()
    reaches = path["reaches"].iloc[-1] if len(path) else None
    steps["reason"] = [_reason(r, reaches, len(path), hints) for r in steps.to_dict("records")]
    steps["rank"] = range(1, len(steps) + 1)
    cols = ["rank", "code", "criterion", "practice", "status", "owner", "target_date", "reason"]
    return steps[cols].reset_index(drop=True)


def _reason(row: dict, reaches: str | None, path_len: int, hints: dict[str, str]) -> str:
    """Plain-language why, e.g. "Core criterion: required for any certification; In progress; due ..."."""
    parts = []
    if row["is_core"]:
        parts.append("Core criterion: required for any certification")
    if row["_unlocks"] and reaches:
        parts.append(f"Meeting it reaches {reaches}" if path_len == 1
                     else f"One of {path_len} criteria that together reach {reaches}")
    due = ""
    if not pd.isna(row["target_date"]):
        due = f"due {row['target_date']:%Y-%m-%d}" + (" (overdue)" if row["_overdue"] else "")
    if row["_in_progress"]:
        parts.append("In progress" + (f"; {due}" if due else ""))
    elif due:
        parts.append(due[0].upper() + due[1:])
    if row["_suggested"]:
        parts.append(f"Your data suggests it may be met ({hints[row['code']]})")
    return "; ".join(parts) or "Not started"


def _share(k: int, n: int) -> float:
    return k / n if n else float("nan")


def _blank(s: pd.Series) -> pd.Series:
    return s.isna() | s.astype(str).str.strip().eq("")


def _on_schedule(last_end: object, frequency: object, as_of: date, fiscal_start_month: int,
                 grace_days: Mapping[str, int] | None) -> bool:
    """Not stale by the one stale rule the Overview and the score CLI use (scoring.is_stale)."""
    if pd.isna(last_end) or frequency not in periods.GRAINS:
        return False
    label = periods.label_of(pd.Timestamp(last_end), str(frequency), fiscal_start_month)
    return not scoring.is_stale(label, as_of, pd.Timestamp(last_end), grace_days)


def suggest_evidence(measures: pd.DataFrame, goals: pd.DataFrame, observations_summary: pd.DataFrame,
                     targets: pd.DataFrame, as_of: date, *, min_share: float = SUGGEST_MIN_SHARE,
                     fiscal_start_month: int = periods.DEFAULT_FISCAL_START_MONTH,
                     grace_days: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Indicators from the city's own measure registry that speak to specific criteria.

    Returns one row per (indicator, criterion) with columns code, indicator, value (share, NaN when there
    is nothing to count), detail, suggests_met (value >= min_share). Advice only: a person decides the
    status, because WWC reviewers judge documents and practice, not our counts. Retired/archived
    measures are left out.
    """
    m = measures.loc[~measures["state"].astype(str).str.lower().isin(INACTIVE_MEASURE_STATES)].copy()
    m["id"] = m["id"].astype(str)
    n = len(m)
    obs = observations_summary.assign(measure_id=observations_summary["measure_id"].astype(str))
    obs = obs.drop_duplicates("measure_id", keep="last").set_index("measure_id")
    results: dict[str, tuple[float, str]] = {}

    goal_ids = set(goals["id"].astype(str))
    outcome_goals = set(m.loc[m["kind"].eq("outcome") & m["goal_id"].notna(), "goal_id"].astype(str))
    k = len(goal_ids & outcome_goals)
    results["goals_with_outcome_measure"] = (_share(k, len(goal_ids)),
                                             f"{k} of {len(goal_ids)} goals have at least one outcome measure")

    k = int((m["is_public"].fillna(False).astype(bool) & m["state"].astype(str).eq("published")).sum())
    results["measures_public"] = (_share(k, n), f"{k} of {n} measures are public and published")

    disagg = obs["has_disaggregation"].reindex(m["id"]).fillna(False).astype(bool)
    k = int(disagg.sum())
    results["measures_disaggregated"] = (_share(k, n), f"{k} of {n} measures have disaggregated data")

    last_end = obs["last_period_end"].reindex(m["id"]).to_numpy()
    fresh = [_on_schedule(e, f, as_of, fiscal_start_month, grace_days)
             for e, f in zip(last_end, m["frequency"], strict=True)]
    stale = [mid for mid, ok in zip(m["id"], fresh, strict=True) if not ok]
    k = n - len(stale)
    detail = f"{k} of {n} measures are up to date"
    if stale:
        detail += f"; stale or never loaded: {', '.join(stale[:5])}" + (" ..." if len(stale) > 5 else "")
    results["measures_on_schedule"] = (_share(k, n), detail)

    gaps = {c: int(_blank(m[c]).sum()) for c in ("owner", "data_source", "methodology")}
    k = int((~(_blank(m["owner"]) | _blank(m["data_source"]) | _blank(m["methodology"]))).sum())
    missing = ", ".join(f"{v} lack {c.replace('_', ' ')}" for c, v in gaps.items() if v)
    results["inventory_complete"] = (_share(k, n), f"{k} of {n} measures fully documented"
                                     + (f" ({missing})" if missing else ""))

    t = targets.assign(measure_id=targets["measure_id"].astype(str))
    t = t.loc[t["measure_id"].isin(set(m["id"]))]
    set_at = pd.to_datetime(t["set_at"], utc=True).dt.tz_convert(None)
    last_set = set_at.groupby(t["measure_id"]).max()
    since = pd.Timestamp(as_of - timedelta(days=TARGET_REVIEW_DAYS))
    k, with_targets = int((last_set >= since).sum()), len(last_set)
    results["targets_reviewed_last_year"] = (
        _share(k, with_targets),
        f"{k} of {with_targets} measures with targets had them set or reviewed since {since:%Y-%m-%d}; "
        f"{n - with_targets} measures have no target")

    rows = [{"code": code, "indicator": _INDICATOR_LABELS[ind], "value": value, "detail": detail,
             "suggests_met": bool(value >= min_share) if value == value else False}
            for ind, (value, detail) in results.items() for code in INDICATOR_CRITERIA[ind]]
    return pd.DataFrame(rows, columns=["code", "indicator", "value", "detail", "suggests_met"])


# --- what the Certification page shows -----------------------------------------------------------

_REF_ID = re.compile(r"[A-Za-z0-9_.\-]+")


def is_web_link(ref: object) -> bool:
    try:
        parts = urlsplit(str(ref))
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def evidence_link(ref: object) -> str | None:
    """Where an evidence item can be opened: http(s) links as given, measure:/goal: refs inside the app.
    Anything else (a document name, or a scheme such as javascript:) gets no link."""
    if is_web_link(ref):
        return str(ref)
    kind, _, ref_id = str(ref).partition(":")
    if kind in EVIDENCE_REF_KINDS and _REF_ID.fullmatch(ref_id):
        return f"/{kind}?{kind}={ref_id}"
    return None


GOAL_STATUS_ORDER = tuple(MEASURE_STATUSES)  # on track, at risk, off track, no target, stale, no data


def goal_progress_by_priority(status: pd.DataFrame) -> pd.DataFrame:
    """Per priority: measures in each scoring status, the total and the share on track.

    `status` is overview.measure_status(...) (needs priority_name and status columns).
    Ordered as the priorities first appear in `status`.
    """
    cols = ["priority_name", *GOAL_STATUS_ORDER, "measures", "on_track_share"]
    if status.empty:
        return pd.DataFrame(columns=cols)
    df = status.assign(priority_name=status["priority_name"].fillna("No priority"))
    order = list(dict.fromkeys(df["priority_name"]))
    counts = (pd.crosstab(df["priority_name"], df["status"])
              .reindex(index=order, columns=list(GOAL_STATUS_ORDER), fill_value=0))
    counts["measures"] = counts.sum(axis=1)
    counts["on_track_share"] = counts["on_track"] / counts["measures"]
    return counts.rename_axis(None, axis=1).reset_index()[cols]
