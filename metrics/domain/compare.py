"""Outcomes versus outputs: are the things the city does moving the results residents feel?

Outputs (case-management hours, potholes filled) are usually monthly; outcomes
(households housed, resident satisfaction) are often quarterly or annual. Everything
here first lines them up on the outcome's calendar, then offers deliberately modest
tools (conversion ratios, lagged correlation, divergence flags) with plain-language
cautions, because a dashboard that implies causation from two lines moving together
teaches the wrong lesson. Pure pandas/numpy: no Streamlit, no database.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.domain import periods
from metrics.domain.scoring import fmt_number

GRAIN_RANK = {"day": 0, "month": 1, "quarter": 2, "year": 3, "fiscal_year": 3}
# Units whose values are levels, rates or averages: rolling them up means averaging, not adding.
# "hours" is deliberately absent: hours of service delivered are effort and add up.
MEAN_UNIT_WORDS = frozenset({
    "percent", "percentage", "pct", "rate", "ratio", "per", "average", "avg", "mean", "median",
    "score", "index", "days", "minutes", "mins", "seconds", "secs",
})
KINDS = ("outcome", "output", "efficiency", "input")
MIN_CORRELATION_PERIODS = 3


def rollup_method(unit: str | None, kind: str | None = None) -> str:
    """'mean' or 'sum' for rolling a measure up to a coarser period.

    Rule: 'mean' when the unit contains '%' or one of MEAN_UNIT_WORDS as a word
    (e.g. 'percent', 'days', 'minutes', 'calls per 1,000 residents'), or the measure is
    an efficiency ratio; otherwise 'sum' (counts, currency, hours of effort). Summing
    three monthly response times would triple them, which a reader would spot at once.
    """
    text = (unit or "").lower() if isinstance(unit, str) else ""
    if "%" in text or kind == "efficiency":
        return "mean"
    return "mean" if set(re.findall(r"[a-z]+", text)) & MEAN_UNIT_WORDS else "sum"


ROLLUPS = ("sum", "mean", "last")  # counts add up, rates average, levels (a stock at period end) take the last


def _sort_labels(labels: Iterable[str], fiscal_start_month: int) -> list[str]:
    return sorted(labels, key=lambda x: periods.parse(x, fiscal_start_month).start)


def grain_word(index: pd.Index) -> str:
    """'month', 'quarter', 'fiscal year' ... of an aligned table's labels ('period' when empty)."""
    return _grain_word(index)


def common_grain(grains: Iterable[str]) -> str:
    """The coarsest of `grains`: the calendar every series can be rolled up to without inventing data.

    Calendar and fiscal years are equally coarse but don't nest (unless the fiscal year starts in
    January), so a mix of the two raises ValueError; so does an unknown grain.
    """
    found = sorted(set(grains), key=lambda g: GRAIN_RANK[g])
    if not found:
        raise ValueError("no series to line up")
    top = GRAIN_RANK[found[-1]]
    tied = [g for g in found if GRAIN_RANK[g] == top]
    if len(tied) > 1:
        raise ValueError("calendar years and fiscal years do not nest inside each other")
    return found[-1]


def _roll_up(s: pd.Series, grain: str, method: str, require_complete: bool, fsm: int) -> pd.Series:
    """A measure's series (indexed by its own labels) -> series indexed by labels of `grain`."""
    if s.empty:
        return s
    src = periods.grain_of(str(s.index[0]))
    if src == grain:
        return s
    if GRAIN_RANK[src] >= GRAIN_RANK[grain]:
        raise ValueError(f"a {src.replace('_', ' ')} series can't be split into {grain.replace('_', ' ')}s")
    parsed = [periods.parse(x, fsm) for x in s.index]
    order = np.argsort([p.start for p in parsed], kind="stable")
    s, parsed = s.iloc[order], [parsed[i] for i in order]
    target = [periods.label_of(p.start, grain, fsm) for p in parsed]
    if any(periods.label_of(p.end, grain, fsm) != t for p, t in zip(parsed, target, strict=True)):
        raise ValueError(f"{src.replace('_', ' ')} periods do not nest inside {grain.replace('_', ' ')} periods")
    grouped = s.groupby(pd.Index(target), sort=False)
    out = grouped.sum() if method == "sum" else grouped.last() if method == "last" else grouped.mean()
    if require_complete:
        def expected(label: str) -> int:
            p = periods.parse(label, fsm)
            return len(periods.period_range(periods.label_of(p.start, src, fsm),
                                            periods.label_of(p.end, src, fsm), fsm))
        counts = grouped.count()
        out[counts < [expected(x) for x in counts.index]] = math.nan
    return out


def _method(meta: pd.DataFrame, mid: object, how: Mapping[object, str] | None) -> str:
    """How a measure rolls up: `how` first, then the measure's own `rollup`, then the unit rule."""
    wanted = (how or {}).get(mid)
    if wanted:
        return wanted
    stored = meta.at[mid, "rollup"] if "rollup" in meta.columns else None
    if isinstance(stored, str) and stored in ROLLUPS:
        return stored
    return rollup_method(meta.at[mid, "unit"], meta.at[mid, "kind"])


def aligned(observations: pd.DataFrame, outcome_id: object, output_ids: Iterable[object],
            measures: pd.DataFrame, *, how: Mapping[object, str] | None = None,
            require_complete: bool = True, fiscal_start_month: int = periods.DEFAULT_FISCAL_START_MONTH
            ) -> pd.DataFrame:
    """Wide table on the COARSEST calendar among the outcome and its outputs: index = period
    label, one column per measure id (the outcome first).

    Whichever side is finer is rolled up, in either direction: monthly outputs into a quarterly
    outcome, or a monthly outcome into quarterly outputs' quarters. Each measure says how
    (its `rollup`: sum for counts, mean for rates, last for levels; `how` overrides per
    measure). With require_complete, a quarter missing one of its months is NaN rather than a
    sum of two months that would look like a sudden drop. The index covers every period from
    first to last so gaps stay visible and lags count periods, not rows. Series whose periods
    don't nest (calendar with fiscal years) raise ValueError.
    """
    meta = measures.set_index("id")
    ids = list(dict.fromkeys([outcome_id, *output_ids]))
    grain = common_grain(str(meta.at[mid, "frequency"]) for mid in ids)
    obs = observations
    if "dimension" in obs:
        obs = obs[obs["dimension"].fillna("") == ""]
    obs = obs[obs["value"].notna()]
    cols: dict[object, pd.Series] = {}
    for mid in ids:
        s = (obs[obs["measure_id"] == mid].drop_duplicates("period", keep="last")
             .set_index("period")["value"].astype(float))
        s.index = s.index.astype(str)
        cols[mid] = _roll_up(s, grain, _method(meta, mid, how), require_complete, fiscal_start_month)
    labels = _sort_labels({x for s in cols.values() for x in s.index}, fiscal_start_month)
    index = (periods.period_range(labels[0], labels[-1], fiscal_start_month) if labels else [])
    df = pd.DataFrame({mid: s.reindex(index) for mid, s in cols.items()}, index=pd.Index(index, name="period"))
    return df


def conversion(aligned_df: pd.DataFrame, outcome_col: object, output_col: object,
               per: float = 100) -> pd.DataFrame:
    """Outcome per `per` units of output, each period (e.g. households housed per 100 hours).

    Columns outcome, output, conversion. Periods with zero or missing output are NaN:
    a ratio to nothing is not a result.
    """
    out = aligned_df[output_col].astype(float)
    oc = aligned_df[outcome_col].astype(float)
    return pd.DataFrame({"outcome": oc, "output": out, "conversion": oc / out.where(out > 0) * per})


def cost_per_outcome(aligned_df: pd.DataFrame, outcome_col: object, input_col: object) -> pd.DataFrame:
    """Spending per unit of outcome each period. Columns outcome, spending, cost_per_outcome."""
    oc = aligned_df[outcome_col].astype(float)
    spend = aligned_df[input_col].astype(float)
    return pd.DataFrame({"outcome": oc, "spending": spend, "cost_per_outcome": spend / oc.where(oc > 0)})


@dataclass(frozen=True)
class LaggedCorrelation:
    table: pd.DataFrame  # lag, r, n_periods
    best_lag: int | None
    best_r: float
    caution: str


def _pearson(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b, n = a[ok], b[ok], int(ok.sum())
    if n < MIN_CORRELATION_PERIODS:
        return math.nan, n
    da, db = a - a.mean(), b - b.mean()
    denom = math.sqrt(float((da ** 2).sum() * (db ** 2).sum()))
    return (float((da * db).sum()) / denom if denom else math.nan), n


def _grain_word(index: pd.Index) -> str:
    try:
        return periods.grain_of(str(index[0])).replace("fiscal_year", "fiscal year")
    except (periods.PeriodError, IndexError):
        return "period"


def lagged_correlation(aligned_df: pd.DataFrame, outcome_col: object, output_col: object,
                       max_lag: int = 4, on: str = "level") -> LaggedCorrelation:
    """Pearson r between the outcome and the output `lag` periods EARLIER, for lag 0..max_lag.

    Outputs take time to show up in outcomes (training now, jobs next year), so the lag
    with the strongest |r| is a hint worth a conversation, not a finding. on='change'
    correlates period-to-period changes instead, which removes shared trends (two things
    that both grow every year correlate on level whether or not they are related).
    """
    if on not in ("level", "change"):
        raise ValueError("on must be 'level' or 'change'")
    oc = aligned_df[outcome_col].astype(float)
    out = aligned_df[output_col].astype(float)
    if on == "change":
        oc, out = oc.diff(), out.diff()
    rows = []
    for lag in range(max_lag + 1):
        r, n = _pearson(oc.to_numpy(), out.shift(lag).to_numpy())
        rows.append({"lag": lag, "r": r, "n_periods": n})
    table = pd.DataFrame(rows, columns=["lag", "r", "n_periods"])
    valid = table[table["r"].notna()]
    unit = _grain_word(aligned_df.index)
    if valid.empty:
        return LaggedCorrelation(table, None, math.nan, (
            f"Too few overlapping {unit}s to compute a correlation (need {MIN_CORRELATION_PERIODS}). "
            "Correlation is not causation in any case."))
    best = valid.loc[valid["r"].abs().idxmax()]
    lag, n = int(best["lag"]), int(best["n_periods"])
    caution = (f"The strongest link is with a lag of {lag} {unit}{'s' * (lag != 1)} "
               f"(r = {best['r']:.2f}), based on only {n} {unit}s. Correlation is not causation: "
               "both measures may be driven by something else (the economy, funding, the season), "
               "and short series line up by chance.")
    if n < 8:
        caution += " With fewer than 8 periods, treat this as a hint, not evidence."
    return LaggedCorrelation(table, lag, float(best["r"]), caution)


def divergence(aligned_df: pd.DataFrame, outcome_col: object, output_col: object, window: int = 4,
               direction_outcome: str = "higher", *, output_up: float = 0.10, outcome_flat: float = 0.02,
               outcome_up: float = 0.10, output_flat: float = 0.02) -> pd.DataFrame:
    """Periods where outputs and outcomes tell different stories over the last `window` periods.

    'outputs_up_outcome_flat': output grew more than output_up (10%) while the outcome
    improved less than outcome_flat (2%) or got worse: more activity, no visible result.
    'outcome_up_outputs_flat': the outcome improved more than outcome_up while outputs
    grew less than output_flat or fell: something other than this programme may be at work.
    Thresholds are fractions. Columns: period, flag, text, output_change_pct,
    outcome_change_pct (raw percent change, not direction-adjusted).
    """
    sign = 1 if direction_outcome == "higher" else -1
    if direction_outcome not in ("higher", "lower"):
        raise ValueError("direction_outcome must be 'higher' or 'lower'")
    oc = aligned_df[outcome_col].astype(float)
    out = aligned_df[output_col].astype(float)
    d_out = out / out.shift(window).where(out.shift(window) != 0) - 1
    base = oc.shift(window)
    d_oc = (oc - base) / base.abs().where(base != 0)
    unit = f"{window} {_grain_word(aligned_df.index)}{'s' * (window != 1)}"
    rows = []
    for period, a, b in zip(aligned_df.index, d_out, d_oc, strict=True):
        if pd.isna(a) or pd.isna(b):
            continue
        good = b * sign
        moved = ("did not improve" if good == 0 else f"improved only {fmt_number(100 * good)}%" if good > 0
                 else f"got worse by {fmt_number(-100 * good)}%")
        if a > output_up and good < outcome_flat:
            rows.append((period, "outputs_up_outcome_flat",
                         f"{period}: outputs rose {fmt_number(100 * a)}% over {unit} while the outcome {moved}."))
        elif good > outcome_up and a < output_flat:
            rows.append((period, "outcome_up_outputs_flat",
                         f"{period}: the outcome improved {fmt_number(100 * good)}% over {unit} while outputs "
                         f"{'fell ' + fmt_number(-100 * a) + '%' if a < 0 else 'were flat'}: "
                         "something else may be driving it."))
        else:
            continue
        rows[-1] = (*rows[-1], 100 * a, 100 * b)
    return pd.DataFrame(rows, columns=["period", "flag", "text", "output_change_pct", "outcome_change_pct"])


def _counts_by(measures: pd.DataFrame, col: str, missing: str) -> pd.DataFrame:
    key = measures[col].astype(object).where(measures[col].notna(), missing).map(_key)
    table = pd.crosstab(key, measures["kind"]).reindex(columns=list(KINDS), fill_value=0)
    table.columns.name = None
    table.index.name = col
    table["total"] = table.sum(axis=1)
    table["outcome_share"] = table["outcome"] / table["total"]
    return table.astype({k: int for k in [*KINDS, "total"]})


@dataclass(frozen=True)
class MeasurementMix:
    by_department: pd.DataFrame  # index department; columns outcome, output, efficiency, input, total, outcome_share
    by_goal: pd.DataFrame  # index goal_id ('(no goal)' for unlinked measures); same columns


def measurement_mix(measures: pd.DataFrame) -> MeasurementMix:
    """How many outcome/output/efficiency/input measures each department and goal has.

    A department that only counts its own activity (outputs) can't tell whether
    residents are better off; the outcome_share column makes that visible.
    """
    return MeasurementMix(_counts_by(measures, "department", "(no department)"),
                          _counts_by(measures, "goal_id", "(no goal)"))


def _key(x: object) -> object:
    """Goal ids arrive as int, float (NaN-bearing int columns) or text; compare them as text."""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def goals_without_outcome(measures: pd.DataFrame, goals: pd.DataFrame) -> pd.DataFrame:
    """Goals that have no outcome measure: "the Seattle lesson".

    A goal tracked only by outputs reports effort, not results, so the page should name
    these goals rather than let them hide. Returns the goals' rows (id, name, priority_id)
    plus n_measures, how many other measures they do have (0 = not measured at all).
    """
    linked = measures[measures["goal_id"].notna()]
    keys = linked["goal_id"].astype(object).map(_key)
    with_outcome = set(keys[linked["kind"] == "outcome"])
    n_measures = keys.value_counts()
    goal_keys = goals["id"].astype(object).map(_key)
    out = goals[~goal_keys.isin(with_outcome)].copy()
    out["n_measures"] = goal_keys[out.index].map(n_measures).fillna(0).astype(int)
    return out.reset_index(drop=True)
