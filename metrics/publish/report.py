"""The council report: `python -m metrics report --period 2018-Q1 --out report.pdf|report.xlsx [--goal G]`.

What the mayor's office takes to council for one period, as of the period's last day: a cover,
the city score, each priority and goal with its measures' status, the outcome chart with its
target line, the goal's narrative, and What Works Cities progress. Excel gets a summary sheet,
one sheet per goal and the period's raw figures, every text cell formula-neutralised.

Content comes from the views (overview, goal, certification, opendata) read as the given
actor (staff for the CLI), so it agrees with the dashboard for the same day; drafts never
count. Nothing odd is an error: a period with no data is a report that says so, a goal with
no measures says so, a measure without a target shows "No target", narrative text is text
(raw HTML shows as written). Only unusable input is refused, in one sentence: a bad period
label, an unknown goal, an output that is neither .pdf nor .xlsx.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from metrics import access
from metrics.charts import dashboards as charts
from metrics.domain import periods, text
from metrics.domain.vocabulary import STATUSES, WWC_STATUS_LABELS
from metrics.errors import InputError
from metrics.views import base
from metrics.views import certification as cert_view
from metrics.views import goal as goal_view
from metrics.views import notes as notes_view
from metrics.views import opendata as opendata_view
from metrics.views import overview as overview_view

MEASURE_COLUMNS = ["status", "measure", "kind", "period", "actual", "target", "unit", "narrative"]
NARRATIVE_COLUMNS = ["measure_id", "measure", "period", "body"]
RAW_COLUMNS = ["measure_id", "measure_name", "unit", "period", "period_end", "dimension", "member", "value"]


class ReportError(InputError):
    """The report can't be made from this input; one sentence."""


@dataclass
class GoalSection:
    id: str
    name: str
    priority: str
    statement: str | None
    narrative: str | None
    target_date: str | None
    measures: pd.DataFrame  # MEASURE_COLUMNS (display text)
    outcome_name: str | None = None
    outcome_unit: str = ""
    outcome_history: pd.DataFrame | None = None  # up to the period's end
    outcome_targets: pd.DataFrame | None = None
    outcome_direction: str = "higher"
    key_number: str | None = None
    chart_png: bytes | None = None
    marks: pd.DataFrame | None = None  # the outcome's annotations on the chart, numbered (notes.MARK_COLUMNS)
    narratives: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=NARRATIVE_COLUMNS))


@dataclass
class Report:
    city: str
    period: str
    as_of: date
    score: float | None
    n_scored: int
    counts: dict[str, int]
    goals: list[GoalSection]
    wwc: dict[str, object]
    raw: pd.DataFrame
    no_data: bool
    seconds: float = 0.0
    out: Path | None = None
    extras: dict[str, object] = field(default_factory=dict)

    def summary(self) -> str:
        n = len(self.goals)
        what = "no figures for this period" if self.no_data else f"{n} goal{'' if n == 1 else 's'}"
        return f"wrote the {self.period} report ({what}) to {self.out} in {self.seconds:.1f}s"


def _narratives(frame: pd.DataFrame, notes: notes_view.Notes, start: pd.Timestamp, day: date) -> pd.DataFrame:
    """Each measure's "why it moved" for the report: the narratives of periods within the report's
    period, and the one of the period its row shows (a measure that reported earlier), oldest first."""
    rows = []
    for mid, name, period in zip(frame["measure_id"], frame["name"], frame["period"], strict=True):
        mine = notes.narratives_of(str(mid), start, day)
        shown = notes.narratives[(notes.narratives["measure_id"] == str(mid))
                                 & (notes.narratives["period"] == str(period))]
        for n in pd.concat([shown, mine]).drop_duplicates("period").sort_values("period_end").itertuples():
            rows.append((str(mid), text.shown(name), n.period, n.body))
    return pd.DataFrame(rows, columns=NARRATIVE_COLUMNS)


def _narrative_cell(measure_id: str, period: object, said: pd.DataFrame) -> str | None:
    """The workbook's narrative column: the body, prefixed with its period when it is not the row's."""
    mine = said[said["measure_id"] == str(measure_id)]
    if mine.empty:
        return None
    return "\n".join(b if p == period else f"{p}: {b}" for p, b in zip(mine["period"], mine["body"], strict=True))


def _measure_rows(frame: pd.DataFrame, said: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=MEASURE_COLUMNS)
    names = frame["name"].map(text.shown)
    return pd.DataFrame({
        "status": [STATUSES[s].label if s in STATUSES else str(s) for s in frame["status"]],
        "measure": names, "kind": frame["kind"].map(text.shown),
        "period": frame["period"].map(text.shown),
        "actual": pd.to_numeric(frame["actual"], errors="coerce"),
        "target": pd.to_numeric(frame["target"], errors="coerce"),
        "unit": frame["unit"].map(lambda u: "" if u is None or (not isinstance(u, str) and pd.isna(u)) else u),
        "narrative": [_narrative_cell(m, p, said) for m, p in zip(frame["measure_id"], frame["period"], strict=True)]})


def build(url: str | sa.Connection | None, period: str, actor: access.Actor, goal_id: str | None = None) -> Report:
    """Everything the report shows, as `actor` may see it, as of the end of `period`."""
    access.ensure_allowed(actor, "export-data")
    with base.read(url, actor) as r:
        conn, cfg = r.conn, r.settings
        try:
            day = periods.parse(period, cfg.fiscal_start_month).end
        except periods.PeriodError as exc:
            raise ReportError(f"--period must be a canonical period label such as 2018-03, 2018-Q1, 2018 or FY2019: "
                              f"{exc}") from None
        ov = overview_view.build(conn, actor, cfg, today=day)
        first = goal_view.build(conn, actor, cfg)
        if goal_id and goal_id not in first.goals:
            raise ReportError(f"there is no goal '{goal_id}' to report on (see `python -m metrics goals list`)")
        ids = [goal_id] if goal_id else list(first.goals)
        notes = notes_view.read(r)
        start = pd.Timestamp(periods.parse(period, cfg.fiscal_start_month).start)
        status = ov.status[ov.status["state"].fillna("published") == "published"] if not ov.status.empty \
            else ov.status
        sections = []
        for gid in ids:
            g = goal_view.build(conn, actor, cfg, goal_id=gid)
            mine = status[status["goal_id"] == gid] if not status.empty else status
            said = _narratives(mine, notes, start, day) if not mine.empty else pd.DataFrame(columns=NARRATIVE_COLUMNS)
            sec = GoalSection(id=gid, name=g.goal.name, priority=g.goal.priority or "", statement=g.goal.statement,
                              narrative=g.goal.narrative, target_date=g.goal.target_date,
                              measures=_measure_rows(mine, said), narratives=said)
            if g.outcome is not None:
                hist = g.outcome.history
                hist = hist[pd.to_datetime(hist["period_end"]) <= pd.Timestamp(day)].reset_index(drop=True)
                if not hist.empty:
                    sec.outcome_name, sec.outcome_unit = g.outcome.name, g.outcome.unit
                    sec.outcome_history, sec.outcome_targets = hist, g.outcome.targets
                    sec.outcome_direction = g.outcome.direction
                    sec.marks = notes_view.numbered(notes.annotations_of(g.outcome.id), hist["period"],
                                                    g.outcome.frequency, cfg.fiscal_start_month, until=day)
                    last = hist.iloc[-1]
                    sec.key_number = (f"{last['period']}: {text.number(float(last['value']), g.outcome.unit)}")
            sections.append(sec)
        cert = cert_view.build(conn, actor, cfg, as_of=day)
        data = opendata_view.build(conn, actor, cfg)
    a = cert.assessment
    wwc = {} if a is None else {"level": a.level or "Not certified", "met": a.met, "total": a.total,
                                "core_met": a.core_met, "next_level": a.next_level,
                                "needed_for_next": a.needed_for_next,
                                "by_status": {WWC_STATUS_LABELS[k]: int((cert.criteria["status"] == k).sum())
                                              for k in WWC_STATUS_LABELS}}
    raw = data.rows
    published = set(status["measure_id"]) if not status.empty else set()
    keep = raw["measure_id"].isin(published) & raw["period_end"].notna()
    ends = pd.to_datetime(raw.loc[keep, "period_end"])
    in_period = ends[(ends >= start) & (ends <= pd.Timestamp(day))].index
    raw = raw.loc[in_period]
    if goal_id:
        raw = raw[raw["measure_id"].isin(set(status.loc[status["goal_id"] == goal_id, "measure_id"]))]
    scored = ov.composite.n_scored
    no_data = status.empty or status["period"].isna().all() or (status["status"] == "no_data").all()
    return Report(city=cfg.city_name, period=period, as_of=day, score=ov.composite.score if scored else None,
                  n_scored=scored, counts={STATUSES[k].label: n for k, n in ov.counts.items() if n},
                  goals=sections, wwc=wwc, raw=raw[RAW_COLUMNS].reset_index(drop=True), no_data=bool(no_data))


# ------------------------------------------------------------------------------------------- charts

def render_charts(report: Report) -> None:
    """Each goal's outcome chart as a PNG (plotly static export: kaleido with Debian's chromium)."""
    todo = [s for s in report.goals if s.outcome_history is not None]
    if not todo:
        return
    from metrics.publish import images

    with images.exporter():
        for s in todo:
            marks = None if s.marks is None else s.marks.assign(body=s.marks["label"])  # [1] on the chart
            fig = charts.history_chart(s.outcome_history, s.outcome_targets, s.outcome_name, s.outcome_unit,
                                       s.outcome_direction, annotations=marks)
            fig.update_layout(title={"text": f"{text.html_text(s.outcome_name)}: actual and target, to "
                                             f"{report.period}"}, width=900, height=380,
                              yaxis_title=text.html_text(s.outcome_unit), margin={"l": 10, "r": 10, "t": 80, "b": 10})
            s.chart_png = fig.to_image(format="png", width=900, height=380, scale=2)


# ------------------------------------------------------------------------------------------- writers

def write_report(out: str | Path, *, period: str, url: str | None = None, actor: access.Actor | None = None,
                 goal_id: str | None = None) -> Report:
    """Write the report to `out` (.pdf or .xlsx); returns what was written."""
    started = time.perf_counter()
    out = Path(out)
    kind = out.suffix.lower()
    if kind not in (".pdf", ".xlsx"):
        raise ReportError(f"--out must end in .pdf or .xlsx, not '{out.name}'")
    from metrics import cli

    who = actor or cli.actor()
    report = build(url, period, who, goal_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = to_pdf(report) if kind == ".pdf" else to_xlsx(report)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    report.out, report.seconds = out, time.perf_counter() - started
    return report


def to_pdf(report: Report) -> bytes:
    from metrics.publish import report_pdf

    render_charts(report)
    return report_pdf.render(report)


def to_xlsx(report: Report) -> bytes:
    from metrics.publish import report_xlsx

    buf = io.BytesIO()
    report_xlsx.render(report, buf)
    return buf.getvalue()
