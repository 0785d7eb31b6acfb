"""Typed ingest error records, modelled on frictionless' error classes.

An error is data, not an exception: readers and checks collect them into an
`IngestReport` so a user sees every problem in one pass. Only a file that cannot
be read at all raises, as `IngestFailed` carrying one record.

The code prefix says where the problem sits: `file-*` (the bytes), `header-*`
(the column labels), `row-*` (a whole row) and `cell-*` (one value).
Row numbers are physical lines in the source file (the header's own line counts),
field numbers count source columns from 1.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from metrics.errors import InputError


@dataclass
class IngestError:
    """Base record: class-level code/title/template, instance-level position."""

    code: ClassVar[str] = "ingest-error"
    title: ClassVar[str] = "Ingest Error"
    template: ClassVar[str] = "{note}"

    note: str = ""
    row_number: int | None = None
    field_name: str | None = None
    field_number: int | None = None
    cell: str | None = None

    @property
    def message(self) -> str:
        """Human sentence rendered from the class template and this record's fields."""
        where = []
        if self.row_number is not None:
            where.append(f"row {self.row_number}")
        if self.field_name is not None:
            where.append(f'column "{self.field_name}"')
        return self.template.format(
            note=self.note, row_number=self.row_number, field_name=self.field_name,
            field_number=self.field_number, cell=self.cell,
            where=(" at " + ", ".join(where)) if where else "",
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (code and message included) for JSON output and flat tables."""
        return {"code": self.code, "title": self.title, **asdict(self), "message": self.message}


# --- file: the bytes cannot be turned into rows --------------------------------------------
class FileError(IngestError):
    code = "file-error"
    title = "File Error"
    template = "The file cannot be read: {note}"


class EncodingError(FileError):
    code = "file-encoding-error"
    title = "Encoding Error"
    template = "The file's text encoding could not be read: {note}"


class FormatError(FileError):
    code = "file-format-error"
    title = "Format Error"
    template = "The file is not in a supported format: {note}"


class EmptyFile(FileError):
    code = "file-empty-file"
    title = "Empty File"
    template = "The file has no data: {note}"


class TooLarge(FileError):
    code = "file-too-large"
    title = "File Too Large"
    template = "The file is too large: {note}"


# --- header: the column labels ----------------------------------------------------------------
class HeaderError(IngestError):
    code = "header-error"
    title = "Header Error"
    template = "Header problem{where}: {note}"


class MissingLabel(HeaderError):
    code = "header-missing-label"
    title = "Missing Label"
    template = "Column {field_number} has no label; it was named \"{field_name}\""


class DuplicateLabel(HeaderError):
    code = "header-duplicate-label"
    title = "Duplicate Label"
    template = "Column {field_number} repeats a label; it was renamed \"{field_name}\" ({note})"


class UnknownColumn(HeaderError):
    code = "header-unknown-column"
    title = "Unknown Column"
    template = "A required column is missing or unrecognised: {note}"


class NoHeader(HeaderError):
    code = "header-no-header"
    title = "No Header"
    template = "No header row was found: {note}"


# --- row: a whole row ----------------------------------------------------------------------------
class RowError(IngestError):
    code = "row-error"
    title = "Row Error"
    template = "Row {row_number}: {note}"


class BlankRow(RowError):
    code = "row-blank-row"
    title = "Blank Row"
    template = "Row {row_number} is blank and was skipped"


class DuplicateKey(RowError):
    code = "row-duplicate-key"
    title = "Duplicate Key"
    template = "Row {row_number} repeats a measure/period/dimension/member/kind key: {note}"


class DuplicateRow(RowError):
    code = "row-duplicate-row"
    title = "Duplicate Row"
    template = "Row {row_number} is an exact copy of {note} and was skipped"


class TotalsRow(RowError):
    code = "row-totals-row"
    title = "Totals Row"
    template = "Row {row_number} looks like a totals or junk row ({note}) and was skipped"


class RaggedRow(RowError):
    code = "row-ragged-row"
    title = "Ragged Row"
    template = "Row {row_number} has the wrong number of cells: {note}"


# --- cell: one value -----------------------------------------------------------------------------
class CellError(IngestError):
    code = "cell-error"
    title = "Cell Error"
    template = "Cell{where} \"{cell}\": {note}"


class CellTypeError(CellError):
    code = "cell-type-error"
    title = "Type Error"
    template = "Cell{where} \"{cell}\" is not a number: {note}"


class AbsurdValue(CellError):
    code = "cell-absurd-value"
    title = "Absurd Value"
    template = "Cell{where} \"{cell}\" is not a usable number: {note}"


class UnknownMeasure(CellError):
    code = "cell-unknown-measure"
    title = "Unknown Measure"
    template = "Cell{where}: measure \"{cell}\" is not known ({note})"


class BadPeriod(CellError):
    code = "cell-bad-period"
    title = "Bad Period"
    template = "Cell{where} \"{cell}\" is not a period: {note}"


class FrequencyMismatch(CellError):
    code = "cell-frequency-mismatch"
    title = "Frequency Mismatch"
    template = "Cell{where}: period \"{cell}\" does not fit the measure's frequency ({note})"


class FuturePeriod(CellError):
    code = "cell-future-period"
    title = "Future Period"
    template = "Cell{where}: period \"{cell}\" is in the future ({note})"


class ConstraintError(CellError):
    code = "cell-constraint-error"
    title = "Constraint Error"
    template = "Cell{where} \"{cell}\" is not allowed: {note}"


class HeldOutKind(RowError):
    code = "row-held-out-kind"
    title = "Held Out Value Kind"
    template = "{note}"


class OutOfRange(CellError):
    code = "cell-out-of-range"
    title = "Out of Range"
    template = "Cell{where}: value {cell} is outside the measure's plausible range ({note})"


def all_error_classes() -> list[type[IngestError]]:
    """Every concrete error class, so docs and tests can list the codes without drift."""
    out: list[type[IngestError]] = []
    stack = list(IngestError.__subclasses__())
    while stack:
        cls = stack.pop(0)
        out.append(cls)
        stack.extend(cls.__subclasses__())
    return out


def error_class(code: str) -> type[IngestError]:
    """Look up an error class by its kebab-case code (used when reading reports back)."""
    for cls in all_error_classes():
        if cls.code == code:
            return cls
    raise KeyError(code)


class IngestFailed(InputError):
    """Raised only when a file cannot be read at all; carries the one error that says why."""

    def __init__(self, error: IngestError):
        super().__init__(error.message)
        self.error = error
