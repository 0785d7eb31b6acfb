"""The Measure screen: one KPI's history against its target, its breakdowns, data and methodology.

Everything is read through one snapshot as the reader may see it. Breakdown cells come from
the one visibility rule (sql/_visibility.sql) already suppressed: for the public a suppressed
cell has no value, and the table and the download say "suppressed" instead; staff keep the
raw number, marked as below the threshold. The breakdown chart never plots a suppressed cell.
An unknown or hidden measure id gives a `notice` and the first measure, never an error and
never a hint that the hidden measure exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd
import sqlalchemy as sa

from metrics.access import Actor
from metrics.domain import periods, scoring, spc, text
from metrics.domain.equity import SUPPRESSED
from metrics.domain.settings import Settings
from metrics.domain.vocabulary import DIRECTION_LABELS, FREQUENCY_LABELS, KIND_LABELS
from metrics.views import base

NO_MEASURES = "There are no measures yet. Load the demo city (`python -m metrics demo`) or upload a file."
UNKNOWN = "That measure does not exist or is not published; showing the first measure instead."
TABLE_COLUMNS = ["period", "dimension", "member", "value"]
DOWNLOAD_COLUMNS = ["measure_id", "period", "dimension", "member", "value", "note"]


@dataclass(frozen=True)
class MeasureInfo:
    id: str
    name: str
    kind: str
    kind_label: str
    direction: str
    direction_label: str  # "higher is better"
    frequency: str
    frequency_label: str
    unit: str
    department: str
    goal_id: str
    goal_name: str
    state: str
    methodology: str
    data_source: str
    owner: str  # staff only: '' for the public


@dataclass(frozen=True)
class Latest:
    period: str | None
    actual: float
    target: float
    change_prev: float
    last_year: float  # the same period a year earlier (NaN when not reported)
    status: str


@dataclass(frozen=True)
class Lookup:
    period: str
    value: float
    last_year_label: str
    change_on_last_year: float | None  # None when the same period last year was not reported
    target: float | None  # the target in force when the period ended


@dataclass(frozen=True)
class MeasureView:
    version: int
    notice: str | None  # the requested measure is unknown or not visible (or there are none at all)
    measure_ids: tuple[str, ...]  # every measure the reader may open, in catalogue order
    names: dict[str, str]
    measure: MeasureInfo | None  # None only when there is no measure at all
    history: pd.DataFrame  # aggregate rows, oldest first: period, period_end, value
    targets: pd.DataFrame  # this measure's targets over time
    latest: Latest | None
    spc_limits: tuple[float, float, float] | None  # (mean, lcl, ucl) when there are enough points
    spc_verdict: tuple[bool, str] | None  # (a real change?, the sentence: plain words, no limits, for the public)
    period_labels: tuple[str, ...]  # aggregate periods, latest first (the period look-up)
    lookup: Lookup | None  # the period asked for, else the latest
    dimensions: tuple[str, ...]
    dimension: str | None  # the breakdown shown (asked for, else the first)
    breakdown: pd.DataFrame  # period, member, value (NaN where suppressed: never plotted), suppressed, shown (text)
    n_suppressed: int  # breakdown cells suppressed for the public (all breakdowns)
    suppress_below: int
    public: bool  # the reader is the public: suppressed cells carry no number
    table: pd.DataFrame  # TABLE_COLUMNS, value as text ("suppressed" / "3 (below 11)" / the number)
    download: pd.DataFrame  # DOWNLOAD_COLUMNS: value empty and note "suppressed" for the public
    annotations: pd.DataFrame = field(default_factory=pd.DataFrame)  # on_date, period, body: chart markers
    narratives: pd.DataFrame = field(default_factory=pd.DataFrame)  # period, shown (safe Markdown), newest first


def _text(v: object) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def _number(v: float) -> str:
    """A table cell: the full value with thousands separators (3,024; 12.5)."""
    return "—" if pd.isna(v) else f"{float(v):,.15g}"


def _marker(value: float, threshold: int) -> str:
    """What staff see for a cell the public doesn't: the raw number and why it is hidden."""
    if not pd.isna(value) and value < threshold:
        return f"below {threshold}"
    return "hidden with a small count"  # complementary: otherwise the total would give the small one away


def _cells(obs: pd.DataFrame, public: bool, threshold: int) -> tuple[pd.Series, pd.Series]:
    """(table text, download note) per observation row, as the reader may see them."""
    flag = obs["suppressed"].fillna(False).astype(bool) if "suppressed" in obs else pd.Series(False, index=obs.index)
    shown, notes = [], []
    for v, hidden in zip(obs["value"], flag, strict=True):
        if not hidden:
            shown.append(_number(v))
            notes.append("")
        elif public:
            shown.append(SUPPRESSED)
            notes.append(SUPPRESSED)
        else:
            note = _marker(v, threshold)
            shown.append(f"{_number(v)} ({note})")
            notes.append(note)
    return pd.Series(shown, index=obs.index, dtype=object), pd.Series(notes, index=obs.index, dtype=object)


def _info(m: pd.Series) -> MeasureInfo:
    kind, direction, freq = _text(m["kind"]), _text(m["direction"]), _text(m["frequency"])
    return MeasureInfo(
        id=str(m["id"]), name=_text(m["name"]), kind=kind, kind_label=KIND_LABELS.get(kind, kind.title()),
        direction=direction, direction_label=DIRECTION_LABELS.get(direction, direction),
        frequency=freq, frequency_label=FREQUENCY_LABELS.get(freq, freq.replace("_", " ")),
        unit=_text(m["unit"]), department=_text(m["department"]), goal_id=_text(m["goal_id"]),
        goal_name=_text(m["goal_name"]), state=_text(m["state"]), methodology=_text(m["methodology"]),
        data_source=_text(m["data_source"]), owner=_text(m["owner"]))


def _float(v: object) -> float:
    return math.nan if v is None or pd.isna(v) else float(v)


def _empty(version: int, notice: str, public: bool, threshold: int) -> MeasureView:
    return MeasureView(version=version, notice=notice, measure_ids=(), names={}, measure=None,
                       history=pd.DataFrame(columns=["period", "period_end", "value"]), targets=pd.DataFrame(),
                       latest=None, spc_limits=None, spc_verdict=None, period_labels=(), lookup=None, dimensions=(),
                       dimension=None, breakdown=pd.DataFrame(columns=["period", "member", "value", "suppressed", "shown"]),
                       n_suppressed=0, suppress_below=threshold, public=public,
                       table=pd.DataFrame(columns=TABLE_COLUMNS), download=pd.DataFrame(columns=DOWNLOAD_COLUMNS))


def build(conn_or_url: sa.Connection | str | None, actor: Actor | None, settings: Settings | None = None, *,
          measure_id: str | None = None, period: str | None = None, dimension: str | None = None,
          today: date | None = None) -> MeasureView:
    """One measure as `actor` may see it; `measure_id` unknown or hidden -> the first one, with a notice."""
    day = today or date.today()
    with base.read(conn_or_url, actor, settings) as r:
        cfg, public, version = r.settings, r.vis.public, r.version
        threshold = r.vis.suppress_below
        measures = r.frame("measures")
        if measures.empty:
            return _empty(version, NO_MEASURES, public, threshold)
        ids = [str(i) for i in measures["id"]]
        notice = UNKNOWN if measure_id and measure_id not in ids else None
        chosen = measure_id if measure_id in ids else ids[0]
        obs = r.frame("measure_observations", measure_id=chosen)
        targets = r.frame("targets")
        dated = r.frame("annotations", measure_id=chosen)
        narr = r.frame("narratives", measure_id=chosen)
    targets = targets[targets["measure_id"] == chosen].reset_index(drop=True)
    row = measures[measures["id"] == chosen]
    info = _info(row.iloc[0])
    if public:  # who does the work is internal (DESIGN: no staff-only facts on public pages)
        info = replace(info, owner="")
    fsm = cfg.fiscal_start_month

    agg = obs[obs["dimension"] == ""].sort_values("period_end").reset_index(drop=True)
    history = agg[["measure_id", "period", "period_end", "value"]]
    now = scoring.latest_status(row, agg, targets, day, cap=cfg.composite_cap, grace_days=cfg.grace_days).iloc[0]
    latest = Latest(period=now["period"] or None, actual=_float(now["actual"]), target=_float(now["target"]),
                    change_prev=_float(now["change_prev"]),
                    last_year=_float(now["actual"]) - _float(now["change_yoy"]), status=str(now["status"]))

    limits = verdict = None
    values = agg["value"].astype(float).reset_index(drop=True)
    if len(agg) >= spc.MIN_SPC_POINTS:
        cl = spc.control_limits(values)
        limits = (cl.mean, cl.lcl, cl.ucl)
        verdict = spc.is_real_change(values)
        if public:  # plain words and no control limits on the chart: "within normal variation"
            limits, verdict = None, (verdict[0], spc.plain_sentence(verdict))

    labels = tuple(agg["period"].astype(str).tolist()[::-1])
    lookup = None
    if labels:
        pick = period if period in labels else labels[0]
        by_period = dict(zip(agg["period"].astype(str), agg["value"].astype(float), strict=True))
        before = periods.same_period_last_year(pick, fsm)
        end = agg.loc[agg["period"].astype(str) == pick, "period_end"].iloc[0]
        t = scoring.target_for(targets, chosen, end)
        lookup = Lookup(period=pick, value=by_period[pick], last_year_label=before,
                        change_on_last_year=by_period[pick] - by_period[before] if before in by_period else None,
                        target=t.value if t else None)

    parts = obs[obs["dimension"] != ""]
    dims = tuple(sorted(str(d) for d in parts["dimension"].unique()))
    dim = dimension if dimension in dims else (dims[0] if dims else None)
    part = parts[parts["dimension"] == dim].sort_values(["period_end", "member"])
    flags = part["suppressed"].fillna(False).astype(bool)
    breakdown = pd.DataFrame({"period": part["period"], "member": part["member"],
                              "value": part["value"].astype(float).where(~flags), "suppressed": flags,
                              "shown": _cells(part, public, threshold)[0]}).reset_index(drop=True)

    shown, notes = _cells(obs, public, threshold)
    table = obs.assign(value=shown)[TABLE_COLUMNS].sort_values(["period", "dimension", "member"],
                                                               ascending=[False, True, True]).reset_index(drop=True)
    download = obs.assign(note=notes)[DOWNLOAD_COLUMNS].reset_index(drop=True)
    if public:  # the rule already left these cells empty; never let a number through to a file
        download.loc[download["note"] == SUPPRESSED, "value"] = math.nan
    return MeasureView(
        version=version, notice=notice, measure_ids=tuple(ids),
        names=dict(zip(ids, (_text(n) for n in measures["name"]), strict=True)), measure=info,
        history=history, targets=targets, latest=latest, spc_limits=limits, spc_verdict=verdict,
        period_labels=labels, lookup=lookup, dimensions=dims, dimension=dim, breakdown=breakdown,
        n_suppressed=int(parts["suppressed"].fillna(False).astype(bool).sum()), suppress_below=threshold,
        public=public, table=table, download=download,
        annotations=annotation_marks(dated, info.frequency, fsm),
        narratives=pd.DataFrame({"period": narr["period"].astype(str), "shown": [text.markdown(b) for b in narr["body"]]}))


def annotation_marks(notes: pd.DataFrame, frequency: str, fiscal_start_month: int) -> pd.DataFrame:
    """Annotations placed on a chart's period axis: the period of the measure's frequency each date falls in."""
    if notes.empty:
        return pd.DataFrame(columns=["on_date", "period", "body"])
    return pd.DataFrame({"on_date": notes["on_date"],
                         "period": [periods.label_of(d, frequency, fiscal_start_month) for d in notes["on_date"]],
                         "body": notes["body"].astype(str)}).reset_index(drop=True)
