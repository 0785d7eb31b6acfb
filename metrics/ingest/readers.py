"""Bytes -> a frame of strings indexed by physical row number.

The heavy lifting is pyarrow's multithreaded CSV reader with every column typed as
string (codes like `02` keep their zeros; numbers are parsed later, vectorised).
Detection runs on a small sample in order: encoding, delimiter, header. Row numbers
are exact: when the file has blank lines, multi-line cells or ragged rows the line
arithmetic can't be trusted, and the (rare) file is re-read with the `csv` module,
which tracks physical lines.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from . import settings
from .detect import detect_dialect, detect_encoding, detect_header
from .errors import (
    BlankRow,
    DuplicateLabel,
    EmptyFile,
    EncodingError,
    FormatError,
    IngestError,
    IngestFailed,
    MissingLabel,
    RaggedRow,
    TooLarge,
)


@dataclass
class Source:
    """A file's cells as strings; index = physical line number of each data row."""

    frame: pd.DataFrame
    columns: list[str]
    header_row: int | None = None  # physical line of the header, None when headerless
    encoding: str = "utf-8"
    delimiter: str = ","
    warnings: list[IngestError] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
    sample: list[list[str]] = field(default_factory=list)


def to_utf8(raw: bytes, encoding: str) -> bytes:
    """UTF-8 bytes without BOM, so pyarrow can read any detected encoding at full speed."""
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8", "ascii"):
        return raw
    if encoding.lower().replace("_", "-") == "utf-8-sig":
        return raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        return raw.decode(encoding).encode("utf-8")
    except (UnicodeDecodeError, LookupError) as exc:
        raise IngestFailed(EncodingError(note=f"cannot decode as {encoding}: {exc}")) from exc


def _labels(header: list[str], width: int) -> tuple[list[str], list[IngestError]]:
    """Unique, non-empty column labels; fixes are reported as header warnings."""
    out: list[str] = []
    warnings: list[IngestError] = []
    header = list(header) + [""] * (width - len(header))
    for i, label in enumerate(header, start=1):
        label = label.strip()
        if not label:
            label = f"column_{i}"
            warnings.append(MissingLabel(note="empty label", field_name=label, field_number=i))
        if label in out:
            first = out.index(label) + 1
            label = f"{label}_{i}"
            warnings.append(DuplicateLabel(note=f"same as column {first}", field_name=label, field_number=i))
        out.append(label)
    return out, warnings


def _line_offset(data: bytes, lines: int) -> int:
    """Byte offset just after the first `lines` line breaks."""
    pos = 0
    for _ in range(lines):
        nxt = data.find(b"\n", pos)
        if nxt < 0:
            return len(data)
        pos = nxt + 1
    return pos


def read_csv_source(raw: bytes, encoding: str | None = None, delimiter: str | None = None,
                    header_row: int | None = None, max_bytes: int = settings.MAX_FILE_BYTES) -> Source:
    """Decode, detect and parse a delimited file. `header_row` is the header's physical line
    (1-based; 0 = no header); given options skip detection."""
    if len(raw) > max_bytes:
        raise IngestFailed(TooLarge(note=f"{len(raw):,} bytes; the limit is {max_bytes:,}"))
    encoding = encoding or detect_encoding(raw)
    data = to_utf8(raw, encoding)
    if b"\x00" in data[: settings.SAMPLE_BYTES]:
        raise IngestFailed(FormatError(note="this looks like a binary file, not CSV"))
    sample_text = data[: settings.SAMPLE_BYTES].decode("utf-8", errors="replace")
    if len(data) > settings.SAMPLE_BYTES and "\n" in sample_text:
        sample_text = sample_text[: sample_text.rindex("\n") + 1]
    delimiter = delimiter or detect_dialect(sample_text)
    sample = list(csv.reader(io.StringIO(sample_text), delimiter=delimiter))[: settings.SAMPLE_ROWS]
    if header_row is None:
        idx = detect_header(sample)
        header_line = None if idx is None else idx + 1
    else:
        header_line = header_row or None
    widths = [len(r) for r in sample if any(c.strip() for c in r)]
    width = max(set(widths), key=widths.count) if widths else 0
    if header_line is not None:
        if header_line > len(sample):
            raise IngestFailed(FormatError(note=f"header row {header_line} is past the sample"))
        columns, warnings = _labels(sample[header_line - 1], width)
        offset = _line_offset(data, header_line)
    else:
        columns, warnings = [f"column_{i}" for i in range(1, width + 1)], []
        offset = 0
    body = memoryview(data)[offset:]  # a view: no second copy of a 50 MB upload
    skip = header_line or 0
    if not bytes(body[: settings.SAMPLE_BYTES]).strip() and not data[offset:].strip():
        raise IngestFailed(EmptyFile(note="the file has a header but no data rows" if header_line
                                     else "the file has no rows"))
    src = Source(frame=pd.DataFrame(), columns=columns, header_row=header_line, encoding=encoding,
                 delimiter=delimiter, warnings=warnings, sample=sample)
    frame = _read_fast(body, columns, delimiter, skip, data.count(b"\n", offset))
    if frame is None:
        frame = _read_exact(bytes(body), columns, delimiter, skip, src)
    src.frame = frame
    return src


#: Cells are read dictionary-encoded: pandas gets a categorical per column (a code per row into
#: the column's distinct texts), and everything downstream cleans each distinct text once.
_CODED = pa.dictionary(pa.int32(), pa.large_string())


def _read_fast(body: memoryview, columns: list[str], delimiter: str, skip: int,
               newlines: int) -> pd.DataFrame | None:
    """pyarrow read; None when row numbers can't be derived from line counts."""
    skipped: list[int] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        skipped.append(row.actual_columns)
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(body)),
            read_options=pacsv.ReadOptions(column_names=columns, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={c: _CODED for c in columns},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise IngestFailed(FormatError(note=f"could not parse as delimited text: {exc}")) from exc
    lines = newlines + (0 if body[-1:] == b"\n" else 1)
    if skipped or lines != table.num_rows:
        return None
    frame = table.to_pandas()
    frame.index = pd.RangeIndex(skip + 1, skip + 1 + table.num_rows, name="row_number")
    del table
    # The parser's block buffers (about twice the file) are free now but kept by Arrow's allocator;
    # hand them back before the next steps allocate their own (a 50 MB dry run peaks ~100 MB lower).
    pa.default_memory_pool().release_unused()
    return frame


def _rows(reader, skip: int):
    """The csv reader's rows; a cell over its field limit (128 KB) rejects the file in one sentence
    naming the line, instead of escaping as `_csv.Error`."""
    try:
        yield from reader
    except csv.Error as exc:
        raise IngestFailed(FormatError(note=f"line {skip + reader.line_num}: {exc} (a cell over "
                                            f"{csv.field_size_limit() // 1024} KB is not a KPI value)")) from exc


def _read_exact(body: bytes, columns: list[str], delimiter: str, skip: int, src: Source) -> pd.DataFrame:
    """Slow path with exact physical line numbers; reports blank and ragged rows."""
    reader = csv.reader(io.StringIO(body.decode("utf-8", errors="replace"), newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    numbers: list[int] = []
    last = 0
    for cells in _rows(reader, skip):
        start, last = skip + last + 1, reader.line_num
        if not any(c.strip() for c in cells):
            src.warnings.append(BlankRow(row_number=start))
            continue
        if len(cells) != len(columns):
            src.errors.append(RaggedRow(row_number=start, note=f"{len(cells)} cells, expected {len(columns)}",
                                        cell=delimiter.join(cells)[:200]))
            continue
        rows.append(cells)
        numbers.append(start)
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    frame = pd.DataFrame({c: pd.array(list(v), dtype="str") for c, v in zip(columns, cols, strict=True)})
    frame.index = pd.Index(np.asarray(numbers, dtype="int64"), name="row_number")
    return frame
