"""One report object per ingest, with a table view, a CLI summary and JSON.

Readers and checks append `IngestError` records; the report owns the error limit
(frictionless' `limit_errors`): past it, further errors are counted but not kept and
the report is marked partial, so a hopeless file can't exhaust memory.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import settings
from .errors import IngestError

FLAT_COLUMNS = ["row_number", "field_name", "cell", "code", "message"]


@dataclass
class IngestReport:
    """Outcome of reading or validating one file.

    `warnings` are problems that were fixed on the way in (skipped blank/totals rows,
    renamed labels); `errors` make the affected rows (or the whole file) unacceptable.
    `rejected_index` holds canonical-frame index labels of rows with errors, so a caller
    can split accepted from rejected rows even when the error list was truncated.
    """

    errors: list[IngestError] = field(default_factory=list)
    warnings: list[IngestError] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=lambda: {"rows": 0, "accepted": 0, "rejected": 0,
                                                            "seconds": 0.0})
    partial: bool = False
    error_limit: int = settings.ERROR_LIMIT
    error_count: int = 0
    rejected_index: set = field(default_factory=set, repr=False)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """True when no error was found (warnings don't count)."""
        return self.error_count == 0

    def add_error(self, error: IngestError) -> None:
        """Keep an error unless the limit is reached; then only count it and mark partial."""
        self.error_count += 1
        if len(self.errors) < self.error_limit:
            self.errors.append(error)
        elif not self.partial:
            self.partial = True
            self.info["limit_note"] = f"stopped listing errors after {self.error_limit}"

    def add_errors(self, errors: Iterable[IngestError]) -> None:
        for error in errors:
            self.add_error(error)

    def add_warning(self, warning: IngestError) -> None:
        if len(self.warnings) < self.error_limit:
            self.warnings.append(warning)

    def merge(self, other: IngestReport) -> IngestReport:
        """Fold a later stage's report (e.g. validation after reading) into this one."""
        for err in other.errors:
            self.add_error(err)
        self.error_count += other.error_count - len(other.errors)
        self.partial = self.partial or other.partial
        self.warnings.extend(other.warnings)
        self.rejected_index |= other.rejected_index
        self.info.update(other.info)
        # The later stage saw the final rows, so its counts win; time adds up.
        self.stats.update({k: other.stats[k] for k in ("rows", "accepted", "rejected") if k in other.stats})
        self.stats["seconds"] = round(self.stats.get("seconds", 0) + other.stats.get("seconds", 0), 4)
        return self

    def flatten(self, spec: list[str] | None = None, warnings: bool = False) -> pd.DataFrame:
        """Errors (or warnings) as a plain table, one row each, for the upload page and CSV."""
        spec = spec or FLAT_COLUMNS
        items = self.warnings if warnings else self.errors
        rows = [{k: e.to_dict().get(k) for k in spec} for e in items]
        return pd.DataFrame(rows, columns=spec)

    def to_summary(self) -> str:
        """Short text for the CLI: verdict, stats, counts per error type, first examples."""
        s = self.stats
        lines = [f"{'VALID' if self.valid else 'INVALID'}: {s.get('rows', 0)} rows, "
                 f"{s.get('accepted', 0)} accepted, {s.get('rejected', 0)} rejected "
                 f"({s.get('seconds', 0):.2f}s)"]
        if self.partial:
            lines.append(f"partial: {self.error_count} errors found, first {len(self.errors)} listed")
        for label, items in (("errors", self.errors), ("warnings", self.warnings)):
            if not items:
                continue
            lines.append(f"{label}:")
            for (code, title), n in Counter((e.code, e.title) for e in items).most_common():
                lines.append(f"  {n:>6}  {title} ({code})")
            for e in items[:10]:
                lines.append(f"  - {e.message}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "partial": self.partial, "stats": self.stats,
                "error_count": self.error_count, "info": self.info,
                "errors": [e.to_dict() for e in self.errors],
                "warnings": [w.to_dict() for w in self.warnings]}

    def to_json(self, **kwargs: Any) -> str:
        """The same record as JSON for `--format json` (NaN-free, strings for odd types)."""
        return json.dumps(self.to_dict(), default=str, **kwargs)
