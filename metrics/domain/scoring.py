"""Scoring measures against targets: status, trend, trajectory, city composite and noise.

Pure pandas/numpy: no Streamlit, no database, so the same numbers appear on the page,
in exports and in tests. Statuses that are not a judgement on performance (`no_target`,
`stale`, `no_data`) are explicit values, never folded into green, because a dashboard
that shows "on track" for a measure nobody has reported in a year misleads the public.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import pandas as pd

from metrics.domain import periods, text
from metrics.domain.vocabulary import SCORED_STATUSES, STATUSES, StatusStyle  # noqa: F401 - re-exported for callers

DEFAULT_CAP = 1.25
DEFAULT_GRACE_DAYS: dict[str, int] = {"day": 7, "month": 45, "quarter": 45, "year": 120, "fiscal_year": 120}
MIN_PROJECTION_POINTS = 4
_EPS = 1e-9



STATUS_COLUMNS = ["measure_id", "period", "actual", "target", "tolerance", "status", "score",
                  "change_prev", "change_prev_pct", "change_yoy", "change_yoy_pct"]


def _sign(direction: str) -> int:
    """+1 when higher is better, -1 when lower is better; anything else is a data error."""
    if direction not in ("higher", "lower"):
        raise ValueError(f"direction must be 'higher' or 'lower', not {direction!r}")
    return 1 if direction == "higher" else -1


def _signs(direction: str | Iterable[str], n: int, needed: np.ndarray) -> np.ndarray:
    """_sign per element (+1.0/-1.0, 0.0 where unknown); where `needed`, an unknown direction raises
    _sign's own error, as the scalar rules would on the first such element (elsewhere they never ask)."""
    ways = np.broadcast_to(np.asarray(direction, dtype=object), (n,))
    sign = np.where(ways == "higher", 1.0, np.where(ways == "lower", -1.0, 0.0))
    bad = needed & (sign == 0)
    if bad.any():
        _sign(ways[int(np.argmax(bad))])
    return sign


def _floats(x: object, n: int | None = None) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    return a if n is None else np.broadcast_to(a, (n,))


@dataclass(frozen=True)
class Target:
    value: float
    tolerance: float
    effective_from: pd.Timestamp | None
    effective_to: pd.Timestamp | None


def target_for(targets: pd.DataFrame | None, measure_id: object, period_end: date | pd.Timestamp | str
               ) -> Target | None:
    """The target in force when a period ended.

    Judging a 2018 result against a target adopted in 2022 would be unfair, so the target
    is the one whose [effective_from, effective_to] (inclusive, open end allowed) contains
    the period's END date; when ranges overlap the most recently adopted one wins.
    """
    if targets is None or targets.empty:
        return None
    return target_lookup(targets[targets["measure_id"] == measure_id])(measure_id, pd.Timestamp(period_end).normalize())


def measure_status(actual: float | None, target: float | None, direction: str = "higher",
                   tolerance: float = 0.0) -> str:
    """on_track / at_risk / off_track for one value, or no_data / no_target when it can't be judged.

    A miss of exactly tolerance*|target| is still at_risk ("no more than"), so a
    department that lands on the edge of its stated tolerance isn't marked red.
    """
    if actual is None or pd.isna(actual):
        return "no_data"
    if target is None or pd.isna(target):
        return "no_target"
    shortfall = (target - actual) * _sign(direction)  # > 0 means the target was missed
    if shortfall <= 0:
        return "on_track"
    allowed = abs(tolerance or 0.0) * abs(target)
    if shortfall <= allowed + _EPS * max(1.0, abs(target)):
        return "at_risk"
    return "off_track"


def score_ratio(actual: float, target: float, direction: str = "higher", cap: float = DEFAULT_CAP) -> float:
    """Performance as a fraction of target (1.0 = exactly on target), clipped to [0, cap].

    The cap stops one measure that wildly beats its target from hiding several misses in
    the composite. Ratios assume non-negative measures. Edge cases, chosen so the score
    still reads as "how close to the target":
    - lower is better and actual == 0 (e.g. zero fatalities against a target of 5): cap.
    - target == 0: exactly meeting it scores 1.0, beating it scores cap, missing it 0.0
      (a ratio to zero is meaningless, and "Vision Zero" goals are pass/fail).
    """
    if pd.isna(actual) or pd.isna(target):
        return math.nan
    sign = _sign(direction)
    if target == 0:
        gap = (actual - target) * sign
        return 1.0 if gap == 0 else (cap if gap > 0 else 0.0)
    ratio = actual / target if sign > 0 else (cap if actual == 0 else target / actual)
    return float(min(max(ratio, 0.0), cap))


def measure_statuses(actual: Iterable[float], target: Iterable[float], direction: str | Iterable[str] = "higher",
                     tolerance: float | Iterable[float] = 0.0) -> np.ndarray:
    """measure_status on arrays (NaN for a missing actual or target): the same rule, element by element.

    For the stored scores of every period of every measure (domain.rollup), where a Python call
    per row costs seconds on a big city; tests/test_scoring.py checks it equals measure_status.
    """
    a = _floats(actual)
    t, tol = _floats(target, len(a)), _floats(tolerance, len(a))
    judged = ~np.isnan(a) & ~np.isnan(t)
    sign = _signs(direction, len(a), judged)
    with np.errstate(invalid="ignore"):
        shortfall = (t - a) * sign
        edge = np.abs(tol) * np.abs(t) + _EPS * np.maximum(1.0, np.abs(t))
    return np.select([np.isnan(a), np.isnan(t), shortfall <= 0, shortfall <= edge],
                     ["no_data", "no_target", "on_track", "at_risk"], "off_track").astype(object)


def score_ratios(actual: Iterable[float], target: Iterable[float], direction: str | Iterable[str] = "higher",
                 cap: float = DEFAULT_CAP) -> np.ndarray:
    """score_ratio on arrays, the same edge cases in the same order (see score_ratio for why).

    max/min are written as the comparisons Python's built-ins make, so a NaN or a signed zero
    comes out as score_ratio's would; tests/test_scoring.py checks it equals score_ratio.
    """
    a = _floats(actual)
    t = _floats(target, len(a))
    judged = ~np.isnan(a) & ~np.isnan(t)
    sign = _signs(direction, len(a), judged)
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = (a - t) * sign
        at_zero = np.where(gap == 0, 1.0, np.where(gap > 0, cap, 0.0))
        ratio = np.where(sign > 0, a / t, np.where(a == 0, cap, t / a))
    ratio = np.where(0.0 > ratio, 0.0, ratio)  # max(ratio, 0.0)
    ratio = np.where(cap < ratio, cap, ratio)  # min(..., cap)
    return np.where(judged, np.where(t == 0, at_zero, ratio), math.nan).astype(float)


def _grace(grain: str, grace_days: int | Mapping[str, int] | None) -> int:
    return grace_days if isinstance(grace_days, int) else {**DEFAULT_GRACE_DAYS, **(grace_days or {})}[grain]


def due_date(period: str, period_end: date | pd.Timestamp | None = None,
             grace_days: int | Mapping[str, int] | None = None) -> pd.Timestamp:
    """The date by which the NEXT period's figure should have arrived (end + one period + grace)."""
    _prev, _yoy, grain, length = _label_facts(str(period))
    end = pd.Timestamp(periods.parse(period).end if period_end is None or pd.isna(period_end) else period_end)
    return _due(end, grain, length, grace_days)


def _due(end: pd.Timestamp, grain: str, length: pd.Timedelta, grace_days: int | Mapping[str, int] | None
         ) -> pd.Timestamp:
    """The stale rule itself: the period's end, one more period, then the grain's grace."""
    return end.normalize() + length + _grace_delta(grain, grace_days)


def _grace_delta(grain: str, grace_days: int | Mapping[str, int] | None) -> pd.Timedelta:
    return pd.Timedelta(days=_grace(grain, grace_days))


def is_stale(period: str, as_of: date | pd.Timestamp | str, period_end: date | pd.Timestamp | None = None,
             grace_days: int | Mapping[str, int] | None = None) -> bool:
    """True when a measure's latest period is more than a reporting cycle (plus grace) overdue."""
    return bool(due_date(period, period_end, grace_days) < pd.Timestamp(as_of))


def _aggregate_obs(observations: pd.DataFrame) -> pd.DataFrame:
    """Aggregate rows with a value, plus a Timestamp `_end` column, one row per measure/period."""
    obs = observations
    if "dimension" in obs:
        obs = obs[obs["dimension"].fillna("") == ""]
    obs = obs[obs["value"].notna()].copy()
    ends = pd.to_datetime(obs["period_end"]) if "period_end" in obs else pd.Series(pd.NaT, index=obs.index)
    missing = ends.isna()
    if missing.any():
        ends[missing] = [pd.Timestamp(periods.parse(p).end) for p in obs.loc[missing, "period"]]
    obs["_end"] = ends
    return obs.drop_duplicates(["measure_id", "period"], keep="last")


def _pct(change: float, base: float) -> float:
    return math.nan if pd.isna(change) or pd.isna(base) or base == 0 else 100.0 * change / abs(base)


def _pcts(change: np.ndarray, base: np.ndarray) -> np.ndarray:
    """_pct on arrays (tests/test_scoring.py checks it equals _pct)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 100.0 * change / np.abs(base)
    return np.where(np.isnan(change) | np.isnan(base) | (base == 0), math.nan, out)


@lru_cache(maxsize=4096)
def _label_facts(label: str) -> tuple[str, str, str, pd.Timedelta]:
    """(previous label, same period last year, grain, length to the next period's end), cached:
    a city has thousands of measures but only a few dozen distinct latest periods."""
    this = periods.parse(label)
    length = pd.Timestamp(periods.parse(periods.shift(label, 1)).end) - pd.Timestamp(this.end)
    return periods.shift(label, -1), periods.same_period_last_year(label), this.grain, length


def target_lookup(targets: pd.DataFrame | None):
    """The target rule, prepared once: measure id -> candidate rows, then a cheap scan per measure."""
    by_measure: dict[object, list[tuple]] = {}
    if targets is not None and not targets.empty:
        frm = pd.to_datetime(targets["effective_from"])
        to = pd.to_datetime(targets["effective_to"])
        tol = targets["tolerance"] if "tolerance" in targets else pd.Series(0.0, index=targets.index)
        for mid, f, t, v, tl in zip(targets["measure_id"], frm, to, targets["value"], tol, strict=True):
            by_measure.setdefault(mid, []).append((f, t, float(v), 0.0 if pd.isna(tl) else float(tl)))

    def lookup(mid: object, end: pd.Timestamp) -> Target | None:
        best = None
        for f, t, v, tl in by_measure.get(mid, ()):
            if (pd.isna(f) or f <= end) and (pd.isna(t) or t >= end):
                # latest effective_from wins, ties go to the later row
                if best is None or pd.isna(best[0]) or (not pd.isna(f) and f >= best[0]):
                    best = (f, t, v, tl)
        if best is None:
            return None
        f, t, v, tl = best
        return Target(v, tl, None if pd.isna(f) else f, None if pd.isna(t) else t)

    return lookup


def targets_in_force(targets: pd.DataFrame | None, measure_ids: pd.Series, ends: pd.Series
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """target_lookup for many (measure, period end) pairs: (value, tolerance, found), NaN where none.

    Which of a measure's targets are in force changes only at the first end on or after one's
    effective_from and the first end after one's effective_to. So target_lookup itself (the one
    rule: ranges, open ends, the latest start winning, ties to the later row) is asked once per
    such end and measure, and every pair takes the answer at the last of its measure's change
    points on or before its end (merge_asof by measure): a few calls per target instead of one
    per period of a city's whole history.
    """
    n = len(ends)
    value, tolerance, found = np.full(n, math.nan), np.full(n, math.nan), np.zeros(n, bool)
    if targets is None or targets.empty or n == 0:
        return value, tolerance, found
    codes, ids = pd.factorize(pd.Series(measure_ids).to_numpy(), use_na_sentinel=False)
    code_of = dict(zip(ids.tolist(), range(len(ids)), strict=True))  # dict equality, as target_lookup's
    stamps = pd.DatetimeIndex(ends).to_numpy()
    days = np.unique(stamps)  # the distinct ends, sorted: a few hundred however many measures
    day_ts = list(pd.DatetimeIndex(days))
    changes: dict[object, set[int]] = {}
    for mid, f, t in zip(targets["measure_id"], pd.to_datetime(targets["effective_from"]),
                         pd.to_datetime(targets["effective_to"]), strict=True):
        if mid not in code_of:
            continue
        at = changes.setdefault(mid, {0})
        if not pd.isna(f):
            at.add(bisect.bisect_left(day_ts, f))
        if not pd.isna(t):
            at.add(bisect.bisect_right(day_ts, t))
    lookup = target_lookup(targets)
    seg = [(code_of[mid], i, *((hit.value, hit.tolerance, True) if (hit := lookup(mid, day_ts[i])) else
                               (math.nan, math.nan, False)))
           for mid, at in changes.items() for i in sorted(at) if i < len(days)]
    if not seg:  # no target for any of these measures
        return value, tolerance, found
    right = pd.DataFrame(seg, columns=["_m", "_d", "value", "tolerance", "found"]).sort_values("_d", kind="stable")
    left = pd.DataFrame({"_m": codes, "_d": np.searchsorted(days, stamps), "_row": np.arange(n)})
    hit = pd.merge_asof(left.sort_values("_d", kind="stable"), right, on="_d", by="_m", direction="backward")
    hit = hit.dropna(subset=["found"])
    rows = hit["_row"].to_numpy()
    value[rows] = hit["value"].to_numpy(float)
    tolerance[rows] = hit["tolerance"].to_numpy(float)
    found[rows] = hit["found"].to_numpy(bool)
    return value, tolerance, found


@dataclass(frozen=True)
class _Prepared:
    """Aggregate observations as plain arrays sorted by (measure, period end): cheap to replay at many dates."""
    mids: np.ndarray
    labels: np.ndarray
    ends: np.ndarray  # datetime64[ns]
    values: np.ndarray


def _prepare(observations: pd.DataFrame) -> _Prepared:
    obs = _aggregate_obs(observations)
    obs = obs.assign(_label=obs["period"].astype(str)).sort_values(["measure_id", "_end"], kind="stable")
    return _Prepared(obs["measure_id"].to_numpy(object), obs["_label"].to_numpy(object),
                     obs["_end"].to_numpy("datetime64[ns]"), obs["value"].to_numpy(float))


def _records(measures: pd.DataFrame) -> list[dict]:
    """The few measure columns latest_status needs, as plain Python (no per-cell pandas boxing)."""
    cols = {c: (measures[c].tolist() if c in measures.columns else [None] * len(measures))
            for c in ("id", "name", "unit", "direction", "frequency")}
    return [dict(zip(cols, vals, strict=True)) for vals in zip(*cols.values(), strict=True)]


def _status_at(records: list[dict], has_direction: bool, prep: _Prepared, target_of, as_of: pd.Timestamp,
               cap: float, grace_days: int | Mapping[str, int] | None) -> pd.DataFrame:
    keep = prep.ends <= as_of.to_datetime64()
    mids, labels, ends, vals = prep.mids[keep], prep.labels[keep], prep.ends[keep], prep.values[keep]
    values = dict(zip(zip(mids.tolist(), labels.tolist(), strict=True), vals.tolist(), strict=True))
    last = np.r_[mids[1:] != mids[:-1], True] if len(mids) else np.zeros(0, bool)  # sorted: last row per measure
    latest = dict(zip(mids[last].tolist(), zip(labels[last].tolist(), ends[last].tolist(), vals[last].tolist(),
                                               strict=True), strict=True))
    rows = []
    nan_cols = {c: math.nan for c in STATUS_COLUMNS[2:] if c != "status"}
    for m in records:
        mid = m["id"]
        direction = m["direction"] if has_direction else "higher"
        row = {"measure_id": mid, "name": m.get("name"), "unit": m.get("unit"), "direction": direction,
               "frequency": m.get("frequency"), "period": None, "period_end": pd.NaT,
               **nan_cols, "status": "no_data"}
        hit = latest.get(mid)
        if hit is not None:
            label, end, actual = hit
            end = pd.Timestamp(end, unit="ns") if isinstance(end, int) else pd.Timestamp(end)
            prev_label, yoy_label, grain, length = _label_facts(label)
            prev = values.get((mid, prev_label), math.nan)
            yoy = values.get((mid, yoy_label), math.nan)
            t = target_of(mid, end)
            status = measure_status(actual, t.value if t else None, direction, t.tolerance if t else 0.0)
            if _due(end, grain, length, grace_days) < as_of:  # is_stale, with the period facts cached
                status = "stale"
            row.update(period=label, period_end=end, actual=float(actual), status=status,
                       target=t.value if t else math.nan, tolerance=t.tolerance if t else math.nan,
                       score=score_ratio(actual, t.value, direction, cap) if t else math.nan,
                       change_prev=actual - prev, change_prev_pct=_pct(actual - prev, prev),
                       change_yoy=actual - yoy, change_yoy_pct=_pct(actual - yoy, yoy))
        rows.append(row)
    extra = ["name", "unit", "direction", "frequency", "period_end"]
    return pd.DataFrame(rows, columns=STATUS_COLUMNS + extra)


def latest_status(measures: pd.DataFrame, observations: pd.DataFrame, targets: pd.DataFrame | None,
                  as_of: date | pd.Timestamp | str, *, cap: float = DEFAULT_CAP,
                  grace_days: int | Mapping[str, int] | None = None) -> pd.DataFrame:
    """One row per measure: its latest period (ending on or before as_of), status, score and trend.

    Only aggregate rows (dimension == '') count, so a breakdown by ward can't masquerade
    as the city figure. Periods ending after as_of are ignored so the same call can
    replay history (see composite_series). Percent changes are in percent (5.0 = 5%).
    Extra columns for display: name, unit, direction, frequency, period_end.
    One sort and one pass over plain arrays, with period arithmetic cached per label and
    targets grouped once, so 1,000 measures take milliseconds, not seconds.
    """
    return _status_at(_records(measures), "direction" in measures.columns, _prepare(observations),
                      target_lookup(targets), pd.Timestamp(as_of), cap, grace_days)


@dataclass(frozen=True)
class Projection:
    slope_per_year: float
    slope_per_period: float
    grain: str | None
    projected: float
    uncertainty: float  # half-width of a ~95% prediction interval at target_date
    target_value: float
    target_date: pd.Timestamp
    will_meet: bool | None
    n_points: int
    sentence: str


def _history_dates(index: pd.Index) -> tuple[pd.DatetimeIndex, str | None]:
    """Period labels -> their end dates (and grain); dates pass through with a guessed grain."""
    if len(index) and isinstance(index[0], str):
        grain = periods.grain_of(index[0])
        return pd.DatetimeIndex([pd.Timestamp(periods.parse(x).end) for x in index]), grain
    dates = pd.DatetimeIndex(pd.to_datetime(index))
    if len(dates) < 2:
        return dates, None
    gap = float(pd.Series(dates.sort_values()).diff().dt.days.median())
    guesses = [("day", 0.5, 1.5), ("month", 26, 35), ("quarter", 85, 95), ("year", 360, 370)]
    return dates, next((g for g, lo, hi in guesses if lo <= gap <= hi), None)


def _when(x: date | pd.Timestamp | str) -> tuple[str, pd.Timestamp]:
    """A period label (meaning: the end of that period) or a date -> (display label, timestamp)."""
    if isinstance(x, str):
        try:
            return x, pd.Timestamp(periods.parse(x).end)
        except periods.PeriodError:
            pass
    ts = pd.Timestamp(x)
    return ts.strftime("%Y-%m-%d"), ts


def _years(ts: pd.Timestamp) -> float:
    """Time in years, exact at month ends, so quarterly periods are evenly spaced for the fit."""
    return (ts.year * 12 + ts.month - 1 + ts.day / ts.days_in_month) / 12


def fmt_number(x: float, signed: bool = False) -> str:
    """Numbers in sentences: the one formatter (text.number), 'n/a' when missing."""
    return "n/a" if pd.isna(x) else text.number(x, signed=signed)


def projection(history: pd.Series, target_value: float, target_date: date | pd.Timestamp | str,
               direction: str = "higher", unit: str = "", *, goal_phrase: str | None = None) -> Projection:
    """Straight-line projection of recent history to the target date.

    A linear fit is deliberately simple: residents can follow "at the current pace", and
    the ±1.96 standard-error band (widened the further we extrapolate) shows how much
    to trust it. With fewer than 4 points will_meet is None rather than a guess. `goal_phrase`
    names what is aimed at in the caller's words ("the goal of 90% by 2026-12-31", "the quarterly
    target of 645 units"); the default is "the goal of X by DATE".
    """
    h = history.dropna().astype(float)
    dates, grain = _history_dates(h.index)
    target_label, target_ts = _when(target_date)
    n = len(h)
    goal = goal_phrase or f"the goal of {fmt_number(target_value)} by {target_label}"
    x = np.array([_years(d) for d in dates], dtype=float)
    slope = projected = half = math.nan
    if n >= 2 and np.ptp(x) > 0:
        xm = float(x.mean())  # centre x so the fit is well conditioned (years are ~2000)
        slope, intercept = (float(c) for c in np.polyfit(x - xm, h.to_numpy(float), 1))
        x0 = _years(target_ts) - xm
        projected = slope * x0 + intercept
        if n > 2:
            resid = h.to_numpy(float) - (slope * (x - xm) + intercept)
            s = math.sqrt(float(np.sum(resid ** 2)) / (n - 2))
            half = 1.96 * s * math.sqrt(1 + 1 / n + x0 ** 2 / float(np.sum((x - xm) ** 2)))
    pace = slope / (periods.periods_per_year(grain) if grain else 1)
    will_meet = None
    if n < MIN_PROJECTION_POINTS or pd.isna(slope):
        sentence = (f"Only {n} data point{'s' * (n != 1)} so far: at least {MIN_PROJECTION_POINTS} are "
                    f"needed to say whether {goal} will be met.")
    else:
        will_meet = bool((projected - target_value) * _sign(direction) >= 0)
        pace_text = (f"{fmt_number(pace, signed=True)}{'' if unit in ('', '%') else ' '}{unit} "
                     f"a {(grain or 'year').replace('_', ' ')}")
        band = "" if pd.isna(half) else f" ± {fmt_number(half)}"
        sentence = (f"At the current pace ({pace_text}) {goal} will {'' if will_meet else 'not '}be met "
                    f"(projected {fmt_number(projected)}{band}).")
        if not pd.isna(half) and abs(projected - target_value) < half:
            sentence += " The range includes the goal, so this is not certain."
    return Projection(slope, pace, grain, projected, half, target_value, target_ts, will_meet, n, sentence)


@dataclass(frozen=True)
class Composite:
    score: float
    n_scored: int
    stale_excluded: int
    no_target_excluded: int
    contributions: pd.DataFrame  # measure_id, name, status, score, weight, contribution; worst first
    no_data_excluded: int = 0


def composite_from_status(status: pd.DataFrame, weights: pd.Series | None = None,
                          cap: float = DEFAULT_CAP) -> Composite:
    """CityScore-style weighted mean of capped per-measure scores, from latest_status output.

    Stale and target-less measures are excluded but counted, so the headline can say
    "based on 38 measures; 4 stale, 6 without targets" instead of silently shrinking.
    contribution = weight*(score-1)/sum(weights): the contributions add up to score-1,
    so the most negative rows are exactly the measures pulling the city below target.
    """
    scored = status[status["status"].isin(SCORED_STATUSES) & status["score"].notna()]
    w = pd.Series(1.0, index=scored.index)
    if weights is not None:
        w = scored["measure_id"].map(weights).fillna(1.0).astype(float)
        if (w < 0).any():
            raise ValueError("weights must be non-negative")
    s = scored["score"].astype(float).clip(upper=cap)
    total = float(w.sum())
    contrib = pd.DataFrame({
        "measure_id": scored["measure_id"], "name": scored.get("name"), "status": scored["status"],
        "score": s, "weight": w, "contribution": w * (s - 1) / total if total else math.nan,
    }).sort_values(["contribution", "score"], kind="stable").reset_index(drop=True)
    counts = status["status"].value_counts()
    return Composite(score=float((w * s).sum() / total) if total else math.nan, n_scored=len(scored),
                     stale_excluded=int(counts.get("stale", 0)),
                     no_target_excluded=int(counts.get("no_target", 0)), contributions=contrib,
                     no_data_excluded=int(counts.get("no_data", 0)))


def composite(measures: pd.DataFrame, observations: pd.DataFrame, targets: pd.DataFrame | None,
              as_of: date | pd.Timestamp | str, *, weights: pd.Series | None = None, cap: float = DEFAULT_CAP,
              grace_days: int | Mapping[str, int] | None = None) -> Composite:
    """The city-wide score as it stood on as_of (see composite_from_status for the rules)."""
    status = latest_status(measures, observations, targets, as_of, cap=cap, grace_days=grace_days)
    return composite_from_status(status, weights, cap)


def composite_series(measures: pd.DataFrame, observations: pd.DataFrame, targets: pd.DataFrame | None,
                     as_of: Iterable[date | pd.Timestamp | str], *, weights: pd.Series | None = None,
                     cap: float = DEFAULT_CAP, grace_days: int | Mapping[str, int] | None = None
                     ) -> pd.DataFrame:
    """The composite replayed at each as-of point, so the Overview can show its movement.

    Items may be dates or period labels (a label means "as of the end of that period",
    e.g. periods.period_range('2023-01', '2024-06') for a monthly series). Columns:
    label, as_of, score, n_scored, stale_excluded, no_target_excluded, no_data_excluded.
    """
    rows = []
    records, has_direction = _records(measures), "direction" in measures.columns
    prep, target_of = _prepare(observations), target_lookup(targets)  # once, not once per as-of point
    for item in as_of:
        label, ts = _when(item)
        status = _status_at(records, has_direction, prep, target_of, ts, cap, grace_days)
        c = composite_from_status(status, weights, cap)
        rows.append({"label": label, "as_of": ts, "score": c.score,
                     "n_scored": c.n_scored, "stale_excluded": c.stale_excluded,
                     "no_target_excluded": c.no_target_excluded, "no_data_excluded": c.no_data_excluded})
    return pd.DataFrame(rows, columns=["label", "as_of", "score", "n_scored", "stale_excluded",
                                       "no_target_excluded", "no_data_excluded"])


class Movers(NamedTuple):
    improvers: pd.DataFrame
    decliners: pd.DataFrame


def movers(status: pd.DataFrame, n: int = 5, basis: str = "prev") -> Movers:
    """Top improvers and decliners from latest_status, by direction-adjusted percent change.

    `improvement` is positive when the measure got better whatever its direction (a 10%
    drop in response time is +10), so one ranking works across measures. Percent change
    keeps measures in different units comparable; basis='yoy' compares with a year ago,
    which ignores seasonality. Stale and no-data measures are left out.
    """
    col = {"prev": "change_prev_pct", "yoy": "change_yoy_pct"}[basis]
    df = status[~status["status"].isin(["stale", "no_data"]) & status[col].notna()].copy()
    df["improvement"] = df[col].astype(float) * df["direction"].map(_sign).astype(float)  # empty-safe
    improvers = df[df["improvement"] > 0].sort_values("improvement", ascending=False, kind="stable")
    decliners = df[df["improvement"] < 0].sort_values("improvement", kind="stable")
    return Movers(improvers.head(n).reset_index(drop=True), decliners.head(n).reset_index(drop=True))


# The pieces of the rules above that metrics.domain.rollup reuses to judge each period once, at
# commit time, and to apply the day-dependent part (stale, cap) when read.
of_aggregates = _aggregate_obs
label_facts = _label_facts
pct = _pct
pcts = _pcts
grace_delta = _grace_delta
when = _when
