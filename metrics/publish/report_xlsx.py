"""The council report as an Excel workbook (openpyxl): Summary, one sheet per goal, Raw data.

Every text cell goes through domain.text.neutralise first: a measure name or narrative that
starts with = + - @ would otherwise be a formula to Excel; it gets a leading apostrophe.
"""

from __future__ import annotations

import re
from typing import BinaryIO

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from metrics.domain import text

_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str, used: set[str]) -> str:
    base = _BAD.sub(" ", text.shown(name)).strip().strip("'")[:28] or "Goal"
    out, n = base, 2
    while out.lower() in used:
        out, n = f"{base[:25]} {n}", n + 1
    used.add(out.lower())
    return out


def _cell(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _put(ws, rows: list[list[object]]) -> None:
    width = max((len(r) for r in rows), default=0)
    padded = [list(r) + [None] * (width - len(r)) for r in rows]
    safe = text.neutralise(pd.DataFrame(padded, dtype=object)) if rows else pd.DataFrame()
    for row in safe.itertuples(index=False):
        ws.append([_cell(v) for v in row])


def _frame(ws, frame: pd.DataFrame, start_note: list[list[object]] | None = None) -> None:
    _put(ws, start_note or [])
    header_row = ws.max_row + 1 if start_note else 1
    safe = text.neutralise(frame)
    ws.append([str(c) for c in safe.columns])
    for c in ws[header_row]:
        c.font = Font(bold=True)
    for row in safe.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    for i, col in enumerate(safe.columns, start=1):
        width = max([len(str(col))] + [len(str(v)) for v in safe[col].head(200)]) + 2
        ws.column_dimensions[get_column_letter(i)].width = min(width, 60)


def _notes(ws, g) -> None:
    """Under the measures: the chart's numbered annotations, then every narrative of the period in full."""
    rows: list[list[object]] = []
    if g.marks is not None and not g.marks.empty:
        rows += [[], [f"Notes on the {g.outcome_name} chart"], ["Note", "Date", "Period", "Text"]]
        rows += [[m.label, m.on_date.isoformat(), m.period, m.body] for m in g.marks.itertuples(index=False)]
    if not g.narratives.empty:
        rows += [[], ["Why it moved"], ["Measure", "Period", "Narrative"]]
        rows += [[n.measure, n.period, n.body] for n in g.narratives.itertuples(index=False)]
    if not rows:
        return
    start = ws.max_row + 1
    _put(ws, rows)
    for r in ws.iter_rows(min_row=start):
        if r[0].value in ("Note", "Measure") or (r[0].value and all(c.value is None for c in r[1:])):
            for c in r:
                c.font = Font(bold=True)


def render(report, out: BinaryIO) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    rows: list[list[object]] = [[f"{report.city}: performance report {report.period}"],
                                ["Data as of", report.as_of.isoformat()],
                                ["City score", None if report.score is None else round(float(report.score), 4)],
                                ["Measures scored", report.n_scored]]
    if report.no_data:
        rows.append(["Note", f"No figures were reported for {report.period} or earlier."])
    rows += [[f"Measures {k.lower()}", v] for k, v in report.counts.items()]
    if report.wwc:
        rows += [["WWC level", report.wwc["level"]], ["WWC criteria met", report.wwc["met"]],
                 ["WWC criteria", report.wwc["total"]]]
    rows.append([])
    rows.append(["Goal", "Priority", "Measures", "Sheet"])
    used = {"summary", "raw data"}
    names = [_sheet_name(g.name, used) for g in report.goals]
    rows += [[g.name, g.priority, len(g.measures), n] for g, n in zip(report.goals, names, strict=True)]
    _put(ws, rows)
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 50
    for g, name in zip(report.goals, names, strict=True):
        sheet = wb.create_sheet(name)
        note = [[g.name], ["Priority", g.priority], ["Statement", g.statement], ["Target date", g.target_date]]
        if g.key_number:
            note.append([g.outcome_name, g.key_number])
        if g.narrative:
            note.append(["Narrative", g.narrative])
        if g.measures.empty:
            note.append(["Note", "This goal has no published measures yet."])
        note.append([])
        _frame(sheet, g.measures, note)
        _notes(sheet, g)
        sheet["A1"].font = Font(bold=True, size=13)
    raw = wb.create_sheet("Raw data")
    _frame(raw, report.raw)
    wb.save(out)
