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


def id_select(label: str, options: list[str], key: str, format_func=str) -> str:
    """A selectbox whose URL parameter holds the stable id, while the box shows a name.

    Streamlit's bind="query-params" writes the *formatted* option into the URL; share
    links and the CLI speak ids, so this keeps `?measure=households-stable-housing`.
    """
    wanted = st.query_params.get(key)
    index = options.index(wanted) if wanted in options else 0
    choice = st.selectbox(label, options, index=index, format_func=format_func, key=f"_{key}_{wanted}")
    if choice == options[0] or choice is None:
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
