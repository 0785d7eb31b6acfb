"""A goal's own target and whether it will be met, said in the goal's words.

A goal ("Add 12,000 income-restricted homes by 2028") is not its measure's per-period target
("645 units a quarter"): it has its own value, unit and date, and is either cumulative (a total
added up over the periods from a start date) or per period (the level one period must reach by
the date: "90% of calls within 7 minutes"). This module judges the goal against the measure it
is tracked by. Pure pandas/numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

from metrics.domain import periods, scoring
from metrics.domain.scoring import fmt_number

KINDS = ("cumulative", "per_period")


@dataclass(frozen=True)
class GoalTarget:
    value: float
    unit: str  # the goal's own words for what is counted: "income-restricted homes"
    kind: str  # "cumulative" | "per_period"
    measure_id: str  # the measure that tracks it
    target_date: date
    start: date | None = None  # cumulative goals count from here (None: from the first period)

    @property
    def cumulative(self) -> bool:
        return self.kind == "cumulative"

    def words(self) -> str:
        """'12,000 income-restricted homes by 2028-12-31' (cumulative: 'since 2023-01-01' added)."""
        since = f" (counted since {self.start.isoformat()})" if self.cumulative and self.start else ""
        return f"{_amount(self.value, self.unit)} by {self.target_date.isoformat()}{since}"


@dataclass(frozen=True)
class Judgement:
    """What the Goal page says and draws about the goal's own target."""

    target: GoalTarget
    so_far: float | None  # cumulative: the total since the start; per period: the latest value
    projection: scoring.Projection | None  # on the scale the goal is stated in (a running total if cumulative)
    history: pd.DataFrame  # period, period_end, value on that scale (a running total when cumulative)
    sentence: str


def _amount(value: float, unit: str) -> str:
    if unit.strip() == "%":
        return f"{fmt_number(value)}%"
    return f"{fmt_number(value)} {unit}".strip()


def from_row(row: pd.Series | dict, target_date: object) -> GoalTarget | None:
    """The goal's target from its row (goals query columns target_value, target_unit, target_kind,
    target_measure_id, target_from), or None when the goal has none (or no date)."""
    get = row.get if isinstance(row, dict) else (lambda k: row[k] if k in row.index else None)
    value, mid = get("target_value"), get("target_measure_id")
    if value is None or pd.isna(value) or not isinstance(mid, str) or not mid or target_date is None \
            or pd.isna(target_date):
        return None
    kind = get("target_kind")
    start = get("target_from")
    return GoalTarget(value=float(value), unit=str(get("target_unit") or ""),
                      kind=kind if kind in KINDS else "per_period", measure_id=mid,
                      target_date=pd.Timestamp(target_date).date(),
                      start=None if start is None or pd.isna(start) else pd.Timestamp(start).date())


def _frame(series: pd.Series, fsm: int) -> pd.DataFrame:
    return pd.DataFrame({"period": series.index, "period_end": [periods.parse(p, fsm).end for p in series.index],
                         "value": series.to_numpy(float)})


def _cumulative(t: GoalTarget, series: pd.Series, recent: pd.Series, future: list[str], direction: str,
                fsm: int) -> Judgement:
    counted = series if t.start is None else series[[pd.Timestamp(periods.parse(p, fsm).start) >= pd.Timestamp(t.start)
                                                      for p in series.index]]
    total = counted.cumsum()
    so_far = float(total.iloc[-1]) if not total.empty else 0.0
    words = t.words()
    grain = periods.grain_of(str(series.index[-1]))
    grain_word = grain.replace("_", " ")
    if len(recent) < scoring.MIN_PROJECTION_POINTS:
        return Judgement(t, so_far, None, _frame(total, fsm), (
            f"Goal: {words}. So far {_amount(so_far, t.unit)}; too few periods reported to say whether "
            "it will be met."))
    rate = float(recent.mean())  # the current pace: the average per period over the recent window
    spread = float(recent.std(ddof=1)) if len(recent) > 1 else 0.0
    k = len(future)
    projected = so_far + rate * k
    half = 1.96 * spread * math.sqrt(k) if k else 0.0
    sign = 1 if direction != "lower" else -1
    will_meet = bool((projected - t.value) * sign >= 0)
    pace = f"about {_amount(rate, t.unit)} a {grain_word}, the average of the last {len(recent)} {grain_word}s"
    if k == 0:
        verdict = (f"The date has passed: {_amount(so_far, t.unit)} in all, so the goal was "
                   f"{'' if will_meet else 'not '}met")
    elif will_meet:
        verdict = (f"At the current pace ({pace}) that reaches about {_amount(projected, t.unit)} by "
                   f"{t.target_date.isoformat()}: the goal will be met")
    else:
        verdict = (f"At the current pace ({pace}) that reaches about {_amount(projected, t.unit)} by "
                   f"{t.target_date.isoformat()}: the goal will not be met, about "
                   f"{_amount(abs(t.value - projected), t.unit)} short")
    sentence = f"Goal: {words}. So far {_amount(so_far, t.unit)}. {verdict}."
    if k and half and abs(projected - t.value) < half:
        sentence += " The range of likely outcomes includes the goal, so this is not certain."
    proj = scoring.Projection(rate * periods.periods_per_year(grain), rate, grain, projected, half, t.value,
                              pd.Timestamp(t.target_date), will_meet, len(recent), sentence)
    return Judgement(t, so_far, proj, _frame(total, fsm), sentence)


def _per_period(t: GoalTarget, series: pd.Series, recent: pd.Series, direction: str, measure_unit: str,
                fsm: int) -> Judgement:
    latest = float(series.iloc[-1])
    goal_phrase = f"the goal of {_amount(t.value, t.unit)} by {t.target_date.isoformat()}"
    # the pace is in the measure's unit ("+19 households a quarter"), the goal in its own words
    proj = scoring.projection(recent, t.value, t.target_date, direction, measure_unit, goal_phrase=goal_phrase)
    sentence = f"Goal: {t.words()}. Latest {series.index[-1]}: {_amount(latest, t.unit)}. {proj.sentence}"
    return Judgement(t, latest, proj, _frame(series, fsm), sentence)


def judge(t: GoalTarget, series: pd.Series, recent: pd.Series, future: list[str], direction: str,
          measure_unit: str = "", fiscal_start_month: int = periods.DEFAULT_FISCAL_START_MONTH
          ) -> Judgement | None:
    """The goal's target against its measure's series (period label -> value, time order).

    `recent` is the window that sets the current pace; `future` the period labels still to come
    up to the goal's date. Cumulative: the running total since the start plus the recent average
    per period for each period to come; per period: the straight-line projection of the measure.
    """
    series = series.dropna()
    if series.empty:
        return None
    if t.cumulative:
        return _cumulative(t, series, recent.dropna(), future, direction, fiscal_start_month)
    return _per_period(t, series, recent.dropna(), direction, measure_unit, fiscal_start_month)

