"""JSON sources: Boston budget-book program pages and CityScore Toolkit fixtures.

Both become a small string frame that goes through the same wide/long code as CSV,
so cleaning (`15,071`, `8.8%`) and period reading stay in one place.
"""

from __future__ import annotations

import html
import json
from typing import Any

import pandas as pd

from . import settings
from .errors import FormatError, IngestFailed
from .mapping import Mapping, slug


def looks_like_json(text: str) -> bool:
    head = text.lstrip()[:3]
    return head.startswith(("{", "[")) or head == "---"


def load_json(text: str) -> Any:
    """Parse JSON, stripping Jekyll/YAML `---` front-matter fences first."""
    lines = [ln for ln in text.splitlines() if ln.strip() != "---"]
    try:
        return json.loads("\n".join(lines), parse_int=_number, parse_float=_number)
    except json.JSONDecodeError as exc:
        raise IngestFailed(FormatError(note=f"invalid JSON at line {exc.lineno}: {exc.msg}")) from exc
    except RecursionError as exc:
        raise IngestFailed(FormatError(note="the JSON is nested too deeply to be a KPI extract")) from exc


def _number(text: str) -> int | float | str:
    """A JSON number; one with more digits than any value may hold stays text, so validation
    rejects it with its row and column (int() of 5,000 digits raises ValueError)."""
    if len(text) > settings.MAX_DIGITS:
        return text
    return float(text) if any(c in text for c in ".eE") else int(text)


def _line_of(text: str, needle: str, start: int) -> tuple[int, int]:
    pos = text.find(needle, start)
    if pos < 0:
        return 0, start
    return text.count("\n", 0, pos) + 1, pos + 1


def boston_source(doc: dict, text: str) -> tuple[pd.DataFrame, Mapping]:
    """Boston `performance_strategies[*].performance_measures[*]` tables -> wide frame.

    Keys are relative-year slots (`fy-2` .. `fy+1`); each table's `table_header` names
    them (`FY16 Actual`, `FY18 Target`), so the header label becomes the column.
    Budget tables (`selected_service_indicators`) are not measures and are ignored. The page's
    `department` and its head (`head_name`, `head_title`) become each measure's department and owner.
    """
    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    pos = 0
    department = _plain(doc.get("department") or doc.get("parent"))
    owner = ", ".join(p for p in (_plain(doc.get("head_name")), _plain(doc.get("head_title"))) if p)
    for strategy in doc.get("performance_strategies") or []:
        for table in strategy.get("performance_measures") or []:
            header = table.get("table_header") or {}
            slots = {k: v for k, v in header.items() if k.startswith("fy")}
            for line in table.get("data") or []:
                if line.get("line_type", "data") != "data":
                    continue
                name = html.unescape(str(line.get("line_data", ""))).strip()
                row = {"measure_id": slug(name), "measure_name": name, "department": department, "owner": owner}
                row.update({label: "" if line.get(k) is None else str(line.get(k)) for k, label in slots.items()})
                rows.append(row)
                number, pos = _line_of(text, json.dumps(line.get("line_data", "")), pos)
                numbers.append(number)
    if not rows:
        raise IngestFailed(FormatError(note="no performance_measures tables in this JSON"))
    frame = pd.DataFrame(rows).fillna("").astype("str")
    frame.index = pd.Index(numbers, name="row_number")
    mapping = Mapping(columns={"measure_id": "measure_id", "measure_name": "measure_name",
                               "department": "department", "owner": "owner"}, layout="wide", fiscal_start_month=7)
    return frame, mapping


def _plain(value: object) -> str:
    return "" if value is None else html.unescape(str(value)).strip()


def _metrics(doc: list) -> dict[str, dict[str, str]]:
    """`cityscore.metric` records in the same fixture (as in the toolkit's BOSdata.json): id ->
    name, direction (true = higher is better) and target."""
    out = {}
    for r in doc:
        if isinstance(r, dict) and str(r.get("model", "")).endswith(".metric"):
            f = r.get("fields", {}) or {}
            direction = f.get("direction")
            out[str(r.get("pk", r.get("id", "")))] = {
                "metric_name": _plain(f.get("name")),
                "direction": "" if direction is None else ("higher" if direction in (True, "true", 1) else "lower"),
                "metric_target": "" if f.get("target") is None else str(f.get("target"))}
    return out


def cityscore_source(doc: list, text: str) -> tuple[pd.DataFrame, Mapping]:
    """Django fixture of `cityscore.value` records -> long frame (metric id, date, value).

    The value records name their metric by foreign key only. When the fixture also holds the
    `cityscore.metric` records, their name, direction and target come along; otherwise the
    measure is named "CityScore metric 1", never the bare key.
    """
    recs = [r for r in doc if isinstance(r, dict) and str(r.get("model", "")).endswith(".value")]
    if not recs:
        raise IngestFailed(FormatError(note="no cityscore.value records in this JSON"))
    metrics = _metrics(doc)
    rows, numbers, pos = [], [], 0
    for r in recs:
        f = r.get("fields", {})
        metric = str(f.get("metric", ""))
        known = metrics.get(metric, {})
        rows.append({"metric": metric, "entry_date": str(f.get("entry_date", "")),
                     "val": "" if f.get("val") is None else str(f.get("val")),
                     "metric_name": known.get("metric_name") or (f"CityScore metric {metric}" if metric else ""),
                     "direction": known.get("direction", ""), "metric_target": known.get("metric_target", "")})
        number, pos = _line_of(text, '"model"', pos)
        numbers.append(number)
    frame = pd.DataFrame(rows).astype("str")
    frame.index = pd.Index(numbers, name="row_number")
    mapping = Mapping(columns={"metric": "measure_id", "entry_date": "period", "val": "value",
                               "metric_name": "measure_name", "direction": "direction",
                               "metric_target": "target"}, layout="long")
    return frame, mapping


def json_source(text: str) -> tuple[pd.DataFrame, Mapping]:
    """Dispatch on the JSON's shape."""
    doc = load_json(text)
    if isinstance(doc, dict) and "performance_strategies" in doc:
        return boston_source(doc, text)
    if isinstance(doc, list):
        return cityscore_source(doc, text)
    raise IngestFailed(FormatError(note="unrecognised JSON shape (expected a Boston budget page or "
                                        "a CityScore values fixture)"))
