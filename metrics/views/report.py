"""The council report as a download for staff (the Overview's button): the same document as
`python -m metrics report`, built for the page's reader and returned as bytes."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from metrics import access
from metrics.access import Actor
from metrics.domain.settings import Settings
from metrics.errors import InputError

MIME = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class ReportFile:
    name: str
    data: bytes
    mime: str
    summary: str


def council_report(conn_or_url: sa.Connection | str | None, actor: Actor | None, settings: Settings | None = None,
                   *, period: str | None = None, fmt: str = "pdf", goal_id: str | None = None) -> ReportFile:
    """The report for `period` as PDF or Excel; staff only (it counts every published measure)."""
    from metrics.publish import report

    access.ensure_allowed(actor, "council-report")
    if not period:
        raise InputError("choose the period the report covers, such as 2018-Q1")
    if fmt not in MIME:
        raise InputError("the report is a PDF or an Excel workbook")
    made = report.build(conn_or_url, period, actor, goal_id)
    data = report.to_pdf(made) if fmt == "pdf" else report.to_xlsx(made)
    n = len(made.goals)
    return ReportFile(name=f"council-report-{period}{'-' + goal_id if goal_id else ''}.{fmt}", data=data,
                      mime=MIME[fmt], summary=f"{period}: {n} goal{'' if n == 1 else 's'}"
                      + (", no figures for this period" if made.no_data else ""))
