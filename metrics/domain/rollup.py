"""Scoring split in two: what a write can decide for good, and what only the reading day decides.

`scoring.latest_status` replays every aggregate row of every measure each time a page asks, and
the Overview asks fourteen times (today and the twelve month ends of its movement chart): on a
city of 1,000 measures and fifteen years that is seconds of Python per cold page. But each
period's judgement does not depend on the day it is read: the target in force when it ended,
its status against that target, its score and its change on the previous period and a year
earlier are fixed once its value and the measure's targets and direction are. `score_rows`
computes those at commit time (metrics/store/rollups.py stores them in `measure_scores`);
`status_at` and `series` then pick, per as-of day, each measure's latest row and apply the two
rules that do depend on the day or on the city's settings: staleness (the grace) and the cap.
The same rules as `scoring` are used throughout (at commit time its array forms, which
tests/test_scoring.py checks equal the scalar ones), so the result equals `latest_status` and
`composite_series` from scratch (tests/test_rollups.py checks it after every kind of write).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date

import numpy as np
import pandas as pd

from metrics.domain import scoring

SCORE_COLUMNS = ["measure_id", "period", "period_end", "grain", "next_days", "actual", "target", "tolerance",
                 "status", "score", "change_prev", "change_prev_pct", "change_yoy", "change_yoy_pct"]
_CARRIED = ["actual", "target", "tolerance", "score", "change_prev", "change_prev_pct", "change_yoy",
            "change_yoy_pct"]


def score_rows(measures: pd.DataFrame, observations: pd.DataFrame, targets: pd.DataFrame | None) -> pd.DataFrame:
    """Every aggregate period of `measures` judged as if it were the latest (SCORE_COLUMNS).

    The score is `scoring.score_ratio` without a cap (an infinite one), so the city's cap can
    be applied when read and a change of the setting needs no recomputation. Rows come in the
    observations' order. Every write recomputes these for the measures it touched (all of them
    for the demo build or migration 11: 180,000 periods on a city of 1,000 monthly measures over
    fifteen years), so the rules run on arrays: the array forms of scoring's status, score and
    percent rules, the target in force by scoring.targets_in_force, the previous period and the
    same period a year earlier as a lookup on (measure, label) codes. Period arithmetic is done
    once per distinct label. tests/test_rollups.py checks the frame equals the row-by-row
    original on the demo city and on edge cases.
    """
    direction = dict(zip(measures["id"], measures["direction"] if "direction" in measures.columns
                         else ["higher"] * len(measures), strict=True))
    obs = scoring.of_aggregates(observations)
    obs = obs[obs["measure_id"].isin(direction)]
    if obs.empty:
        return pd.DataFrame([], columns=SCORE_COLUMNS)
    mids = obs["measure_id"].to_numpy(object)
    labels = obs["period"].astype(str).to_numpy(object)
    stamps = pd.to_datetime(obs["_end"])
    actual = obs["value"].astype(float).to_numpy()

    mid_code, mid_ids = pd.factorize(mids, use_na_sentinel=False)
    label_code, label_ids = pd.factorize(labels, use_na_sentinel=False)
    label_ids = pd.Index(label_ids, dtype=object)
    facts = [scoring.label_facts(label) for label in label_ids.tolist()]  # a few hundred distinct labels
    grain = np.array([f[2] for f in facts], dtype=object)[label_code]
    next_days = np.array([int(f[3] / pd.Timedelta(days=1)) for f in facts], dtype=np.int64)[label_code]
    way = np.array([direction[m] for m in mid_ids.tolist()], dtype=object)[mid_code]

    # values[(measure, label)], the last row of a repeated key winning as a dict's assignment would
    row_base = mid_code.astype(np.int64) * (len(label_ids) + 1)  # (measure, label) -> one integer
    key = row_base + label_code
    last = ~pd.Index(key).duplicated(keep="last")
    known, known_value = pd.Index(key[last]), actual[last]

    def value_of(shifted: list[str]) -> np.ndarray:
        """The measure's value at each row's label shifted (previous period, a year earlier), NaN if none."""
        code = label_ids.get_indexer(shifted)[label_code]  # -1: a label no row of this frame has
        at = known.get_indexer(np.where(code >= 0, row_base + code, -1))
        return np.where(at >= 0, known_value[at], np.nan)

    prev, yoy = value_of([f[0] for f in facts]), value_of([f[1] for f in facts])
    target, tolerance, _ = scoring.targets_in_force(targets, obs["measure_id"], stamps)
    change_prev, change_yoy = actual - prev, actual - yoy
    out = pd.DataFrame({
        "measure_id": mids, "period": labels, "period_end": stamps.dt.date.to_numpy(object), "grain": grain,
        "next_days": next_days, "actual": actual, "target": target, "tolerance": tolerance,
        "status": scoring.measure_statuses(actual, target, way, np.where(np.isnan(tolerance), 0.0, tolerance)),
        "score": scoring.score_ratios(actual, target, way, math.inf),
        "change_prev": change_prev, "change_prev_pct": scoring.pcts(change_prev, prev),
        "change_yoy": change_yoy, "change_yoy_pct": scoring.pcts(change_yoy, yoy),
    }, columns=SCORE_COLUMNS)
    return out.infer_objects()  # ids and labels typed as a frame built from Python values would be


def _prepared(rows: pd.DataFrame, grace_days: int | Mapping[str, int] | None) -> pd.DataFrame:
    """Rows sorted by (measure, end) with the day each becomes stale (the stale rule of `scoring`)."""
    rows = rows.assign(period_end=pd.to_datetime(rows["period_end"]).astype("datetime64[ns]")).sort_values(
        ["measure_id", "period_end"], kind="stable").reset_index(drop=True)
    grace = {g: scoring.grace_delta(g, grace_days).days for g in rows["grain"].unique()}
    days = rows["next_days"].astype("int64") + rows["grain"].map(grace).astype("int64")
    due = rows["period_end"].dt.normalize() + pd.to_timedelta(days, unit="D")
    return rows.assign(_due=due)


def _latest(prep: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    kept = prep[prep["period_end"] <= as_of]
    return kept[~kept["measure_id"].duplicated(keep="last")].set_index("measure_id")


def _status(measures: pd.DataFrame, latest: pd.DataFrame, as_of: pd.Timestamp, cap: float) -> pd.DataFrame:
    """latest_status's frame: one row per measure in `measures` order, from each one's latest row."""
    ids = measures["id"]
    got = latest.reindex(ids)
    have = got["period"].notna().to_numpy()
    status = np.where(have, got["status"].astype(object), "no_data")
    status = np.where(have & (got["_due"] < as_of).to_numpy(), "stale", status)
    out = pd.DataFrame({"measure_id": ids.to_numpy(), "period": got["period"].where(have, None).to_numpy()})
    for c in _CARRIED:
        out[c] = got[c].astype(float).to_numpy()
    out["score"] = np.minimum(out["score"], cap)
    out["status"] = status
    extra = {c: (measures[c].to_numpy() if c in measures.columns else None) for c in ("name", "unit", "frequency")}
    out["name"], out["unit"] = extra["name"], extra["unit"]
    out["direction"] = measures["direction"].to_numpy() if "direction" in measures.columns else "higher"
    out["frequency"] = extra["frequency"]
    out["period_end"] = got["period_end"].to_numpy()
    return out[scoring.STATUS_COLUMNS + ["name", "unit", "direction", "frequency", "period_end"]]


def status_at(measures: pd.DataFrame, rows: pd.DataFrame, as_of: date | pd.Timestamp | str, *,
              cap: float = scoring.DEFAULT_CAP, grace_days: int | Mapping[str, int] | None = None) -> pd.DataFrame:
    """`scoring.latest_status` from stored score rows: each measure's latest row ending by `as_of`."""
    ts = pd.Timestamp(as_of)
    prep = _prepared(rows, grace_days)
    return _status(measures, _latest(prep, ts), ts, cap)


def _scored_statuses() -> np.ndarray:
    return np.array(sorted(scoring.SCORED_STATUSES), dtype=object)


def series(measures: pd.DataFrame, rows: pd.DataFrame, as_of: Iterable[date | pd.Timestamp | str], *,
           cap: float = scoring.DEFAULT_CAP, grace_days: int | Mapping[str, int] | None = None) -> pd.DataFrame:
    """`scoring.composite_series` from stored score rows (same columns, same rules).

    Rows are sorted by (measure, end), so the rows ending by a day are a prefix of each measure's
    run: counting them per run gives each measure's latest row without building a frame per day.
    The composite is composite_from_status' equal-weight mean, taken on arrays.
    """
    prep = _prepared(rows, grace_days)
    ids = measures["id"].to_numpy(object)
    mids = prep["measure_id"].to_numpy(object)
    starts = np.flatnonzero(np.r_[True, mids[1:] != mids[:-1]]) if len(mids) else np.zeros(0, int)
    run_of = dict(zip(mids[starts].tolist(), range(len(starts)), strict=True))
    run = np.array([run_of.get(i, -1) for i in ids.tolist()], dtype=int)
    has_run = run >= 0
    ends = prep["period_end"].to_numpy("datetime64[ns]")
    due = prep["_due"].to_numpy("datetime64[ns]")
    status = prep["status"].to_numpy(object)
    score = np.minimum(prep["score"].to_numpy(float), cap)
    counted = np.isin(status, _scored_statuses()) & ~np.isnan(score)
    out = []
    for item in as_of:
        label, ts = scoring.when(item)
        t64 = ts.to_datetime64()
        n_kept = np.add.reduceat((ends <= t64).astype(int), starts) if len(starts) else np.zeros(0, int)
        pos = np.where(has_run, starts[run.clip(min=0)] + n_kept[run.clip(min=0)] - 1, -1) if len(starts) \
            else np.full(len(ids), -1)
        seen = has_run & (pos >= 0) & (n_kept[run.clip(min=0)] > 0 if len(starts) else False)
        at = pos[seen]
        stale = due[at] < t64
        ok = counted[at] & ~stale
        n_stale = int(stale.sum())
        n_no_target = int(((status[at] == "no_target") & ~stale).sum())
        n = int(ok.sum())
        out.append({"label": label, "as_of": ts, "score": float(score[at][ok].sum() / n) if n else math.nan,
                    "n_scored": n, "stale_excluded": n_stale, "no_target_excluded": n_no_target,
                    "no_data_excluded": int(len(ids) - seen.sum())})
    return pd.DataFrame(out, columns=["label", "as_of", "score", "n_scored", "stale_excluded",
                                      "no_target_excluded", "no_data_excluded"])
