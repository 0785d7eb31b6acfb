"""Equity: one measure's groups or districts against each other and the city, over time.

Which cells are suppressed is not decided here: the visibility rule (sql/_visibility.sql)
flags every breakdown row `suppressed` and, for the public, leaves its value NULL. This view
only turns the flags into what the page shows: "suppressed" for the public, the raw number
marked "below N" (or "complement") for staff, and gaps, shares and the gap series computed
from the shown values alone, so no figure on the page gives a suppressed count back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from metrics.access import Actor
from metrics.domain import equity, text
from metrics.domain.settings import Settings
from metrics.views import base

UNKNOWN_MEASURE = "That measure has no breakdown or is not published; showing the first one instead."
UNKNOWN_DIMENSION = "That breakdown is not available for this measure; showing the first one instead."
NOT_BROKEN_DOWN = ("“{name}” is reported for the whole city only, with no breakdown by group or district; "
                   "showing “{first}”, which has one.")
NO_BREAKDOWNS = ("No measure has a breakdown by group or district yet. Upload rows with a dimension and member "
                 "(e.g. district=3) to see gaps here.")


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=columns)


@dataclass(frozen=True)
class LatestGap:
    period: str
    value: float
    change: float  # since `first_period`
    first_period: str
    high: str  # group labels ('District 3', 'Black')
    low: str


@dataclass(frozen=True)
class EquityView:
    version: int
    threshold: int  # the city's suppress_below
    staff: bool  # staff see raw values of suppressed cells, marked
    measures: pd.DataFrame  # id, name: the visible measures with a breakdown
    measure_id: str | None = None
    dimensions: tuple[str, ...] = ()
    dimension: str | None = None
    notice: str | None = None  # the URL asked for an unknown or invisible measure / breakdown
    note: str | None = None  # the measure asked for exists but has no breakdown (information, not a fault)
    empty_notice: str | None = None  # nothing to draw at all
    name: str = ""
    unit: str = ""
    kind: str = ""
    direction: str = ""
    counts: bool = True  # a count (rollup sum): suppression applies, vs-city is a share of the total
    city: pd.DataFrame = field(default_factory=lambda: _empty(["period", "period_end", "value"]))
    groups: pd.DataFrame = field(default_factory=lambda: _empty(
        ["measure_id", "period", "period_end", "dimension", "member", "value", "suppressed", "shown", "text"]))
    n_suppressed: int = 0
    gaps: pd.DataFrame = field(default_factory=lambda: _empty(["period", "value", "high_member", "low_member"]))
    latest_gap: LatestGap | None = None
    vs_city: pd.DataFrame = field(default_factory=lambda: _empty(["period", "member", "vs_city"]))
    vs_city_title: str = ""
    vs_city_unit: str = ""
    vs_city_reference: float | None = 0.0
    table: pd.DataFrame = field(default_factory=lambda: _empty(["period", "City"]))
    gap_id: str = ""
    gap_series: pd.DataFrame = field(default_factory=lambda: _empty(["measure_id", "period", "value"]))

    @property
    def n_groups(self) -> int:
        return int(self.groups["member"].nunique())

    @property
    def n_periods(self) -> int:
        return int(self.groups["period"].nunique())

    @property
    def gap_csv(self) -> str:
        """The gap series as a download (formula-neutralised; shown values only)."""
        return text.to_csv(self.gap_series)


def _pick(wanted: str | None, options: list[str], notice: str) -> tuple[str | None, str | None]:
    if not options:
        return None, None
    if wanted in (None, ""):
        return options[0], None
    if wanted in options:
        return wanted, None
    return options[0], notice


def build(conn_or_url: sa.Connection | str | None, actor: Actor | None, settings: Settings | None = None, *,
          measure_id: str | None = None, dimension: str | None = None) -> EquityView:
    """The Equity page for `actor`: the chosen measure (or the first with a breakdown) by `dimension`."""
    with base.read(conn_or_url, actor, settings) as r:
        measures = r.frame("measures")
        broken_down = r.frame("disaggregated_measures")
        version, staff, threshold = r.version, r.vis.staff, int(r.settings.suppress_below)
        with_dims = set(broken_down["measure_id"])
        listed = measures[measures["id"].isin(with_dims)][["id", "name"]].reset_index(drop=True)
        chosen, notice = _pick(measure_id, listed["id"].tolist(), UNKNOWN_MEASURE)
        note = None
        if notice and chosen is not None and measure_id in set(measures["id"]):
            names = dict(zip(measures["id"], measures["name"].astype(str), strict=True))
            notice, note = None, NOT_BROKEN_DOWN.format(name=names[measure_id], first=names[chosen])
        if chosen is None:
            return EquityView(version=version, threshold=threshold, staff=staff, measures=listed,
                              empty_notice=NO_BREAKDOWNS)
        obs = r.frame("measure_observations", measure_id=chosen)

    m = measures.set_index("id").loc[chosen]
    dims = broken_down.loc[broken_down["measure_id"] == chosen, "dimension"].tolist()
    dim, dim_notice = _pick(None if notice or note else dimension, dims, UNKNOWN_DIMENSION)
    notice = " ".join(n for n in (notice, dim_notice) if n) or None
    unit = m["unit"] if isinstance(m["unit"], str) else ""
    counts = (m["rollup"] if isinstance(m["rollup"], str) and m["rollup"] else "sum") == "sum"

    city = obs[obs["dimension"] == ""].sort_values("period_end")[["period", "period_end", "value"]]
    city = city.reset_index(drop=True)
    groups = equity.shown_from_flags(obs[obs["dimension"] == dim].sort_values(["period_end", "member"]))
    digits = 0 if counts else 2
    groups["text"] = equity.display_values(groups, digits, below=threshold if staff else None)
    if not staff:  # the rule already hid them; never hand the public a number for a suppressed cell
        groups.loc[groups["suppressed"], ["value", "numerator", "denominator"]] = None
    groups = groups.reset_index(drop=True)

    gaps = equity.gaps(groups).dropna(subset=["value"]).reset_index(drop=True)
    latest = None
    if not gaps.empty:
        last, first = gaps.iloc[-1], gaps.iloc[0]
        latest = LatestGap(period=str(last["period"]), value=float(last["value"]),
                           change=float(last["value"] - first["value"]), first_period=str(first["period"]),
                           high=equity.group_label(last["high_member"], dim),
                           low=equity.group_label(last["low_member"], dim))

    vs = equity.vs_city(groups, city, counts)[["period", "member", "vs_city"]]
    if counts:
        vs_title, vs_unit, vs_ref = "Share of the city total (%)", "%", None
    else:
        vs_title, vs_unit, vs_ref = f"Difference from the city figure ({unit})", f" {unit}", 0.0

    wide = groups.pivot(index="period", columns="member", values="text")
    wide = wide.reindex(city["period"].tolist()[::-1]).dropna(how="all")
    wide.insert(0, "City", city.set_index("period")["value"].reindex(wide.index).map(text.number))
    wide.columns = [str(c) for c in wide.columns]
    table = wide.rename_axis("period").reset_index()

    return EquityView(
        version=version, threshold=threshold, staff=staff, measures=listed, measure_id=chosen,
        dimensions=tuple(dims), dimension=dim, notice=notice, note=note, name=str(m["name"]), unit=unit,
        kind=str(m["kind"] or ""), direction=str(m["direction"] or ""), counts=counts, city=city, groups=groups,
        n_suppressed=int(groups["suppressed"].sum()), gaps=gaps, latest_gap=latest, vs_city=vs,
        vs_city_title=vs_title, vs_city_unit=vs_unit, vs_city_reference=vs_ref, table=table,
        gap_id=equity.gap_measure_id(chosen, dim),
        gap_series=equity.gap_series(groups, chosen, dim, value_col="shown"))
