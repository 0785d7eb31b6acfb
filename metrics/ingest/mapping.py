"""Which source column plays which role, remembered per source.

Department extracts name the same thing many ways (`PM Code`,
`Performance.Measure.Code`, `ID`, `metric`). `auto_mapping` guesses roles from a
synonym table on normalised labels; the user corrects the guess once and the
`Mapping` is stored as JSON under `source_key(columns)`, the header's fingerprint,
so the next upload of the same extract needs no questions.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from metrics.domain import periods

from . import settings

ROLES = ("measure_id", "measure_name", "period", "value", "dimension", "member", "target",
         "numerator", "denominator", "note", "unit", "direction", "department", "owner", "methodology")
#: Roles that describe the measure rather than one value: they fill the drafts an upload creates.
META_ROLES = ("measure_name", "unit", "direction", "department", "owner", "methodology", "target")
VALUE_KINDS = ("actual", "target", "budget", "estimate")

# Normalised label -> role. Order inside a role matters: the first match wins.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "measure_id": ("measure_id", "measureid", "measure_code", "pm_code", "performance_measure_code",
                   "kpi_id", "kpi_code", "metric_id", "indicator_id", "indicator_code", "id", "metric",
                   "code", "measure"),
    "measure_name": ("measure_name", "performance_measure_name", "pm_name", "indicator", "indicator_name",
                     "metric_name", "kpi_name", "kpi", "name", "measure_description", "line_data"),
    "period": ("period", "period_label", "date", "entry_date", "fiscal_year", "fy", "year", "month",
               "quarter", "reporting_period", "period_end", "as_of", "budget"),
    "value": ("value", "val", "amount", "performance_measure_amount", "measure_value", "actual",
              "actual_value", "result", "count"),
    "dimension": ("dimension", "breakdown", "disaggregation", "dimension_name"),
    "member": ("member", "dimension_value", "group", "category_value", "member_name"),
    "target": ("target", "target_value", "target_mmr", "targets", "annual_target", "goal_value", "adopted",
               "adopted_target"),
    "numerator": ("numerator", "num"),
    "denominator": ("denominator", "denom"),
    "note": ("note", "notes", "comment", "comments", "footnote"),
    "unit": ("unit", "units", "unit_value", "unit_of_measure", "uom"),
    "direction": ("desired_direction", "direction", "polarity", "preferred_direction", "good_direction",
                  "better_direction", "higher_is_better", "desired_trend"),
    "department": ("department", "department_name", "dept_name", "dept", "agency", "agency_name",
                   "agency_full_name", "agency_full_name_y", "agency_full_name_x", "bureau", "division"),
    "owner": ("owner", "measure_owner", "kpi_owner", "metric_owner", "responsible", "accountable", "contact"),
    "methodology": ("methodology", "method", "definition", "calculation", "how_calculated", "data_definition",
                    "measure_definition"),
}
# Words in a period column header (or a long file's period cell) that say which kind of value it holds.
_KIND_WORDS = [
    ("target", re.compile(r"\btargets?\b|\bgoals?\b", re.I)),
    ("estimate", re.compile(r"\bestimated?s?\b|\bprojected\b|\bprojections?\b|\bforecast\b", re.I)),
    ("budget", re.compile(r"\badopted\b|\bproposed\b|\bbudget(ed)?\b|\bappropriation\b", re.I)),
    ("actual", re.compile(r"\bactuals?\b", re.I)),
]
_KIND_STRIP = re.compile(r"\b(actuals?|adopted|proposed|budget(ed)?|estimated?s?|estimates|targets?|goals?|"
                         r"projected|projections?|forecast|appropriation)\b", re.I)
# A column header may be a period only if it carries a year or is a fiscal month / CFY/PFY slot.
_PERIODISH = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)|\bFY\s?-?\d{2}\b|^[a-z]{3,9}[\s\-_/,]*\d{2}$", re.I)
_FISCAL_MONTH = re.compile(r"^(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)$", re.I)
_SPAN = re.compile(r"^(\d{4})\s*[-/]\s*(\d{2})$")
_RELATIVE_FY = re.compile(r"^(CFY|PFY)$", re.I)


def norm_label(label: str) -> str:
    """Lower-case, punctuation to `_`: `Performance.Measure.Code` -> `performance_measure_code`."""
    return re.sub(r"[^a-z0-9]+", "_", str(label).lower()).strip("_")


def slug(text: str) -> str:
    """Measure id made from a name, for sources that have names only (Boston JSON)."""
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")


@dataclass
class Mapping:
    """Source column -> role, plus the reading options that belong to this source.

    `period_columns` (wide files) lists the columns holding periods, or maps each to its
    canonical label when the header can't be read (e.g. `{"Current": "FY2024"}`).
    `fiscal_year` anchors `OCT`..`SEP` and `CFY`/`PFY` headers (the fiscal year they
    belong to); `grain` forces how bare years read (`fiscal_year` turns `2019` into `FY2019`).
    """

    columns: dict[str, str] = field(default_factory=dict)
    layout: str | None = None
    fiscal_start_month: int = settings.FISCAL_START_MONTH
    period_columns: list[str] | dict[str, str] | None = None
    fiscal_year: int | None = None
    grain: str | None = None
    header_row: int | None = None
    delimiter: str | None = None
    encoding: str | None = None
    #: Value kinds besides `actual` that load as observations (e.g. ["budget"]); others are held out.
    actual_kinds: list[str] = field(default_factory=list)
    #: Value kinds loaded as targets besides `target` (None = `settings.TARGET_KINDS`: LA's Adopted/Proposed
    #: budget figures are the performance level the city committed to). A kind in `actual_kinds` loads as actuals.
    target_kinds: list[str] | None = None

    def loads_as(self, kind: str) -> str:
        """What rows of a value kind become: `actual`, `target` or `held_out`."""
        if kind == "actual" or kind in self.actual_kinds:
            return "actual"
        targets = settings.TARGET_KINDS if self.target_kinds is None else self.target_kinds
        return "target" if kind == "target" or kind in targets else "held_out"

    def role(self, role: str) -> str | None:
        """The source column mapped to `role` (first one), or None."""
        return next((c for c, r in self.columns.items() if r == role), None)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | dict[str, Any]) -> Mapping:
        data = json.loads(text) if isinstance(text, str) else dict(text)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def source_key(columns: list[str]) -> str:
    """Fingerprint of a header (normalised labels, in order) to remember a mapping by."""
    text = "|".join(norm_label(c) for c in columns)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def auto_mapping(columns: list[str], layout: str | None = None,
                 sample: dict[str, list[str]] | None = None) -> Mapping:
    """Guess roles from labels. `sample` (column -> first values) settles ambiguous columns:
    LA's long `Budget` column holds the period (`2017-18 Adopted`), not an amount."""
    normed = {c: norm_label(c) for c in columns}
    roles: dict[str, str] = {}
    for role, names in SYNONYMS.items():
        for name in names:
            hit = next((c for c in columns if normed[c] == name and c not in roles), None)
            if hit is not None:
                roles[hit] = role
                break
    if sample:
        _settle_with_sample(roles, sample)
    if layout == "cityscore" or (len(columns) == 3 and all(c.startswith("column_") for c in columns)):
        roles = dict(zip(columns, ("value", "period", "measure_name"), strict=True))
        layout = layout or "cityscore"
    return Mapping(columns=roles, layout=layout)


def _settle_with_sample(roles: dict[str, str], sample: dict[str, list[str]]) -> None:
    """Drop a period guess whose cells don't read as periods (e.g. a numeric `Budget` amount)."""
    for col, role in list(roles.items()):
        if role != "period":
            continue
        cells = [v for v in sample.get(col, []) if v and v not in settings.MISSING_MARKERS][:20]
        if cells and sum(period_of_label(v)[0] is not None for v in cells) < len(cells) / 2:
            del roles[col]


def kind_of(label: str) -> str:
    """Value kind named by words in a label: Actual/Adopted/Proposed/Budget/Estimate/Target."""
    for kind, pattern in _KIND_WORDS:
        if pattern.search(label):
            return kind
    return "actual"


def period_of_label(label: str, grain: str | None = None,
                    fiscal_start_month: int = settings.FISCAL_START_MONTH,
                    fiscal_year: int | None = None) -> tuple[str | None, str]:
    """(canonical period or None, value kind) for a header or period cell.

    Kind words are stripped before parsing, so `FY16 Actual` -> (`FY2016`, actual) and
    `2020-21 Adopted Budget` -> (`FY2021`, budget). Fiscal months (`OCT`) and `CFY`/`PFY`
    need `fiscal_year`; without it they are not periods.
    """
    text = str(label).strip()
    kind = kind_of(text)
    core = re.sub(r"\s+", " ", _KIND_STRIP.sub(" ", text)).strip(" -_/")
    if _RELATIVE_FY.match(core):
        if fiscal_year is None:
            return None, kind
        return f"FY{fiscal_year - (core.upper() == 'PFY')}", kind
    if _FISCAL_MONTH.match(core):
        if fiscal_year is None:
            return None, kind
        month = list(calendar.month_abbr).index(core[:3].title())
        year = fiscal_year - 1 if (fiscal_start_month != 1 and month >= fiscal_start_month) else fiscal_year
        return f"{year}-{month:02d}", kind
    if not _PERIODISH.search(core):
        return None, kind
    for attempt in dict.fromkeys((text, core)):
        span = _SPAN.match(attempt)
        if span and int(span[2]) > 12:  # `2019-20`: not a month 20, a fiscal-year span
            attempt = f"{attempt} span"
        try:
            return periods.normalise(attempt, grain, fiscal_start_month), kind
        except periods.PeriodError:
            continue
    return None, kind


def period_columns(columns: list[str], mapping: Mapping) -> dict[str, tuple[str, str]]:
    """Wide layout: column -> (period, kind) for every column that names a period.

    Columns mapped to a role, and derived columns without a year (`YTDScaled`, `Avg3yr`),
    are never periods; an explicit `mapping.period_columns` replaces the rule.
    """
    explicit = mapping.period_columns
    out: dict[str, tuple[str, str]] = {}
    if isinstance(explicit, dict):
        for col, label in explicit.items():
            per, _ = period_of_label(label, mapping.grain, mapping.fiscal_start_month, mapping.fiscal_year)
            out[col] = (per or label, kind_of(col))
        return out
    candidates = explicit if explicit is not None else [c for c in columns if c not in mapping.columns]
    for col in candidates:
        per, kind = period_of_label(col, mapping.grain, mapping.fiscal_start_month, mapping.fiscal_year)
        if per is not None:
            out[col] = (per, kind)
    return out
