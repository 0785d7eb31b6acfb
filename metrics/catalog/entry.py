"""An owner types this period's value (and breakdowns) with a narrative, in one step.

The value goes in as a one-row upload (a small long-format file built here): the same reader,
validation, preview, revision history and audit as a department's CSV, so a typed value can be
rolled back like a file on the Upload page. The narrative is saved for the same period in the same
transaction, so a narrative that is refused leaves the value unloaded too.
"""

from __future__ import annotations

import csv
import io

from metrics import access
from metrics.catalog._common import TEXT_MAX_CHARS, CatalogError, number_field, raise_if, text_field
from metrics.catalog.notes import set_narrative, write_narrative
from metrics.ingest.commit import ingest


def enter_value(url: str | None, measure_id: str, period: str, value: object, *,
                breakdowns: dict[tuple[str, str], object] | None = None, narrative: str | None = None,
                actor: access.Actor) -> dict:
    """Load one period's value (plus breakdown cells) as an upload, with its narrative, in one transaction.

    Returns {"upload_id", "message", "narrative": set_narrative's result or None}. A rejected value
    raises CatalogError with the upload's reasons; nothing is written then (not the narrative either).
    """
    access.ensure_allowed(actor, "upload-csv")
    errors: list[str] = []
    number_field(value, "The value", errors, required=True)
    cells = {}
    for (dim, member), v in (breakdowns or {}).items():
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        cells[(str(dim).strip(), str(member).strip())] = number_field(v, f"The value for {dim}={member}", errors)
    if narrative is not None:
        text_field(narrative, "The narrative", errors, TEXT_MAX_CHARS)
    raise_if(errors)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["measure_id", "period", "dimension", "member", "value"])
    w.writerow([measure_id, period, "", "", str(value).replace(",", "").strip()])
    for (dim, member), v in cells.items():
        w.writerow([measure_id, period, dim, member, repr(float(v))])
    story: dict = {}
    wanted = narrative is not None and narrative.strip()
    if wanted:
        access.ensure_allowed(actor, "write-narrative")

    def with_narrative(conn, _upload_id: int) -> None:
        if wanted:
            story.update(write_narrative(conn, measure_id, period, narrative, actor=actor))

    out = ingest(buf.getvalue().encode(), url, file_name=f"typed {measure_id} {period}.csv", actor=actor,
                 then=with_narrative)
    if out.status not in ("committed", "duplicate"):
        reasons = [e.message for e in out.report.errors] or [out.message]
        raise CatalogError([f"The value was not loaded: {r}" for r in reasons])
    if out.status == "duplicate" and wanted:  # the same value was loaded before: only the narrative changes
        story.update(set_narrative(url, measure_id, period, narrative, actor=actor))
    return {"upload_id": out.upload_id, "message": out.message, "narrative": story or None}
