"""A goal's story, in numbers and sentences: outcome vs target, projection, outputs, the switch.

Used by the Goal and Outcomes-vs-outputs pages. Everything is derived from the data
(targets, links, the series themselves): nothing here knows about Seattle. Pure pandas,
no Streamlit, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from metrics.domain import compare, periods, scoring, spc
from metrics.domain.scoring import fmt_number

SPC_BASELINE = 6  # periods used as the "before" baseline when looking for a sustained shift
MAX_SWITCH_LEAD = 4  # a target change up to this many periods before the shift explains it


def outcome_ids(measures: pd.DataFrame, goal_id: str, links: pd.DataFrame | None = None) -> list[str]:
    """The goal's outcome measures, those with linked outputs first."""
    m = measures[(measures["goal_id"].astype(str) == str(goal_id)) & (measures["kind"] == "outcome")]
    linked = set(links["outcome_measure_id"]) if links is not None and not links.empty else set()
    return sorted(m["id"].tolist(), key=lambda i: (i not in linked, m.set_index("id").at[i, "name"]))


def linked_outputs(measures: pd.DataFrame, links: pd.DataFrame, outcome_id: str) -> pd.DataFrame:
    """Outputs linked to the outcome (links table), else the outputs of the same goal. Columns: id, lag_periods."""
    outputs = measures[measures["kind"].isin(["output", "efficiency"])]
    visible = set(outputs["id"])
    rows = links[(links["outcome_measure_id"] == outcome_id) & links["output_measure_id"].isin(visible)]
    if not rows.empty:
        return pd.DataFrame({"id": rows["output_measure_id"].tolist(),
                             "lag_periods": rows["lag_periods"].fillna(0).astype(int).tolist()})
    goal = measures.set_index("id").at[outcome_id, "goal_id"]
    outs = measures[(measures["goal_id"] == goal) & (measures["kind"] == "output")]["id"].tolist()
    return pd.DataFrame({"id": outs, "lag_periods": [0] * len(outs)})


def input_ids(measures: pd.DataFrame, goal_id: str) -> list[str]:
    m = measures[(measures["goal_id"].astype(str) == str(goal_id)) & (measures["kind"] == "input")]
    return m["id"].tolist()


def series_of(observations: pd.DataFrame, measure_id: str) -> pd.Series:
    """A measure's aggregate series indexed by period label, in time order."""
    obs = observations[(observations["measure_id"] == measure_id) & observations["value"].notna()]
    if "dimension" in obs:
        obs = obs[obs["dimension"].fillna("") == ""]
    obs = obs.sort_values("period_end") if "period_end" in obs else obs
    s = obs.drop_duplicates("period", keep="last").set_index("period")["value"].astype(float)
    s.index = s.index.astype(str)
    return s


def history_frame(observations: pd.DataFrame, measure_id: str,
                  fiscal_start_month: int = periods.DEFAULT_FISCAL_START_MONTH) -> pd.DataFrame:
    """period, period_end, value rows of one measure (for charts.history_chart)."""
    s = series_of(observations, measure_id)
    return pd.DataFrame({"period": s.index,
                         "period_end": [periods.parse(p, fiscal_start_month).end for p in s.index],
                         "value": s.to_numpy()})


def align_outputs(observations: pd.DataFrame, outcome_id: str, output_ids: list[str], measures: pd.DataFrame,
                  names: dict, fiscal_start_month: int = periods.DEFAULT_FISCAL_START_MONTH
                  ) -> tuple[pd.DataFrame | None, list[str], str | None]:
    """The outcome and its outputs on one calendar (compare.aligned: the finer side rolled up to
    the coarser, in either direction), leaving out any output that can't be lined up at all.

    Only periods that don't nest (calendar years against fiscal years) can't be lined up. Rather
    than losing the whole comparison, such outputs are left out and named. Returns (aligned frame
    or None if no output fits, the output ids kept, the sentence saying what was left out and
    why, or None).
    """
    def attempt(ids: list[str]) -> pd.DataFrame:
        return compare.aligned(observations, outcome_id, ids, measures, fiscal_start_month=fiscal_start_month)

    try:
        return attempt(output_ids), list(output_ids), None
    except ValueError:
        pass
    kept, left = [], []
    for o in output_ids:
        try:
            attempt([o])
        except ValueError as exc:
            left.append(f"{names.get(o, o)} ({str(exc).rstrip('.')})")
        else:
            kept.append(o)
    if not kept:
        return None, [], "No output can be lined up with the outcome's periods: " + "; ".join(left) + "."
    try:
        frame = attempt(kept)
    except ValueError as exc:  # the outputs fit one by one but not together: say so, compare none
        return None, [], f"The outputs can't be lined up with the outcome's periods: {str(exc).rstrip('.')}."
    return frame, kept, ("Left out of the comparison below, because they can't be lined up with the outcome's "
                         "periods: " + "; ".join(left) + ".")


def index_to_base(aligned_df: pd.DataFrame, base: str | None = None) -> tuple[pd.DataFrame, str | None]:
    """Every column divided by its value at `base` x 100; base defaults to the first complete period."""
    complete = aligned_df.dropna()
    if base is None:
        if complete.empty:
            return aligned_df * np.nan, None
        base = str(complete.index[0])
    ref = aligned_df.loc[base]
    return aligned_df / ref.where(ref != 0) * 100, base


def target_changes(targets: pd.DataFrame, measure_id: str) -> pd.DataFrame:
    """Targets adopted after the first one: effective_from, value, previous, reason."""
    t = targets[targets["measure_id"] == measure_id].sort_values("effective_from").reset_index(drop=True)
    t = t.assign(previous=t["value"].shift(1))
    return t.iloc[1:][["effective_from", "value", "previous", "reason"]].reset_index(drop=True)


@dataclass(frozen=True)
class Switch:
    label: str  # the period the story turns on
    shift_label: str | None  # first period of the sustained SPC shift, if any
    target_change: str | None  # the reason recorded with the target change, if one explains the shift
    sentence: str


def find_switch(series: pd.Series, targets: pd.DataFrame, measure_id: str, unit: str = "",
                fiscal_start_month: int = periods.DEFAULT_FISCAL_START_MONTH) -> Switch | None:
    """Where the outcome's story turns: a sustained SPC shift, explained by a target change if one
    was adopted up to MAX_SWITCH_LEAD periods before it (then the switch is the change's period)."""
    s = series.dropna()
    if len(s) < SPC_BASELINE + 2:
        return None
    sig = spc.signals(s.reset_index(drop=True), baseline_n=SPC_BASELINE)
    hits = np.flatnonzero(sig["signal"].to_numpy())
    if len(hits) == 0:
        return None
    labels = list(s.index)
    first = int(hits[0])
    shift_label = labels[first]
    grain = periods.grain_of(shift_label)
    changes = target_changes(targets, measure_id)
    best = None
    for frm, value, prev, reason in changes.itertuples(index=False):
        lab = periods.label_of(pd.Timestamp(frm), grain, fiscal_start_month)
        if lab in labels and 0 <= first - labels.index(lab) <= MAX_SWITCH_LEAD:
            best = (lab, value, prev, reason)
    if best:
        lab, value, prev, reason = best
        sentence = (f"The outcome's trend breaks around {lab}: the target changed then "
                    f"({fmt_number(prev)} → {fmt_number(value)} {unit}".rstrip() + ")"
                    + (f", \u201c{reason}\u201d" if isinstance(reason, str) and reason else "")
                    + f", and from {shift_label} the outcome stays outside its earlier range "
                      "(a sustained shift, not normal variation).")
        return Switch(lab, shift_label, reason if isinstance(reason, str) else None, sentence)
    sentence = (f"The outcome's trend breaks at {shift_label}: from there it is outside its earlier range "
                "(a sustained shift, not normal variation). No target change explains it.")
    return Switch(shift_label, shift_label, None, sentence)


def key_number(series: pd.Series, label: str, unit: str = "",
               fiscal_start_month: int = periods.DEFAULT_FISCAL_START_MONTH) -> str:
    """'2018-Q1: 3,024 households, +1,222 on 2017-Q1' (the change vs the same period a year before)."""
    value = series.get(label)
    if value is None or pd.isna(value):
        return f"{label}: no figure reported."
    text = f"{label}: {fmt_number(value)} {unit}".rstrip()
    before = periods.same_period_last_year(label, fiscal_start_month)
    if before in series.index and not pd.isna(series[before]):
        text += f", {fmt_number(value - series[before], signed=True)} on {before}"
    return text


def milestone(series: pd.Series, targets: pd.DataFrame, measure_id: str, direction: str,
              after: str | None, fiscal_start_month: int = periods.DEFAULT_FISCAL_START_MONTH) -> str | None:
    """The first period from `after` on where the outcome met the target in force (else None)."""
    labels = list(series.index)
    start = labels.index(after) if after in labels else 0
    for label in labels[start:]:
        t = scoring.target_for(targets, measure_id, periods.parse(label, fiscal_start_month).end)
        if t and scoring.measure_status(series[label], t.value, direction) == "on_track":
            return label
    return None


def pace_sentence(series: pd.Series, switch: str, unit: str = "", window: int = 8) -> str:
    """Average change per period before the switch and over the `window` periods from it."""
    labels = list(series.index)
    if switch not in labels:
        return ""
    k = labels.index(switch)
    before, after = series.iloc[:k].dropna(), series.iloc[k:k + window].dropna()
    grain = periods.grain_of(switch).replace("_", " ")

    def slope(s: pd.Series) -> float:
        return float(np.polyfit(np.arange(len(s)), s.to_numpy(float), 1)[0]) if len(s) >= 2 else float("nan")

    return (f"Before {switch} the outcome moved {fmt_number(slope(before), signed=True)} {unit} a {grain} "
            f"on average; over the {len(after)} {grain}s from {switch} it moved "
            f"{fmt_number(slope(after), signed=True)} {unit} a {grain}.").replace("  ", " ")


def goal_target(targets: pd.DataFrame, measure_id: str, target_date: date | str | None) -> float | None:
    """The value the goal aims for: the target in force at the goal's date, else the latest target."""
    t = targets[targets["measure_id"] == measure_id]
    if t.empty:
        return None
    if target_date is not None and not pd.isna(target_date):
        hit = scoring.target_for(t, measure_id, pd.Timestamp(target_date))
        if hit:
            return hit.value
    return float(t.sort_values("effective_from")["value"].iloc[-1])


def recent_window(series: pd.Series, years: int = 2) -> pd.Series:
    """The last `years` of a series (at least MIN_PROJECTION_POINTS points): 'the current pace'."""
    if series.empty:
        return series
    n = periods.periods_per_year(periods.grain_of(str(series.index[0]))) * years
    return series.dropna().iloc[-max(n, scoring.MIN_PROJECTION_POINTS):]


def future_labels(last_label: str, target_date: date | str,
                  fiscal_start_month: int = periods.DEFAULT_FISCAL_START_MONTH) -> list[str]:
    """Period labels after last_label up to the one containing target_date (empty if already past)."""
    fsm = fiscal_start_month
    grain = periods.grain_of(last_label)
    end = periods.label_of(pd.Timestamp(target_date), grain, fsm)
    nxt = periods.shift(last_label, 1, fsm)
    if periods.parse(end, fsm).end < periods.parse(nxt, fsm).end:
        return []
    return periods.period_range(nxt, end, fsm)


def conversion_table(aligned_df: pd.DataFrame, outcome_id: str, output_ids: list[str], names: dict,
                     per: float = 100) -> pd.DataFrame:
    """Outcome per `per` units of each output, one column per output name, indexed by period."""
    return pd.DataFrame({names[o]: compare.conversion(aligned_df, outcome_id, o, per)["conversion"]
                         for o in output_ids}, index=aligned_df.index)


def lag_table(aligned_df: pd.DataFrame, outcome_id: str, output_ids: list[str], names: dict,
              max_lag: int = 4) -> tuple[pd.DataFrame, list[str]]:
    """Per output: best lag, r, periods used (correlating period-to-period changes), and the cautions."""
    rows, cautions = [], []
    for o in output_ids:
        lc = compare.lagged_correlation(aligned_df, outcome_id, o, max_lag=max_lag, on="change")
        best = lc.table[lc.table["lag"] == lc.best_lag]
        rows.append({"output": names[o], "best_lag": lc.best_lag, "r": lc.best_r,
                     "n_periods": int(best["n_periods"].iloc[0]) if not best.empty else 0,
                     **{f"r_lag_{int(r.lag)}": r.r for r in lc.table.itertuples()}})
        cautions.append(f"{names[o]}: {lc.caution}")
    return pd.DataFrame(rows), cautions


def divergence_flags(aligned_df: pd.DataFrame, outcome_id: str, output_ids: list[str], names: dict,
                     direction: str = "higher", window: int = 4) -> pd.DataFrame:
    """Divergence flags for every output, with the output named in the text."""
    parts = []
    for o in output_ids:
        d = compare.divergence(aligned_df, outcome_id, o, window=window, direction_outcome=direction)
        if not d.empty:
            d = d.assign(output=names[o], text=names[o] + " — " + d["text"])
            parts.append(d)
    cols = ["period", "output", "flag", "text", "output_change_pct", "outcome_change_pct"]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)


def divergence_summary(flags: pd.DataFrame) -> list[str]:
    """One sentence per output and flag: the span of periods it covers."""
    out = []
    labels = {"outputs_up_outcome_flat": "outputs up, outcome flat",
              "outcome_up_outputs_flat": "outcome up, outputs flat"}
    for (output, flag), g in flags.groupby(["output", "flag"], sort=False):
        ps = sorted(g["period"], key=lambda p: periods.parse(p).start)
        span = ps[0] if len(ps) == 1 else f"{ps[0]} to {ps[-1]}"
        out.append(f"{output}: {labels.get(flag, flag)} in {len(ps)} period{'s' * (len(ps) != 1)} ({span}).")
    return out


def before_switch_sentence(indexed: pd.DataFrame, outcome_id: str, switch: str, names: dict) -> str:
    """'From 2016-Q1 to 2017-Q2 outputs rose 28% to 45% while the outcome changed -1%' (index units)."""
    labels = list(indexed.index)
    if switch not in labels or labels.index(switch) < 2:
        return ""
    last = labels[labels.index(switch) - 1]
    row = indexed.loc[last]
    outs = row.drop(outcome_id).dropna()
    if outs.empty or pd.isna(row[outcome_id]):
        return ""
    lo, hi = outs.min() - 100, outs.max() - 100
    span = (f"{fmt_number(lo, signed=True)}%" if abs(hi - lo) < 0.5
            else f"between {fmt_number(lo, signed=True)}% and {fmt_number(hi, signed=True)}%")
    verb = "rose" if lo > 0 else "fell" if hi < 0 else "changed"
    return (f"From {labels[0]} to {last}, outputs {verb} {span} while the outcome changed "
            f"{fmt_number(row[outcome_id] - 100, signed=True)}%.")
