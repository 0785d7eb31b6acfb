"""Pure ingest: file -> canonical long frame + report; frame -> validation report.

No database access here. The DB layer builds preview/diff/commit on `read_file`,
`validate` (or `check_file`, both at once) and `accepted_rows`.

    frame, report = read_file("extract.csv")                # never raises for bad files
    report.merge(validate(frame, known_measures, as_of="2024-06-30"))
    ok, rejected = accepted_rows(frame, report)
"""

from __future__ import annotations

import io
import time
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from . import settings
from .detect import LayoutGuess, detect_layout
from .errors import IngestError, IngestFailed, TooLarge
from .layouts import (
    CANONICAL,
    KEY,
    RAW,
    drop_exact_duplicates,
    drop_junk_rows,
    empty_frame,
    to_long,
    to_registry,
    to_wide,
)
from .mapping import Mapping, auto_mapping, period_columns, source_key
from .readers import read_csv_source
from .report import IngestReport
from .sources_json import json_source, looks_like_json
from .validate import validate

__all__ = ["CANONICAL", "KEY", "RAW", "IngestError", "IngestFailed", "IngestReport", "Mapping", "accepted_rows",
           "auto_mapping", "check_file", "read_file", "source_key", "template_csv", "validate"]

_MAPPING_OPTIONS = ("layout", "fiscal_start_month", "fiscal_year", "grain", "period_columns", "header_row",
                    "delimiter", "encoding", "actual_kinds", "target_kinds")


def _read_bytes(source: str | Path | bytes | BinaryIO, max_bytes: int) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), "<bytes>"
    if isinstance(source, str | Path):
        path = Path(source)
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestFailed(TooLarge(note=f"{size:,} bytes; the limit is {max_bytes:,}"))
        return path.read_bytes(), path.name
    data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise IngestFailed(TooLarge(note=f"more than {max_bytes:,} bytes"))
    return data, getattr(source, "name", "<stream>")


def read_file(source: str | Path | bytes | BinaryIO, mapping: Mapping | None = None,
              options: dict[str, Any] | None = None) -> tuple[pd.DataFrame, IngestReport]:
    """Read a CSV/JSON extract into the canonical long frame (see `CANONICAL`).

    `mapping` (e.g. remembered for this source) and `options` (encoding, delimiter,
    header_row, layout, fiscal_start_month, fiscal_year, grain, period_columns,
    error_limit, max_bytes) win over detection. A file that can't be read gives an
    empty frame and a report holding the one `file-*`/`header-*` error, never an
    exception. `report.info` records what was detected and the mapping used, so the
    UI can show it and store it under `report.info["source_key"]`.
    """
    started = time.perf_counter()
    opts = dict(options or {})
    report = IngestReport(error_limit=opts.get("error_limit", settings.ERROR_LIMIT))
    frame = empty_frame()
    try:
        raw, name = _read_bytes(source, opts.get("max_bytes", settings.MAX_FILE_BYTES))
        report.info["source"] = name
        frame = _read(raw, mapping, opts, report)
    except IngestFailed as failed:
        report.add_error(failed.error)
    report.stats.update(rows=len(frame), accepted=len(frame) if report.valid else 0,
                        rejected=0 if report.valid else len(frame),
                        seconds=round(time.perf_counter() - started, 4))
    return frame, report


def _read(raw: bytes, mapping: Mapping | None, opts: dict[str, Any], report: IngestReport) -> pd.DataFrame:
    given = mapping or Mapping()
    head = raw[:64].lstrip(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    if looks_like_json(head):
        text = raw.decode(given.encoding or opts.get("encoding") or "utf-8-sig", errors="replace")
        src, default = json_source(text)
        columns, sample = list(src.columns), []
        mapping = mapping or default
        report.info.update(format="json")
    else:
        csv_src = read_csv_source(raw, encoding=opts.get("encoding") or given.encoding,
                                  delimiter=opts.get("delimiter") or given.delimiter,
                                  header_row=opts.get("header_row", given.header_row),
                                  max_bytes=opts.get("max_bytes", settings.MAX_FILE_BYTES))
        src, columns, sample = csv_src.frame, csv_src.columns, csv_src.sample
        for w in csv_src.warnings:
            report.add_warning(w)
        report.add_errors(csv_src.errors)
        report.info.update(format="csv", encoding=csv_src.encoding, delimiter=csv_src.delimiter,
                           header_row=csv_src.header_row)
        if mapping is None:
            head_values = {c: src[c].head(20).tolist() for c in columns}
            mapping = auto_mapping(columns, opts.get("layout"), head_values)
    mapping = Mapping.from_json(mapping.to_json())  # a copy: options must not change the caller's
    for key in _MAPPING_OPTIONS:
        if opts.get(key) is not None:
            setattr(mapping, key, opts[key])
    guess = (LayoutGuess(mapping.layout, 1.0, "given") if mapping.layout else
             detect_layout(columns, sample[1:], mapping.columns, list(period_columns(columns, mapping))))
    mapping.layout = guess.layout
    report.info.update(layout=guess.layout, layout_confidence=guess.confidence, layout_reason=guess.reason,
                       columns=columns, source_key=source_key(columns), mapping=mapping.to_json())
    src = drop_junk_rows(src, mapping, report) if guess.layout != "registry" else src
    if guess.layout == "registry":
        frame = to_registry(src, mapping)
    else:
        frame = to_wide(src, mapping) if guess.layout == "wide" else to_long(src, mapping)
        frame = drop_exact_duplicates(frame, report)
    report.info["value_kinds"] = list(frame.attrs.get("value_kinds", []))
    frame.attrs.update(layout=guess.layout, columns=columns,
                       fields={role: col for col, role in reversed(list(mapping.columns.items()))},
                       fiscal_start_month=mapping.fiscal_start_month)
    return frame


def check_file(source: str | Path | bytes | BinaryIO, known_measures: pd.DataFrame | None = None,
               as_of: date | str | None = None, mapping: Mapping | None = None,
               options: dict[str, Any] | None = None) -> tuple[pd.DataFrame, IngestReport]:
    """`read_file` then `validate`, one merged report (what the CLI and upload page need)."""
    frame, report = read_file(source, mapping, options)
    if frame.empty or frame.attrs.get("layout") == "registry":
        return frame, report
    checked = validate(frame, known_measures, as_of,
                       frame.attrs.get("fiscal_start_month", settings.FISCAL_START_MONTH), report.error_limit)
    return frame, report.merge(checked)


def accepted_rows(frame: pd.DataFrame, report: IngestReport) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows without errors, rows with errors); the raw columns are dropped from both."""
    bad = frame.index.isin(list(report.rejected_index))
    cols = [c for c in CANONICAL if c in frame.columns]
    return frame.loc[~bad, cols], frame.loc[bad, cols]


def template_csv() -> str:
    """Header and two example rows of the canonical long format, for the upload page."""
    buf = io.StringIO()
    pd.DataFrame([
        {"measure_id": "households-housed", "period": "2018-Q1", "dimension": "", "member": "", "value": 3012,
         "target": 3000, "numerator": "", "denominator": "", "note": ""},
        {"measure_id": "households-housed", "period": "2018-Q1", "dimension": "district", "member": "3",
         "value": 410, "target": "", "numerator": "", "denominator": "", "note": "provisional"},
    ]).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()
