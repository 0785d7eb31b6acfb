"""The council report as a PDF (ReportLab platypus): cover, city score, WWC, then priority by priority.

ReportLab's Paragraph reads a small markup language, so every piece of data text is escaped
(html.escape) before it goes in: a narrative holding `<b>` or `<script>` prints as written.
"""

from __future__ import annotations

import html
import io
from datetime import date

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from metrics.domain import text
from metrics.domain.vocabulary import STATUSES

_STYLES = getSampleStyleSheet()
H1 = ParagraphStyle("h1", parent=_STYLES["Heading1"], fontSize=20, spaceAfter=8)
H2 = ParagraphStyle("h2", parent=_STYLES["Heading2"], fontSize=15, spaceBefore=10)
H3 = ParagraphStyle("h3", parent=_STYLES["Heading3"], fontSize=12, spaceBefore=8)
BODY = ParagraphStyle("body", parent=_STYLES["BodyText"], fontSize=10, leading=13)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=11, textColor=colors.HexColor("#444444"))
COVER = ParagraphStyle("cover", parent=H1, fontSize=28, leading=34, spaceAfter=16)
_COLOUR = {s.label: s.colour for s in STATUSES.values()}


def esc(value: object) -> str:
    return html.escape(text.shown(value), quote=False).replace("\n", "<br/>")


def _p(value: object, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(esc(value), style)


def _num(value: object, unit: str) -> str:
    return text.number(None if value is None or pd.isna(value) else float(value), unit)


def _measures_table(frame: pd.DataFrame) -> Table:
    head = ["Status", "Measure", "Period", "Actual", "Target"]
    rows = [[_p(h, SMALL) for h in head]]
    for r in frame.itertuples(index=False):
        rows.append([_p(r.status, SMALL), _p(r.measure, SMALL), _p(r.period, SMALL),
                     _p(_num(r.actual, r.unit), SMALL), _p(_num(r.target, r.unit), SMALL)])
    t = Table(rows, colWidths=[24 * mm, 78 * mm, 20 * mm, 28 * mm, 28 * mm], repeatRows=1)
    style = [("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
             ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf2")), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    for i, r in enumerate(frame.itertuples(index=False), start=1):
        colour = _COLOUR.get(r.status)
        if colour:
            style.append(("LINEBEFORE", (0, i), (0, i), 4, colors.HexColor(colour)))
    t.setStyle(TableStyle(style))
    return t


def _marks_list(marks: pd.DataFrame | None) -> list:
    """The chart's numbered annotations spelled out under it: "[1] 2018-02-15 (2018-Q1): text"."""
    if marks is None or marks.empty:
        return []
    out: list = [Paragraph("Notes on the chart", SMALL)]
    for m in marks.itertuples(index=False):
        out.append(Paragraph(f"<b>{esc(m.label)}</b> {esc(m.on_date)} ({esc(m.period)}): {esc(m.body)}", SMALL))
    return out


def _why_it_moved(said: pd.DataFrame) -> list:
    """Each measure's narrative for the period, as typed (raw HTML or Markdown prints as written)."""
    if said.empty:
        return []
    out: list = [Paragraph("Why it moved", H3)]
    for n in said.itertuples(index=False):
        out.append(Paragraph(f"<b>{esc(n.measure)}, {esc(n.period)}.</b> {esc(n.body)}", BODY))
        out.append(Spacer(1, 3))
    return out


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.setFillColor(colors.HexColor("#444444"))
    canvas.drawString(18 * mm, 10 * mm, doc.report_footer)
    canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Page {doc.page}")
    canvas.restoreState()


def render(report) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"{report.city} performance report {report.period}",
                            author=f"{report.city} performance team", subject=f"Council report, {report.period}")
    doc.report_footer = f"{report.city} · performance report {report.period} · data as of {report.as_of}"
    story: list = [Spacer(1, 40 * mm), Paragraph(esc(report.city), COVER),
                   Paragraph(f"Performance report, {esc(report.period)}", H1),
                   _p(f"Figures as of {report.as_of.isoformat()} (the end of {report.period}). Published measures "
                      f"only; each measure is judged against the target in force for its period."),
                   _p(f"Prepared {date.today().isoformat()}.", SMALL), PageBreak()]
    story.append(Paragraph("City score", H1))
    if report.no_data:
        story.append(_p(f"No figures were reported for {report.period} or earlier, so there is nothing to score "
                        "yet. The goals below are listed without figures."))
    elif report.score is None:
        story.append(_p("No measure had both a figure and a target for this period, so there is no city score."))
    else:
        story.append(Paragraph(f"<font size=26><b>{report.score:.0%}</b></font>", BODY))
        story.append(Spacer(1, 10))
        story.append(_p(f"The average of {report.n_scored} measures' results as a share of their targets "
                        "(inverted where lower is better, capped), as of the end of the period."))
    if report.counts:
        story.append(_p("Measures by status: " + ", ".join(f"{k} {v}" for k, v in report.counts.items()) + "."))
    if report.wwc:
        w = report.wwc
        story.append(Paragraph("What Works Cities certification", H2))
        story.append(_p(f"Level: {w['level']}. {w['met']} of {w['total']} criteria met "
                        f"({', '.join(f'{k.lower()} {v}' for k, v in w['by_status'].items())})."
                        + (f" {w['needed_for_next']} more needed for {w['next_level']}." if w.get("next_level")
                           else "")))
    priority = None
    for g in report.goals:
        if g.priority != priority:
            priority = g.priority
            story.append(PageBreak())
            story.append(Paragraph(esc(priority or "Goals"), H1))
        head = [Paragraph(esc(g.name), H2)]
        if g.statement:
            head.append(_p(g.statement))
        if g.target_date:
            head.append(_p(f"Target date: {g.target_date}", SMALL))
        if g.key_number:
            head.append(Paragraph(f"<b>{esc(g.outcome_name)}</b> — {esc(g.key_number)}", BODY))
        if g.chart_png:
            head.append(Image(io.BytesIO(g.chart_png), width=174 * mm, height=174 * mm * 380 / 900))
            head += _marks_list(g.marks)
        story.append(KeepTogether(head))
        if g.narrative:
            story.append(Paragraph("What happened and what we are doing", H3))
            story.append(_p(g.narrative))
        if g.measures.empty:
            story.append(_p("This goal has no published measures yet, so there is nothing to report for it."))
        else:
            story.append(Spacer(1, 4))
            story.append(_measures_table(g.measures))
            story += _why_it_moved(g.narratives)
    if not report.goals:
        story.append(_p("There are no goals to report on."))
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buf.getvalue()
