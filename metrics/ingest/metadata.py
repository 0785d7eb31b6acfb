"""Measure details from the file: what the drafts an upload creates learn about themselves.

A department extract says more than its numbers: NYC's `Desired.Direction` (Up/Down), LA's
`Department Name` and `Unit/Value`, Boston's department and its head, a CityScore metric's name.
`fill_drafts` turns them into the definition of each draft measure the upload creates: name (the
file's name column, never a bare key or row number), unit (a unit column, else `8.8%`-style
values, else a name ending `(%)` or `(days)`), direction (else higher is better, said so),
department, owner, methodology, and frequency from the periods found.

The rule for measures that already exist (decided in issue 10): a data file never changes them,
not even their blanks. An editor's curated definition can't be overwritten by a file, and
rolling the upload back (which deletes the drafts it created) leaves nothing behind. Where the
file disagrees with a stored definition, `differences` says so in the preview; the change then
goes through a measure-registry upload (the registry is the definition: it sets every field) or
`measures set`.
"""

from __future__ import annotations

import json
import re

import pandas as pd

from metrics.domain import text
from metrics.domain.vocabulary import DIRECTION_LABELS, FREQUENCY_LABELS

from . import settings
from .mapping import META_ROLES, Mapping

DETAIL_FIELDS = ("unit", "direction", "department", "owner", "methodology")
_UP = {"up", "higher", "high", "increase", "increasing", "increase is better", "higher is better",
       "up is good", "up is better", "more", "more is better", "positive", "maximise", "maximize", "true", "yes",
       "+", "↑"}
_DOWN = {"down", "lower", "low", "decrease", "decreasing", "decrease is better", "lower is better",
         "down is good", "down is better", "less", "less is better", "fewer", "negative", "minimise", "minimize",
         "false", "no", "-", "↓"}
_NAME_UNIT = re.compile(r"\(([^()]*)\)\s*$")
_NUMERIC = re.compile(r"^\s*\d+(\.0+)?\s*$")
EXPECTED_DIRECTIONS = "Up/Down, Higher/Lower, Increase/Decrease"


def direction_of(value: object) -> str | None:
    """`higher`/`lower` (which is better) for the ways files write it, None when it isn't one."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    word = re.sub(r"\s+", " ", str(value).strip().lower())
    if word in _UP:
        return "higher"
    if word in _DOWN:
        return "lower"
    return None


def unit_from_name(name: object) -> str | None:
    """The unit a name ends with in parentheses (`Permitted jobs professionally certified (%)` -> `%`),
    only for the unit words in `settings.NAME_UNITS`, so `(MHL)` or `(Borough offices)` are not units."""
    if not isinstance(name, str):
        return None
    found = _NAME_UNIT.search(name)
    if not found:
        return None
    unit = found.group(1).strip()
    return unit if unit.lower() in settings.NAME_UNITS else None


def _blank(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value)) or not str(value).strip()


def per_measure(frame: pd.DataFrame, ids: list[str] | pd.Index) -> pd.DataFrame:
    """First non-missing `measure_name` and detail per measure id (only the rows of those ids)."""
    cols = ["measure_name", *[c for c in DETAIL_FIELDS if c in frame.columns]]
    rows = frame.loc[frame["measure_id"].isin(list(ids)), ["measure_id", *cols]]
    if rows.empty:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="measure_id"))
    return rows.astype({c: "object" for c in cols}).groupby("measure_id", sort=False).first()


def _name(name: object, measure_id: str, file_name: str) -> str:
    """The file's name for the measure; a missing or bare-number name is replaced by a sentence that
    says where it came from (a key like CityScore's metric `1` is not a name)."""
    if _blank(name) or _NUMERIC.match(str(name)):
        return f"Measure {measure_id} from {file_name}"
    return str(name).strip()


def _objects(values: list, index: pd.Index) -> pd.Series:
    """Object column with None for missing: pandas' `str` dtype would store NaN, which a database
    text column receives as the word 'nan'."""
    return pd.Series(values, index=index, dtype="object")


def fill_drafts(drafts: pd.DataFrame, frame: pd.DataFrame, file_name: str,
                column_of: dict[str, str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Drafts (from `registry.draft_measures`) with the file's details, and sentences for the preview
    saying which details they get, from which column, and what was assumed. `column_of` is
    role -> source column (the mapping used), only for naming the columns in those sentences."""
    if drafts.empty:
        return drafts.assign(department=None, owner=None, methodology=None).astype(
            {c: "object" for c in ("department", "owner", "methodology")}), []
    out = drafts.copy()
    details = per_measure(frame, out["id"]).reindex(out["id"])
    none = pd.Series(None, index=details.index, dtype="object")
    raw_direction = details["direction"] if "direction" in details else none
    direction = raw_direction.map(direction_of)
    out["direction"] = direction.fillna("higher").to_numpy()
    names = details["measure_name"] if "measure_name" in details else none
    out["name"] = _objects([_name(n, i, file_name) for n, i in zip(names, out["id"], strict=True)], out.index)
    units = out["unit"] if "unit" in out else pd.Series(None, index=out.index)
    out["unit"] = _objects([str(u).strip() if not _blank(u) else unit_from_name(n)
                            for u, n in zip(units.astype("object"), out["name"], strict=True)], out.index)
    for col in ("department", "owner", "methodology"):
        vals = details[col] if col in details else none
        out[col] = _objects([None if _blank(v) else str(v).strip() for v in vals], out.index)
    counts = {"name": int(sum(not _blank(n) and not _NUMERIC.match(str(n)) for n in names)),
              "unit": int(sum(not _blank(u) for u in out["unit"])), "direction": int(direction.notna().sum()),
              **{c: int(sum(v is not None for v in out[c])) for c in ("department", "owner", "methodology")}}
    lines = _describe(out, counts, column_of or {})
    odd = sorted({str(v).strip() for v in raw_direction if not _blank(v) and direction_of(v) is None})
    if odd:
        n = int((raw_direction.map(lambda v: not _blank(v)) & direction.isna()).sum())
        lines.append(f"{n:,} measure{'s' if n != 1 else ''} have a direction the importer can't read "
                     f"({', '.join(odd[:5])}; expected {EXPECTED_DIRECTIONS}): they keep higher is better.")
    return out, lines


def _describe(drafts: pd.DataFrame, counts: dict[str, int], column_of: dict[str, str]) -> list[str]:
    n = len(drafts)
    role = {"name": "measure_name"}
    parts = []
    for label, have in counts.items():
        source = column_of.get(role.get(label, label))
        parts.append(f"{label} for {have:,}" + (f" (from “{source}”)" if source and have else ""))
    freq = drafts["frequency"].map(lambda f: FREQUENCY_LABELS.get(f, text.shown(f))).value_counts()
    lines = [f"The {n:,} new draft measure{'s' if n != 1 else ''} get from the file: " + ", ".join(parts)
             + "; frequency from the periods found: " + ", ".join(f"{k} ({v:,})" for k, v in freq.items()) + "."]
    if counts["name"] < n:
        lines.append(f"{n - counts['name']:,} have no name in the file and are named “Measure ID from FILE”.")
    if counts["direction"] < n:
        lines.append(f"{n - counts['direction']:,} have no direction in the file: higher is better is assumed; "
                     "check it before publishing (`measures set ID --direction lower`).")
    return lines


def shown_table(drafts: pd.DataFrame) -> pd.DataFrame:
    """The drafts as the preview lists them: one row per measure, missing shown as '—' (never 'nan')."""
    cols = ["id", "name", "direction", "unit", "frequency", "department", "owner", "methodology"]
    if drafts.empty:
        return pd.DataFrame(columns=cols)
    out = drafts.reindex(columns=cols).astype("object")
    out["direction"] = out["direction"].map(lambda d: DIRECTION_LABELS.get(d, d))
    out["frequency"] = out["frequency"].map(lambda f: FREQUENCY_LABELS.get(f, f))
    for col in cols:
        out[col] = out[col].map(text.shown)
    return out.reset_index(drop=True)


def _same(a: object, b: object) -> bool:
    return str(a).strip().casefold() == str(b).strip().casefold()


def differences(frame: pd.DataFrame, known: pd.DataFrame, draft_ids: set[str], limit: int = 5) -> list[str]:
    """Where the file's details disagree with measures that already exist (never applied: see the module)."""
    if known is None or known.empty or frame.empty:
        return []
    cols = [c for c in ("direction", "department", "unit") if c in frame.columns and c in known.columns]
    if not cols or not any(frame[c].notna().any() for c in cols):
        return []
    stored = known.drop_duplicates("id").set_index(known.drop_duplicates("id")["id"].astype(str))
    ids = [i for i in stored.index if i not in draft_ids]
    file = per_measure(frame, ids)
    found: list[str] = []
    measures: set[str] = set()
    for mid, row in file.iterrows():  # one row per existing measure in the file
        for col in cols:
            new, old = row.get(col), stored.at[mid, col]
            if _blank(new):
                continue  # a file's blank never counts as a change
            if col == "direction":
                new = direction_of(new)
                if new is None:
                    continue
            if _blank(old) or not _same(new, old):
                measures.add(str(mid))
                if len(found) < limit:
                    found.append(f"{mid} {col}: file “{new}”, measure “{text.shown(old)}”")
    if not measures:
        return []
    n = len(measures)
    return [f"The file's details differ from {n:,} existing measure{'s' if n != 1 else ''} and were not applied "
            f"(an upload only fills the drafts it creates; change a definition with a measure registry upload or "
            f"`measures set`): " + "; ".join(found) + ("; …" if n > len(found) else "") + "."]


def remembered_with_details(remembered: str, detected: str) -> Mapping:
    """A mapping remembered before files' details were read (its JSON has no `target_kinds`) gains the
    detail columns detection finds, where it left those columns and roles unassigned; one saved since
    is used as it is (a detail the user set to "(none)" stays none)."""
    mapping = Mapping.from_json(remembered)
    if "target_kinds" in json.loads(remembered):
        return mapping
    found = Mapping.from_json(detected)
    taken = set(mapping.columns.values())
    for col, role in found.columns.items():
        if role in META_ROLES and role not in taken and col not in mapping.columns:
            mapping.columns[col] = role
            taken.add(role)
    return mapping
