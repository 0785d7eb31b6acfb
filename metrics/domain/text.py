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


_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)]*)\)")
_LINK = re.compile(r"\[([^\]]*)\]\(\s*<?((?:[^()\s>]|\([^()\s]*\))*)>?(?:\s+\"[^\"]*\")?\s*\)")
_REF_DEF = re.compile(r"^(\s{0,3}\[[^\]]+\]:)\s*(\S+)(.*)$", re.M)
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.\-]*:[^>\s]*)>")
_TAG_START = re.compile(r"<(?=[/!?a-zA-Z])")


def stamp(value: object) -> str:
    """A stored timestamp (naive UTC, meta.now) as a reader reads it: '2026-12-03 05:55 UTC', '—' if none.
    The ISO form with its 'T' and seconds reads as a machine value on a wall screen."""
    if _blank(value):
        return "—"
    try:
        return pd.Timestamp(str(value)).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return shown(value)


def _safe_url(url: str) -> bool:
    u = re.sub(r"[\x00-\x20]", "", url).lower()
    return u.startswith(_SAFE_SCHEMES) or u.startswith(("#", "/")) and not u.startswith("//")


def markdown(text: object) -> str:
    """Markdown a person wrote (a narrative), kept as Markdown but made safe to render.

    Emphasis, lists, headings and http(s)/mailto links stay. Raw HTML is shown as text (every
    `<` that could open a tag is escaped), a link to any other scheme (`javascript:`, `data:`,
    `vbscript:`) keeps only its words, and an image becomes its alt text (a remote image would
    load on every public view). Missing is ''.
    """
    if _blank(text):
        return ""
    out = str(text)
    out = _IMAGE.sub(lambda m: md(m[1]) if m[1] else "", out)
    out = _AUTOLINK.sub(lambda m: m[1] if _safe_url(m[1]) else md(m[1]), out)
    out = _TAG_START.sub("&lt;", out)
    out = _LINK.sub(lambda m: m[0] if _safe_url(m[2]) else md(m[1]), out)
    out = _REF_DEF.sub(lambda m: m[0] if _safe_url(m[2]) else md(m[0].strip()), out)
    return out


def markdown_problems(text: object) -> list[str]:
    """What markdown() will neutralise in `text`, as sentences for the person who wrote it."""
    if _blank(text):
        return []
    s = str(text)
    found = []
    if _TAG_START.search(_AUTOLINK.sub("", s)):
        found.append("HTML in the text is shown as plain text, not run.")
    urls = [m[2] for m in _LINK.finditer(s)] + [m[2] for m in _REF_DEF.finditer(s)] + [m[1] for m in _AUTOLINK.finditer(s)]
    bad = sorted({u.split(":", 1)[0].lower() + ":" for u in urls if u and not _safe_url(u) and ":" in u})
    if bad:
        found.append(f"Links to {', '.join(bad)} are shown as plain text; only http(s) and mailto links work.")
    if _IMAGE.search(s):
        found.append("Images are shown as their description only.")
    return found
