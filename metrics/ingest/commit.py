"""Ingest into the database: read + validate (pure), preview (SQL diff), commit (one transaction).

    outcome = ingest("extract.csv", actor=who, dry_run=True)   # preview only, nothing written
    outcome = ingest("extract.csv", actor=who)                  # commit, or reject with a report

Everything that writes happens inside one `db.writer` transaction: the uploads row, one
`observation_revisions` row per changed observation (new ones carry the upload id, which is
how a rollback finds them), the upsert, targets (with history), draft measures, the
remembered mapping, their before-states in the upload's ledger (changes.py), the data
version and the audit entry.
Any error rolls all of it back; a rejected file never opens a writer. A file whose bytes
(sha256) match a committed upload is not loaded again.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
import sqlalchemy as sa

from metrics import access
from metrics.publish import hooks as publish_hooks
from metrics.store import db, meta, queries, rollups, schema

from . import changes, metadata, settings
from .errors import EmptyFile, TooLarge
from .layouts import CANONICAL
from .mapping import Mapping
from .preview import (
    Preview,
    diff,
    drop_stage,
    held_out_warning,
    observation_table,
    split_rows,
    stage,
    target_table,
)
from .registry import check_registry, draft_measures, insert_drafts, registry_rows, upsert_measures
from .report import IngestReport
from .validate import _period_facts, validate

#: Test hook: when set, a commit writes this file after the upsert and then sleeps inside
#: the open transaction, so a test can kill the process mid-commit.


@dataclass
class Outcome:
    """What happened to one file: rejected, previewed, committed, or already loaded."""

    status: str  # rejected | preview | committed | duplicate | failed
    message: str
    report: IngestReport
    file_name: str = ""
    sha256: str = ""
    layout: str | None = None
    preview: Preview | None = None
    upload_id: int | None = None
    rejected: pd.DataFrame = field(default_factory=pd.DataFrame)
    counts: dict[str, int] = field(default_factory=dict)
    #: The draft measures this upload creates, with the details read from the file (metadata.py).
    drafts: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def ok(self) -> bool:
        return self.status not in ("rejected", "failed")

    def to_summary(self) -> str:
        lines = [self.message, self.report.to_summary()]
        if self.counts:
            lines.insert(1, "  ".join(f"{k.replace('_', ' ')}: {v:,}" for k, v in self.counts.items()))
        lines[1:1] = self.report.info.get("measure_details") or []  # what the drafts get from the file
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "message": self.message, "file_name": self.file_name,
                "sha256": self.sha256, "layout": self.layout, "upload_id": self.upload_id,
                "counts": self.counts, "report": self.report.to_dict()}


#: on_progress(fraction 0..1, what is being done): a page's progress bar.
ProgressCallback = Callable[[float, str], None]


def _no_progress(fraction: float, step: str) -> None:
    return None


class _DryRun(Exception):  # noqa: N818 - control flow: roll the preview transaction back
    def __init__(self, preview: Preview):
        self.preview = preview


def _raw(source: str | Path | bytes | BinaryIO, max_bytes: int) -> tuple[bytes | None, str, int]:
    """(bytes or None when over the limit, file name, size) without reading an oversized file."""
    if isinstance(source, bytes | bytearray):
        return (bytes(source) if len(source) <= max_bytes else None), "<bytes>", len(source)
    if isinstance(source, str | Path):
        path = Path(source)
        size = path.stat().st_size
        return (path.read_bytes() if size <= max_bytes else None), path.name, size
    data = source.read(max_bytes + 1)
    return (data if len(data) <= max_bytes else None), getattr(source, "name", "<upload>"), len(data)


def _committed_upload_of(conn: sa.Connection, sha: str) -> int | None:
    found = conn.execute(sa.select(sa.func.min(schema.uploads.c.id)).where(
        schema.uploads.c.sha256 == sha, schema.uploads.c.status == "committed")).scalar()
    return None if found is None else int(found)


def _context(url: str | None, sha: str, on_wait: db.WaitCallback | None = None) -> dict[str, Any]:
    m = schema.measures
    with db.reader(url, on_wait=on_wait) as conn:
        dup = _committed_upload_of(conn, sha)
        cols = ["id", "frequency", "plausible_min", "plausible_max", "unit", "direction", "department"]
        known = pd.DataFrame(conn.execute(sa.select(*[m.c[c] for c in cols])).all(), columns=cols)
        remembered = dict(conn.execute(sa.select(schema.column_mappings.c.source_key,
                                                 schema.column_mappings.c.mapping)).all())
        fsm = int(meta.get_meta(conn, "fiscal_start_month", str(settings.FISCAL_START_MONTH)))
    return {"duplicate": dup, "known": known, "remembered": remembered, "fiscal_start_month": fsm}


def read_checked(raw: bytes, name: str, ctx: dict[str, Any], mapping: Mapping | None,
                 options: dict[str, Any] | None, create_measures: bool) -> tuple[pd.DataFrame, IngestReport,
                                                                                 pd.DataFrame]:
    """Read and validate against the measures the database knows; (frame, report, drafts)."""
    from . import read_file

    opts = {"fiscal_start_month": ctx["fiscal_start_month"], **(options or {})}
    frame, report = read_file(raw, mapping, opts)
    remembered = ctx["remembered"].get(report.info.get("source_key"))
    if mapping is None and remembered and remembered != report.info.get("mapping"):
        frame, report = read_file(raw, metadata.remembered_with_details(remembered, report.info["mapping"]), opts)
        report.info["mapping_from"] = "remembered"
    report.info["source"] = name
    drafts = pd.DataFrame()
    if frame.empty or frame.attrs.get("layout") == "registry":
        return frame, report, drafts
    fsm = frame.attrs.get("fiscal_start_month", ctx["fiscal_start_month"])
    known = ctx["known"]
    if create_measures:
        grain, _ = _period_facts(frame, fsm)
        # bytes or a stream with no name: the draft's source is unknown ("—"), not "<bytes>"
        drafts = draft_measures(frame, grain, set(known["id"]), None if name.startswith("<") else name)
        drafts, lines = metadata.fill_drafts(drafts, frame, name, frame.attrs.get("fields"))
        report.info["measure_details"] = lines
        known = pd.concat([known, drafts[["id", "frequency"]]], ignore_index=True)
    differ = metadata.differences(frame, ctx["known"], set(drafts.get("id", ())))
    if differ:
        report.info["measure_details"] = report.info.get("measure_details", []) + differ
    used = Mapping.from_json(report.info.get("mapping") or "{}")
    as_of = opts.get("as_of") or date.today()  # actuals may not start more than one cycle after today
    report.merge(validate(frame, known, as_of, fsm, report.error_limit, actual_kinds=used.actual_kinds))
    return frame, report, drafts


def _rejected(frame: pd.DataFrame, report: IngestReport) -> pd.DataFrame:
    bad = frame.index.isin(list(report.rejected_index))
    cols = [c for c in CANONICAL if c in frame.columns]
    return frame.loc[bad, cols]


@publish_hooks.after_commit  # rebuild the static public site when publish_dir is set
def ingest(source: str | Path | bytes | BinaryIO, url: str | None = None, *, actor: access.Actor,
           file_name: str | None = None, mapping: Mapping | None = None, options: dict[str, Any] | None = None,
           create_measures: bool = False, dry_run: bool = False,
           on_wait: db.WaitCallback | None = None, on_progress: ProgressCallback | None = None,
           then: Callable[[sa.Connection, int], object] | None = None) -> Outcome:
    """Read, validate, preview and (unless `dry_run`) commit one file. Never raises for a bad
    file; database errors propagate after the transaction has been rolled back.

    `actor` is required and checked here, not only by the page: an actor without upload-csv
    rights gets access.Forbidden before a byte is read, for a dry run too (a preview stages the
    file in the database). Its name is recorded as the uploader and in the audit log. The CLI
    passes its own actor (metrics.cli.actor(): the OS user, admin rights).

    `on_wait(seconds, why)` is called while the commit waits for another writer (db.writer),
    so a page can show progress instead of appearing frozen. `on_progress(fraction, step)` is
    called as each step starts (read and check the file, compare with the database, write).

    `then(conn, upload_id)` runs inside the commit's transaction once the upload is written, for a
    change that is one step to its user (a typed value and its narrative): if it raises, the upload
    is rolled back with it.
    """
    access.ensure_allowed(actor, "upload-csv")
    progress = on_progress or _no_progress
    user = actor.name
    started = time.perf_counter()
    max_bytes = int((options or {}).get("max_bytes", settings.MAX_FILE_BYTES))
    raw, name, size = _raw(source, max_bytes)
    name = file_name or name
    if raw is None:
        report = IngestReport()
        report.add_error(TooLarge(note=f"{size:,} bytes; the limit is {max_bytes:,}"))
        return Outcome("rejected", f"{name}: rejected, nothing was loaded", report, name)
    sha = hashlib.sha256(raw).hexdigest()
    progress(0.02, f"Reading and checking {size / 2**20:,.1f} MB")
    ctx = _context(url, sha, on_wait)
    if ctx["duplicate"] is not None:
        report = IngestReport()
        report.info["source"] = name
        return Outcome("duplicate", f"{name}: already loaded as upload #{ctx['duplicate']}; nothing changed",
                       report, name, sha, upload_id=int(ctx["duplicate"]))
    frame, report, drafts = read_checked(raw, name, ctx, mapping, options, create_measures)
    layout = report.info.get("layout")
    out = Outcome("rejected", f"{name}: rejected, nothing was loaded", report, name, sha, layout, drafts=drafts)
    if layout == "registry" and report.valid:
        return _registry(frame, out, url, user, dry_run, on_wait)
    if not report.valid or frame.empty:
        if report.valid:
            report.add_error(EmptyFile(note="the file holds no data rows"))
        out.rejected = _rejected(frame, report)
        return out
    cols = [c for c in CANONICAL if c in frame.columns]
    ok = (frame.loc[~frame.index.isin(list(report.rejected_index)), cols] if report.rejected_index
          else frame[cols])  # nothing rejected: no row filter over a million rows
    used = Mapping.from_json(report.info.get("mapping") or "{}")
    split = split_rows(ok, used.actual_kinds, used.loads_as)
    held_out_warning(split, report)
    fsm = frame.attrs.get("fiscal_start_month", ctx["fiscal_start_month"])
    obs, tgt = observation_table(split.actuals, fsm), target_table(split.targets, fsm)
    counts = {"rows": len(frame), "accepted": len(ok), "rejected": 0, "observations": obs.num_rows,
              "targets": tgt.num_rows, "held_out": len(split.held_out), "empty": split.empty,
              "measures_created": len(drafts)}
    progress(0.6, f"Comparing {counts['observations']:,} values with the database")
    try:
        with db.writer(url, on_wait=on_wait) as conn:
            again = _committed_upload_of(conn, sha)  # inside the writer lock: a racing twin committed first
            if again is not None:
                return Outcome("duplicate", f"{name}: already loaded as upload #{again}; nothing changed",
                               report, name, sha, upload_id=again)
            insert_drafts(conn, drafts)
            stage(conn, obs, tgt)
            preview = diff(conn)
            if dry_run:
                raise _DryRun(preview)
            progress(0.8, f"Writing {preview.counts['new'] + preview.counts['changed']:,} values")
            upload_id = _commit(conn, out, preview, counts, used, user, drafts["id"].tolist() if len(drafts) else [])
            drop_stage(conn)
            if then is not None:
                then(conn, upload_id)
    except _DryRun as dry:
        out.status, out.preview = "preview", dry.preview
        out.counts = {**counts, **dry.preview.counts}
        out.message = f"{name}: preview only, nothing was loaded"
        return out
    out.status, out.preview, out.upload_id = "committed", preview, upload_id
    out.counts = {**counts, **preview.counts}
    out.message = (f"{name}: loaded as upload #{upload_id}: {preview.counts['new']:,} new, "
                   f"{preview.counts['changed']:,} changed, {preview.counts['unchanged']:,} unchanged "
                   f"({time.perf_counter() - started:.2f}s)")
    return out


def _run(conn: sa.Connection, name: str, **params) -> sa.CursorResult:
    return conn.execute(sa.text(queries.sql_text(name)), params)


def _commit(conn: sa.Connection, out: Outcome, preview: Preview, counts: dict[str, int], used: Mapping,
            user: str | None, drafts: list[str] = ()) -> int:
    now = meta.now()
    c = preview.counts
    upload_id = conn.execute(sa.insert(schema.uploads).values(
        file_name=out.file_name, sha256=out.sha256, uploaded_by=user, uploaded_at=now, layout=out.layout,
        mapping=used.to_json(), rows_total=counts["rows"], rows_accepted=counts["accepted"],
        rows_rejected=counts["rejected"], rows_new=c["new"], rows_changed=c["changed"], status="committed",
    ).returning(schema.uploads.c.id)).scalar_one()
    if c["new"]:  # no revision rows: the rows carry upload_id, which is what a rollback deletes by
        insert = "ingest_observations_insert_new" if c["changed"] or c["unchanged"] else "ingest_observations_insert_staged"
        _run(conn, insert, upload_id=upload_id, updated_at=now)
    if c["changed"]:
        _run(conn, "ingest_revisions_insert", upload_id=upload_id)
        _run(conn, "ingest_observations_upsert", upload_id=upload_id, updated_at=now)
    reason = upload_reason(upload_id, out.file_name)
    targets_before: dict[str, str | None] = {}
    if c.get("targets_changed"):
        targets_before = changes.capture(conn, "targets", _run(conn, "ingest_targets_changing").scalars().all())
        _run(conn, "ingest_targets_history_changed", actor=user, at=now, reason=reason)
        _run(conn, "ingest_targets_update", actor=user, at=now, reason=reason)
    if c.get("targets_new"):
        _run(conn, "ingest_targets_insert", actor=user, at=now, reason=reason)
        _run(conn, "ingest_targets_history_new", actor=user, at=now, reason=reason)
    if targets_before or c.get("targets_new"):
        written = _run(conn, "ingest_targets_of_upload", reason=reason).scalars().all()
        changes.record(conn, upload_id, "targets", {**dict.fromkeys(map(str, written)), **targets_before})
    if drafts:
        changes.record(conn, upload_id, "measures", dict.fromkeys(drafts))
    key = out.report.info.get("source_key")
    mapping_before = changes.capture(conn, "column_mappings", [key]) if key else {}
    remember_mapping(conn, key, used)
    if mapping_before:
        changes.record(conn, upload_id, "column_mappings", mapping_before)
    changed = c["new"] + c["changed"] + c.get("targets_new", 0) + c.get("targets_changed", 0)
    if changed or counts.get("measures_created"):
        touched = _run(conn, "ingest_touched_measures").scalars().all()
        rollups.refresh(conn, [*touched, *drafts])
        meta.bump_data_version(conn)
    meta.audit(conn, user, "upload-commit", "upload", str(upload_id),
                {"file_name": out.file_name, "sha256": out.sha256, **counts, **c})
    return upload_id


def upload_reason(upload_id: int, file_name: str | None = None) -> str:
    """The `reason` stamped on targets an upload sets: the file they came from and the upload, which is
    what rollback finds them by (it passes the upload's stored file name)."""
    return f"from {file_name} (upload #{upload_id})" if file_name else f"upload #{upload_id}"


def remember_mapping(conn: sa.Connection, key: str | None, mapping: Mapping) -> None:
    if not key:
        return
    _run(conn, "ingest_mapping_upsert", source_key=key, mapping=mapping.to_json(), updated_at=meta.now())


def remembered_mapping(key: str, url: str | None = None) -> Mapping | None:
    cm = schema.column_mappings
    with db.reader(url) as conn:
        text = conn.execute(sa.select(cm.c.mapping).where(cm.c.source_key == key)).scalar()
    return Mapping.from_json(text) if text else None


def _registry(frame: pd.DataFrame, out: Outcome, url: str | None, user: str | None, dry_run: bool,
              on_wait: db.WaitCallback | None = None) -> Outcome:
    report = out.report
    sub = check_registry(frame, report)
    if not report.valid:
        out.rejected = frame.loc[frame.index.isin(list(report.rejected_index))]
        return out
    rows = registry_rows(sub)
    try:
        with db.writer(url, on_wait=on_wait) as conn:
            before = changes.capture(conn, "measures", [r["id"] for r in rows])
            counts = upsert_measures(conn, rows)
            if dry_run:
                raise _DryRun(Preview(counts=counts))
            upload_id = conn.execute(sa.insert(schema.uploads).values(
                file_name=out.file_name, sha256=out.sha256, uploaded_by=user, uploaded_at=meta.now(),
                layout="registry", rows_total=len(rows), rows_accepted=len(rows), rows_new=counts["measures_new"],
                rows_changed=counts["measures_changed"], status="committed").returning(schema.uploads.c.id)
            ).scalar_one()
            changes.record(conn, upload_id, "measures", before)
            rollups.refresh(conn, [r["id"] for r in rows])  # a direction may have changed
            meta.bump_data_version(conn)
            meta.audit(conn, user, "upload-registry", "upload", str(upload_id), counts)
    except _DryRun as dry:
        out.status, out.preview, out.counts = "preview", dry.preview, dry.preview.counts
        out.message = f"{out.file_name}: measure registry preview, nothing was loaded"
        return out
    out.status, out.upload_id, out.counts = "committed", upload_id, counts
    out.preview = Preview(counts=counts)
    out.message = (f"{out.file_name}: measure registry loaded as upload #{upload_id}: "
                   f"{counts['measures_new']} new, {counts['measures_changed']} changed, "
                   f"{counts['measures_unchanged']} unchanged measures")
    return out
