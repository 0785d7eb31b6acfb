"""Ordered, overridable detection: encoding, then dialect, then header, then layout.

Each step is a small function fed by the previous one, and each only fills what the
caller left unset (`options` and a stored `Mapping` always win), as in frictionless'
Detector. Thresholds live in `settings`.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass

from charset_normalizer import from_bytes

from . import settings
from .errors import EmptyFile, EncodingError, FormatError, IngestFailed

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_NUMBER = re.compile(r"^\s*[-+(]?[$€£]?\s*[\d.,]+\s*%?\)?\s*$")


def detect_encoding(raw: bytes, sample_bytes: int = settings.SAMPLE_BYTES) -> str:
    """Name of the encoding to decode `raw` with.

    Order: a BOM decides; else strict UTF-8 (most exports, and ASCII is UTF-8); else the
    charset-normalizer guess; else cp1252, which decodes nearly any Western export.
    NUL bytes in a BOM-less sample mean a binary file (e.g. an .xlsx renamed .csv).
    """
    if not raw[:sample_bytes].strip() and not raw.strip():
        raise IngestFailed(EmptyFile(note="the file is empty"))
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    sample = raw[:sample_bytes]
    if b"\x00" in sample:
        raise IngestFailed(FormatError(note="this looks like a binary file, not CSV"))
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample).best()
    if best is not None:
        try:
            raw.decode(best.encoding)
            return best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        raw.decode(settings.FALLBACK_ENCODING)
    except UnicodeDecodeError as exc:
        raise IngestFailed(EncodingError(note=f"no known encoding decodes it ({exc})")) from exc
    return settings.FALLBACK_ENCODING


def detect_dialect(sample: str) -> str:
    """The delimiter, sniffed among `settings.DELIMITERS` on a text sample; comma if unsure."""
    lines = sample.splitlines()[: settings.SAMPLE_ROWS]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut the last line in half
    try:
        found = csv.Sniffer().sniff("\n".join(lines), delimiters=settings.DELIMITERS).delimiter
    except csv.Error:
        found = None
    if found and found in settings.DELIMITERS:
        return found
    # The sniffer gives up on quoted or ragged files: pick the delimiter that appears in most lines.
    counts = {d: sum(1 for ln in lines if d in ln) for d in settings.DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], d == settings.DEFAULT_DELIMITER))
    return best if counts[best] else settings.DEFAULT_DELIMITER


_DATE = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4})([ T][\d:.]+Z?)?\s*$")
_YEAR = re.compile(r"^\s*(19|20)\d{2}\s*$")


def _is_texty(cell: str) -> bool:
    return bool(cell.strip()) and not _NUMBER.match(cell) and not _DATE.match(cell)


def _is_label(cell: str) -> bool:
    """Text, or a bare year: wide files label their period columns `2019`."""
    return _is_texty(cell) or bool(_YEAR.match(cell))


def detect_header(rows: list[list[str]], depth: int = settings.HEADER_SEARCH_DEPTH) -> int | None:
    """Index of the header among the first parsed rows, or None for a headerless file.

    Title and note lines above the header are narrower than the table, so the header is
    the first row as wide as the modal width of the sample whose cells are mostly text.
    A first full-width row that is mostly numbers means there is no header (CityScore CSV).
    """
    widths = [len([c for c in r]) for r in rows if any(c.strip() for c in r)]
    if not widths:
        return None
    modal = Counter(widths).most_common(1)[0][0]
    for i, row in enumerate(rows[:depth]):
        if len(row) != modal:
            continue
        filled = [c for c in row if c.strip()]
        if not filled:
            continue
        texty = sum(_is_texty(c) for c in filled)
        labels = sum(_is_label(c) for c in filled)
        if texty and (labels / len(row) >= settings.HEADER_TEXT_SHARE
                      or (labels == len(filled) and len(filled) >= 2)):
            return i
        if texty / len(filled) < 0.5:
            return None  # data before any header-like row: headerless
    return None


@dataclass(frozen=True)
class LayoutGuess:
    layout: str  # long | wide | cityscore | registry
    confidence: float
    reason: str


_REGISTRY_COLUMNS = {"kind", "direction", "frequency", "department", "owner", "public"}


def detect_layout(columns: list[str], first_rows: list[list[str]] | None = None,
                  roles: dict[str, str] | None = None, period_columns: list[str] | None = None,
                  ) -> LayoutGuess:
    """Which reader fits: long (period + value columns), wide (periods as columns),
    cityscore (headerless value,date,metric) or registry (measure definitions).

    `roles` is the source->role mapping and `period_columns` the columns that read as
    periods (both from `mapping`); passing them keeps this function free of synonym tables.
    """
    roles = roles or {}
    assigned = set(roles.values())
    norm = {re.sub(r"[^a-z0-9]+", "_", c.lower()).strip("_") for c in columns}
    if not columns or all(c.startswith("column_") for c in columns):
        if len(columns) == 3 and first_rows and _NUMBER.match(first_rows[0][0] or ""):
            return LayoutGuess("cityscore", 0.9, "no header; 3 columns value,date,metric")
        return LayoutGuess("long", 0.1, "no header row found")
    reg = _REGISTRY_COLUMNS & norm
    if "measure_id" in assigned and len(reg) >= 2 and "value" not in assigned and "period" not in assigned:
        return LayoutGuess("registry", 0.9, f"measure definition columns: {', '.join(sorted(reg))}")
    periods = period_columns or []
    if "period" in assigned and "value" in assigned:
        return LayoutGuess("long", 0.95, "has a period column and a value column")
    if len(periods) >= 1 and "value" not in assigned:
        conf = 0.9 if len(periods) >= 2 else 0.6
        return LayoutGuess("wide", conf, f"{len(periods)} period columns: {', '.join(periods[:6])}")
    if "period" in assigned:
        return LayoutGuess("long", 0.5, "has a period column but no value column")
    return LayoutGuess("long", 0.2, "no period columns found; assuming long")
