"""Statistical process control: is a change real, or the measure's normal wiggle?

A dashboard that turns red on every dip trains people to ignore it. XmR (individuals)
charts need no distributional assumptions and work on short, lumpy city series, so the
Measure and Goal pages use them to say "real signal" only when the data earns it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.domain.scoring import fmt_number

MIN_SPC_POINTS = 6
XMR_D2 = 1.128  # bias constant for moving ranges of two points
SHIFT_RUN = 8
_EPS = 1e-9


@dataclass(frozen=True)
class ControlLimits:
    mean: float
    sigma: float
    ucl: float
    lcl: float
    mr_bar: float  # average moving range of the baseline
    baseline_n: int


def control_limits(values: pd.Series, baseline_n: int = 12) -> ControlLimits:
    """XmR (individuals) chart limits from the first baseline_n points.

    sigma = mean(|successive differences|)/1.128 is robust to trends and needs no
    distributional assumptions, which suits short, lumpy city series.
    """
    v = values.dropna().to_numpy(float)[:baseline_n]
    if len(v) < 2:
        return ControlLimits(math.nan, math.nan, math.nan, math.nan, math.nan, len(v))
    mr_bar = float(np.mean(np.abs(np.diff(v))))
    mean, sigma = float(v.mean()), mr_bar / XMR_D2
    return ControlLimits(mean, sigma, mean + 3 * sigma, mean - 3 * sigma, mr_bar, len(v))


def signals(values: pd.Series, baseline_n: int = 12) -> pd.DataFrame:
    """Per point: value, mean, ucl, lcl, signal, reason (Western Electric rule 1 and an 8-point shift)."""
    lim = control_limits(values, baseline_n)
    out = pd.DataFrame({"value": values.astype(float), "mean": lim.mean, "ucl": lim.ucl, "lcl": lim.lcl,
                        "signal": False, "reason": ""}, index=values.index)
    flags, texts, run_side, run = [], [], 0, 0
    for v in out["value"].to_numpy():
        reasons = []
        if not (pd.isna(v) or pd.isna(lim.mean)):
            if v > lim.ucl + _EPS:
                reasons.append(f"above the upper control limit ({fmt_number(lim.ucl)})")
            elif v < lim.lcl - _EPS:
                reasons.append(f"below the lower control limit ({fmt_number(lim.lcl)})")
            side = int(np.sign(round(v - lim.mean, 12)))  # a point on the mean breaks a run
            run, run_side = (run + 1 if side == run_side else 1) if side else 0, side
            if run >= SHIFT_RUN:
                reasons.append(f"{run} points in a row {'above' if side > 0 else 'below'} the average "
                               f"({fmt_number(lim.mean)}): a sustained shift")
        flags.append(bool(reasons))
        texts.append("; ".join(reasons))
    out["signal"], out["reason"] = flags, texts
    return out


def plain_sentence(verdict: tuple[bool, str] | None) -> str:
    """is_real_change's verdict in words a resident reads without statistics ("within normal
    variation", never "upper control limit"): what the public portal and the static site say."""
    if verdict is None:
        return "There are too few figures yet to tell a real change from normal ups and downs."
    if verdict[0]:
        return "The latest figure is outside this measure's usual range: likely a real change, not chance."
    return "The latest figure is within normal variation: the usual ups and downs, not a real change."


def is_real_change(values: pd.Series, baseline_n: int = 12) -> tuple[bool, str]:
    """Is the latest point a real signal or normal variation? Returns (signal, plain-language reason)."""
    v = values.dropna()
    if len(v) < MIN_SPC_POINTS:
        return False, (f"Only {len(v)} data points: too few to tell a real change from normal "
                       f"variation (need {MIN_SPC_POINTS}).")
    last = signals(v, baseline_n).iloc[-1]
    if last["signal"]:
        return True, f"Real signal: the latest value is {last['reason']}."
    return False, (f"Normal variation: the latest value ({fmt_number(last['value'])}) is within the "
                   f"usual range ({fmt_number(last['lcl'])} to {fmt_number(last['ucl'])}).")
