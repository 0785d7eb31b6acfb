"""The Overview's compact parts: status counts and one card per goal, drawn as one HTML block each.

One block of HTML for all goal cards (instead of a container, subheader, caption and table per
goal) is what lets every priority and goal fit on a wall screen above the fold, reflow to one
column on a phone, and reach the browser as a few kilobytes. Every piece of user text is escaped
(text.html_text) before it goes into the HTML.
"""

from __future__ import annotations

from urllib.parse import quote

import streamlit as st

from metrics.domain import text
from metrics.domain.vocabulary import STATUSES
from metrics.views.overview import GoalCard, PrioritySection

_CSS = """<style>
.ov-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:6px;margin:2px 0 10px 0}
.ov-prio{background:rgba(128,128,128,.12);font-size:0.85rem}
.ov-prio .ov-name{font-weight:700;font-size:0.9rem}
[data-testid=stMainBlockContainer]{padding-top:2rem}
.ov-card{border:1px solid rgba(128,128,128,.35);border-radius:8px;padding:6px 8px;font-size:0.8rem;line-height:1.3}
.ov-card a{font-weight:600;text-decoration:none}
.ov-bar{display:flex;height:7px;border-radius:4px;overflow:hidden;margin:4px 0}
.ov-mix{color:#555555}
.ov-chip{display:inline-block;padding:2px 8px;border-radius:10px;margin:0 4px 4px 0;color:#000;font-size:0.85rem}
</style>"""


def _bar(counts: tuple[tuple[str, int], ...]) -> str:
    total = sum(n for _s, n in counts) or 1
    return "".join(f'<span style="width:{100 * n / total:.1f}%;background:{STATUSES[s].colour}" '
                   f'title="{n} {text.html_text(STATUSES[s].label.lower())}"></span>' for s, n in counts)


def _headline(g: GoalCard) -> str:
    h = g.headline
    if h is None:
        return ("<div>No outcome measure reports yet: this goal counts activity, not results.</div>"
                if g.outcome_measures == 0 else "<div>No outcome figures yet.</div>")
    style = STATUSES.get(h.status)
    mark = f"{style.symbol} " if style else ""
    target = f" vs {text.html_text(text.number(h.target, h.unit))} target" if h.target is not None else ""
    return (f"<div>{mark}{text.html_text(h.name)}: <b>{text.html_text(text.number(h.actual, h.unit))}</b>"
            f"{target} ({text.html_text(h.period)})</div>")


def _card(g: GoalCard, suffix: str) -> str:
    mix = " · ".join(f"{STATUSES[s].symbol} {n}" for s, n in g.counts)
    drafts = f" (incl. {g.drafts} draft)" if g.drafts else ""
    href = f"/goal?goal={quote(g.id)}{suffix}"
    return (f'<div class="ov-card"><a href="{text.html_text(href)}" target="_self">{text.html_text(g.name)}</a>'
            f'<div class="ov-bar">{_bar(g.counts)}</div>'
            f'<div class="ov-mix">{text.html_text(mix)} of {sum(n for _s, n in g.counts)} measures{drafts}</div>'
            f"{_headline(g)}</div>")


def _priority_card(s: PrioritySection) -> str:
    total: dict[str, int] = {}
    for g in s.goals:
        for code, n in g.counts:
            total[code] = total.get(code, 0) + n
    counts = tuple((code, total[code]) for code in STATUSES if total.get(code))
    mix = " · ".join(f"{STATUSES[c].symbol} {n}" for c, n in counts)
    return (f'<div class="ov-card ov-prio"><div class="ov-name">{text.html_text(s.name)}</div>'
            f'<div class="ov-bar">{_bar(counts)}</div>'
            f'<div class="ov-mix">{len(s.goals)} goal{"s" * (len(s.goals) != 1)} · {text.html_text(mix)} of '
            f"{sum(total.values())} measures</div></div>")


def goal_cards(sections: tuple[PrioritySection, ...], suffix: str = "") -> None:
    """Every priority (a shaded card with its status mix) followed by its goals as compact cards: name
    (a link to the goal), status mix, headline outcome. One grid, so no row is left half empty."""
    parts = [_CSS, '<div class="ov-grid">']
    for s in sections:
        parts.append(_priority_card(s))
        parts += [_card(g, suffix) for g in s.goals]
    parts.append("</div>")
    st.markdown("".join(parts), unsafe_allow_html=True)


def status_counts(counts: dict[str, int], n: int) -> None:
    """How many measures are in each status, as chips with colour, symbol and word."""
    chips = "".join(
        f'<span class="ov-chip" style="background:{s.colour}" title="{text.html_text(s.description)}">'
        f"{text.html_text(s.symbol)} <b>{counts.get(code, 0)}</b> {text.html_text(s.label.lower())}</span>"
        for code, s in STATUSES.items() if counts.get(code, 0) or code in ("on_track", "at_risk", "off_track"))
    st.markdown(f"{_CSS}<div>{chips}</div><div style='font-size:0.8rem'>of {n} measures</div>",
                unsafe_allow_html=True)
