"""Upload history: the reads behind the Upload page and `python -m metrics uploads`.

File names and who uploaded are staff facts, so the `uploads` query gives the public no
rows (the visibility rule's `:vis_staff`). The writes (dry run, commit, rollback) live in
metrics.ingest and take the page's actor; this module only reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from metrics.access import Actor
from metrics.domain.settings import Settings
from metrics.views import base

#: Columns of the `uploads` query, in the order the CLI prints them.
COLUMNS = ["id", "file_name", "sha256", "uploaded_by", "uploaded_at", "layout", "rows_total", "rows_accepted",
           "rows_rejected", "rows_new", "rows_changed", "status", "rolled_back_at", "rolled_back_by"]


@dataclass(frozen=True)
class Upload:
    """One row of the history, ready to draw."""

    id: int
    file_name: str
    when: str  # "YYYY-MM-DD HH:MM"
    uploaded_by: str | None
    layout: str | None
    rows_new: int
    rows_changed: int
    status: str  # committed | rolled_back
    status_label: str  # "committed", "rolled back"
    can_roll_back: bool  # committed (data and measure-registry uploads alike; the rollback may still refuse)


@dataclass(frozen=True)
class UploadHistoryView:
    uploads: tuple[Upload, ...]
    rows: pd.DataFrame  # the same rows as the query returns them (CLI table / JSON)
    version: int
    notice: str | None = None  # why there is nothing to show, when there isn't

    @property
    def empty(self) -> bool:
        return not self.uploads


def _int(value: object) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def _when(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"


def _upload(row: dict) -> Upload:
    status = str(row["status"] or "")
    layout = row["layout"] if isinstance(row["layout"], str) else None
    by = row["uploaded_by"] if isinstance(row["uploaded_by"], str) and row["uploaded_by"] else None
    return Upload(id=int(row["id"]), file_name=str(row["file_name"] or ""), when=_when(row["uploaded_at"]),
                  uploaded_by=by, layout=layout, rows_new=_int(row["rows_new"]),
                  rows_changed=_int(row["rows_changed"]), status=status, status_label=status.replace("_", " "),
                  can_roll_back=status == "committed")


def history(conn_or_url: sa.Connection | str | None, actor: Actor | None, settings: Settings | None = None, *,
            limit: int = 50) -> UploadHistoryView:
    """Uploads newest first, as `actor` may see them (the public: none)."""
    with base.read(conn_or_url, actor, settings) as r:
        rows = r.frame("uploads", limit=max(int(limit), 0))
        version, public = r.version, r.vis.public
    rows = rows.reindex(columns=COLUMNS)
    uploads = tuple(_upload(row) for row in rows.to_dict("records"))
    notice = None
    if public:
        notice = "The upload history is shown to staff only."
    elif not uploads:
        notice = "No uploads yet."
    return UploadHistoryView(uploads=uploads, rows=rows, version=version, notice=notice)
