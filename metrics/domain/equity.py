"""Equity: gaps between groups and districts, with small counts suppressed.

Publishing "3 households" for one group in one district can identify people, so counts
below a city threshold (setting `suppress_below`, default 11) are shown as "suppressed",
never as the number. Suppressing one cell is not enough when the city total is published:
total minus the others gives it back, so when exactly one group is suppressed in a period
the next smallest is suppressed too (complementary suppression). Gaps are computed only
from what is shown, so they can't leak a suppressed value either.

Who decides what is suppressed is the visibility rule in SQL (sql/_visibility.sql): every
breakdown row arrives with a `suppressed` flag, and for the public the suppressed value is
already NULL. `suppress()` below is the same rule written in pandas, kept as the reference
the SQL is tested against (tests/test_views_equity.py); views take the flag from SQL and
use `shown_from_flags()`. Pure pandas.
"""

from __future__ import annotations

import math

import pandas as pd

DEFAULT_SUPPRESS_BELOW = 11
SUPPRESSED = "suppressed"


def suppress(frame: pd.DataFrame, threshold: int = DEFAULT_SUPPRESS_BELOW, by: tuple[str, ...] = ("period",),
             value_col: str = "value") -> pd.DataFrame:
    """Hide small counts: adds `suppressed` (bool) and `shown` (value, or NaN when suppressed).

    Primary: every value below the threshold, zero included ("0 in district 3" is as
    disclosive as "2"). Complementary: within each `by` group (a period, or period and dimension),
    if exactly one cell is suppressed and others remain, the next smallest is suppressed
    too, so the hidden value can't be recovered by subtracting from the total.
    """
    out = frame.copy()
    values = out[value_col].astype(float)
    primary = values.notna() & (values < threshold)
    out["suppressed"] = primary
    if threshold > 0 and primary.any():
        for _, part in out.groupby(list(by), sort=False):
            idx = part.index
            flags = out.loc[idx, "suppressed"]
            if int(flags.sum()) == 1:
                others = values.loc[idx][~flags & values.loc[idx].notna()]
                if not others.empty:  # the next smallest; on a tie every one of them (as the SQL rule does)
                    out.loc[others.index[others == others.min()], "suppressed"] = True
    out["shown"] = values.where(~out["suppressed"])
    return out


def shown_from_flags(frame: pd.DataFrame, value_col: str = "value") -> pd.DataFrame:
    """Add `shown` (the value, or NaN where the visibility rule flagged the cell `suppressed`)."""
    out = frame.copy()
    flags = out["suppressed"].fillna(False).astype(bool) if "suppressed" in out else False
    out["suppressed"] = flags
    out["shown"] = out[value_col].astype(float).where(~out["suppressed"])
    return out


def display_values(frame: pd.DataFrame, digits: int = 0, *, below: int | None = None) -> pd.Series:
    """Text for tables: the number, or 'suppressed' (never the hidden number).

    `below` is for staff readers only, who get the raw value of a suppressed cell: it is then
    shown marked, "3 (below 11)" for a small count, "40 (complement)" for the next smallest
    hidden with it. Without `below`, or without a raw value (the public), it is 'suppressed'.
    """
    raw = frame["value"] if "value" in frame else frame["shown"]
    out = []
    for v, r, s in zip(frame["shown"], raw, frame["suppressed"], strict=True):
        if not s:
            out.append("—" if pd.isna(v) else f"{v:,.{digits}f}")
        elif below is None or pd.isna(r):
            out.append(SUPPRESSED)
        else:
            out.append(f"{r:,.{digits}f} ({f'below {below}' if r < below else 'complement'})")
    return pd.Series(out, index=frame.index, dtype=object)


def group_label(member: object, dimension: str) -> str:
    """'District 3' for a numbered member, the member itself otherwise ('Black', 'Other')."""
    text = str(member)
    return f"{dimension.title()} {text}" if text.isdigit() else text


def gaps(frame: pd.DataFrame, value_col: str = "shown") -> pd.DataFrame:
    """Per period: max - min across groups (only groups with a shown value), and who is high/low.

    Columns period, value, high_member, low_member, n_groups. Periods with fewer than two
    shown groups have no gap (NaN) rather than a gap of zero.
    """
    rows = []
    for period, g in frame.groupby("period", sort=False):
        g = g[g[value_col].notna()]
        if len(g) < 2:
            rows.append((period, math.nan, None, None, len(g)))
            continue
        hi, lo = g.loc[g[value_col].idxmax()], g.loc[g[value_col].idxmin()]
        rows.append((period, float(hi[value_col] - lo[value_col]), hi["member"], lo["member"], len(g)))
    return pd.DataFrame(rows, columns=["period", "value", "high_member", "low_member", "n_groups"])


def gap_measure_id(measure_id: str, dimension: str) -> str:
    return f"{measure_id}-gap-{dimension}"


def gap_series(frame: pd.DataFrame, measure_id: str, dimension: str, value_col: str = "value") -> pd.DataFrame:
    """The gap as a measure of its own, in canonical long form: measure_id, period, value.

    measure_id is `<measure>-gap-<dimension>`, so the gap can be uploaded, given a target
    and scored like any other measure. Only rows of `dimension` are used; pass a
    suppressed frame with value_col='shown' to publish a gap that can't leak a small count.
    """
    part = frame[frame["dimension"] == dimension] if "dimension" in frame else frame
    g = gaps(part, value_col)
    g = g[g["value"].notna()]
    return pd.DataFrame({"measure_id": gap_measure_id(measure_id, dimension), "period": g["period"].astype(str),
                         "value": g["value"].astype(float)}).reset_index(drop=True)


def vs_city(groups: pd.DataFrame, city: pd.DataFrame, counts: bool, value_col: str = "shown") -> pd.DataFrame:
    """Each group against the city figure in the same period.

    For counts: the group's share of the city total, in percent. For rates and levels:
    the difference from the city figure, in the measure's unit. Adds column vs_city.
    """
    c = city.drop_duplicates("period").set_index("period")["value"].astype(float)
    ref = groups["period"].map(c)
    v = groups[value_col].astype(float)
    out = groups.copy()
    out["vs_city"] = (100 * v / ref.where(ref != 0)) if counts else (v - ref)
    return out
