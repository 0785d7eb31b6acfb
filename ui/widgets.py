"""Small shared widgets."""

from __future__ import annotations

import html

import streamlit as st

from metrics.domain import scoring


def status_legend() -> None:
    """Status colours with their symbols and words, so colour is never the only cue."""
    chips = " ".join(
        f'<span style="background:{s.colour};color:#000;padding:2px 8px;border-radius:10px;margin-right:6px;'
        f'font-size:0.85em" title="{html.escape(s.description)}">{html.escape(s.symbol)} {html.escape(s.label)}</span>'
        for s in scoring.STATUSES.values())
    st.markdown(chips, unsafe_allow_html=True)


def status_chip(status: str) -> str:
    s = scoring.STATUSES.get(status)
    if s is None:
        return html.escape(status)
    return (f'<span style="background:{s.colour};color:#000;padding:2px 10px;border-radius:10px">'
            f'{html.escape(s.symbol)} {html.escape(s.label)}</span>')


def id_select(label: str, options: list[str], key: str, format_func=str, default: str | None = None) -> str:
    """A selectbox whose URL parameter holds the stable id, while the box shows a name.

    Streamlit's bind="query-params" writes the *formatted* option into the URL; share
    links and the CLI speak ids, so this keeps `?measure=households-stable-housing`.
    `default` (the first option unless given) is what an address without the parameter shows.
    """
    wanted = st.query_params.get(key)
    index = options.index(wanted) if wanted in options else 0
    choice = st.selectbox(label, options, index=index, format_func=format_func, key=f"_{key}_{wanted}")
    if choice == (options[0] if default is None else default) or choice is None:
        st.query_params.pop(key, None)  # the default stays out of the URL, as with bind="query-params"
    elif st.query_params.get(key) != choice:
        st.query_params[key] = choice
    return choice


def verdict(will_meet: bool | None, sentence: str) -> None:
    """Whether a target will be met: green when on pace, a plain note when it can't be told, and an
    orange "Not on pace" badge otherwise. A slow goal is news for the reader, not a fault of the page,
    so it is not drawn as a warning box (those are kept for things that went wrong)."""
    if will_meet:
        st.success(sentence, icon=":material/trending_up:")
    elif will_meet is None:
        st.info(sentence)
    else:
        with st.container(border=True):
            st.markdown(f":orange-badge[:material/trending_down: Not on pace] {sentence}")


PICKER_LIMIT = 50  # options a long picker sends at once


def matching(options: list[str], query: str, format_func=str, current: str | None = None,
             limit: int = PICKER_LIMIT) -> list[str]:
    """Up to `limit` options whose id or shown text contains every word of `query` (any case), in their
    order, with `current` kept first when it is not among them (so the box still shows what is open)."""
    words = query.lower().split()
    hits = [o for o in options if all(w in f"{o} {format_func(o)}".lower() for w in words)] if words else options
    shown = hits[:limit]
    if current is not None and current in options and current not in shown:
        shown = [current, *shown[:limit - 1]]
    return shown


def long_id_select(label: str, options: list[str], key: str, format_func=str, noun: str = "item",
                   limit: int = PICKER_LIMIT) -> str:
    """id_select for a list too long to send whole (a city's 1,000 measures): a search box narrows it
    and at most `limit` options reach the browser; the one open stays in the box."""
    if len(options) <= limit:
        return id_select(label, options, key, format_func)
    wanted = st.query_params.get(key)
    current = wanted if wanted in options else options[0]
    query = st.text_input(f"Find a {noun}", key=f"_{key}_find",
                          placeholder=f"{len(options):,} in all, {limit} listed below: type part of a name or id")
    shown = matching(options, query, format_func, current, limit)
    if not shown:
        st.info(f"No {noun} matches “{query}”.")
        shown = [current]
    return id_select(label, shown, key, format_func, default=options[0])


def page_of(frame, key: str, rows: int = 100):
    """The rows of `frame` on the page the reader picked (`rows` per page), so a long table is sent a
    page at a time; with a caption saying which rows these are."""
    total = len(frame)
    if total <= rows:
        return frame
    pages = -(-total // rows)
    page = int(st.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, value=1, step=1, key=key))
    start = (page - 1) * rows
    st.caption(f"Rows {start + 1:,}–{min(start + rows, total):,} of {total:,}.")
    return frame.iloc[start:start + rows]
