"""Named defaults for ingest, in one place so tuning never means hunting for literals.

Every value here is only a default: options passed to `read_file` (or stored in a
`Mapping`) win over it, the way frictionless' Detector settings do.
"""

from __future__ import annotations

#: Bytes of the file used to guess encoding and dialect (enough for a few hundred rows).
SAMPLE_BYTES = 64 * 1024
#: Parsed rows looked at when searching for the header and guessing the layout.
SAMPLE_ROWS = 100
#: How far down the file the header may sit below title/junk rows.
HEADER_SEARCH_DEPTH = 20
#: Share of a header row's cells that must be non-numeric text.
HEADER_TEXT_SHARE = 0.6
#: Errors kept in a report; past this the report is marked partial.
ERROR_LIMIT = 1000
#: Files above this size are refused before parsing.
MAX_FILE_BYTES = 200 * 1024 * 1024
#: Delimiters the sniffer may choose from.
DELIMITERS = ",;\t|"
#: Fallback when the sniffer has no opinion.
DEFAULT_DELIMITER = ","
#: Encoding used when nothing else decodes the bytes.
FALLBACK_ENCODING = "cp1252"
#: Cell texts that mean "no value" in department extracts.
MISSING_MARKERS: tuple[str, ...] = ("", "NA", "N/A", "n/a", "No Data", "-", "—", "null", "NULL")
#: First-cell texts that mark a totals row.
TOTAL_MARKERS: tuple[str, ...] = ("total", "totals", "grand total", "sum")
#: Fiscal year start month (July: FY2019 = 2018-07 .. 2019-06).
FISCAL_START_MONTH = 7
#: Largest magnitude a value, target, numerator or denominator may have: beyond it a cell is a
#: typo or an attack (five million 9s would be stored as inf), never a city's measure.
MAX_ABS_VALUE = 1e15
#: Most digits a number cell may hold (a 5,000-digit integer is refused, not converted).
MAX_DIGITS = 100
#: Value kinds (besides `target`) loaded as targets unless a mapping says otherwise: budget books'
#: Adopted/Proposed figures are the level the city committed to. Estimates stay held out.
TARGET_KINDS: tuple[str, ...] = ("budget",)
#: Trailing parentheticals in a measure name that name its unit (NYC's `... (%)`, `... (days)`).
NAME_UNITS: tuple[str, ...] = ("%", "$", "days", "hours", "minutes", "seconds", "minutes:seconds", "000",
                               "$000", "$000,000", "percent", "dollars", "miles", "tons")
