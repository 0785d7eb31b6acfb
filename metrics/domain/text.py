"""User text made safe to show, and numbers written the one way a person reads them.

Measure names, units, notes, members, methodology and file names come from files anyone on
staff can upload. Rendered as Markdown, `[notice](http://…)` becomes a live link and
`![](http://…)` loads a remote image on every public view; plotly turns `<a href>` in a
label into a link. So every piece of user text goes through one of these before it is
drawn: `md()` for st.markdown/st.caption/metric labels, `html_text()` for HTML and plotly
labels and titles. Downloads go through `neutralise()`: a cell starting with = + - @ (or a
tab/CR) is a formula to a spreadsheet, so it gets a leading apostrophe.
"""

from __future__ import annotations

import html
import math
import re

import pandas as pd

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MISSING = "—"


def _blank(text: object) -> bool:
    if text is None:
        return True
    try:
        return not isinstance(text, str) and bool(pd.isna(text))
    except (TypeError, ValueError):
        return False


def md(text: object) -> str:
    """Text made inert for Markdown: no links, images, emphasis or HTML; missing is ''."""
    if _blank(text):
        return ""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def html_text(text: object) -> str:
    """Text made inert for HTML and plotly labels (plotly renders a subset of HTML)."""
    if _blank(text):
        return ""
    return html.escape(str(text), quote=True)


def shown(text: object) -> str:
    """A plain value for a table cell or label: the text, or '—' when missing (never 'nan')."""
    return MISSING if _blank(text) or str(text).strip() == "" else str(text)


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading apostrophe."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            s = out[col].astype("string")
            risky = s.str.startswith(_FORMULA_START).fillna(False)
            out[col] = s.where(~risky, "'" + s)
    if not all(isinstance(c, str) for c in out.columns):
        return out
    out.columns = ["'" + c if c.startswith(_FORMULA_START) else c for c in out.columns]
    return out


def to_csv(frame: pd.DataFrame) -> str:
    """A download: formulas neutralised, full float precision, LF line ends."""
    return neutralise(frame).to_csv(index=False, lineterminator="\n", float_format="%.15g")


def number(value: float | None, unit: str | None = None, signed: bool = False) -> str:
    """A number as a person reads it: thousands separators, fewer decimals as it grows, the
    unit where it helps ($ for USD, % for percentages); missing is '—'."""
    if value is None or _blank(value) or (isinstance(value, float) and math.isinf(value)):
        return MISSING
    unit = "" if _blank(unit) else str(unit)
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    body = f"{abs(value):,.{digits}f}"
    if "." in body:
        body = body.rstrip("0").rstrip(".")
    sign = "-" if value < 0 and body != "0" else ("+" if signed else "")
    if unit == "USD":
        return f"{sign}${body}"
    if unit.startswith("%"):
        return f"{sign}{body}%"
    return f"{sign}{body} {unit}".strip()
