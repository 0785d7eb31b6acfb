"""Shared plumbing of the Manage pages: one saved/refused message per change, kept across the rerun.

A page calls `save(fn, *args, done=..., **kw)` with a metrics.catalog function and the page's actor:
on success the message is kept for the next run and the page reruns (so every view shows the
change); on a refusal (CatalogError, StaleEdit, Forbidden: the MetricsError family) the sentence
is shown as an error and nothing else happens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from metrics.catalog import StaleEdit
from metrics.domain import text
from metrics.errors import MetricsError

_KEY = "manage_flash"


def show_messages() -> None:
    for kind, message in st.session_state.pop(_KEY, []):
        {"ok": st.success, "note": st.info}.get(kind, st.warning)(text.md(message))


def based_on(form: str, current: str) -> str:
    """The version `form` was first drawn from in this session.

    A submit reruns the page, and the rerun reads the data afresh: comparing against the version
    read then would let a save overwrite a change someone made while the form was open. So the
    version is kept from the first drawing until a save succeeds or is refused as stale.
    """
    key = f"_based_on:{form}"
    if key not in st.session_state:
        st.session_state[key] = current
    return st.session_state[key]


def save(fn: Callable[..., Any], *args: Any, done: str | Callable[[Any], str], notes: Callable[[Any], list[str]]
         | None = None, form: str | None = None, **kw: Any) -> Any:
    """Run one catalog write; on success keep `done` (text, or built from the result) and rerun.

    `form`: the form whose version (based_on) was used; it is forgotten after a stale refusal, and
    every form's is forgotten after a success, so the next drawing starts from the current versions.
    """
    try:
        out = fn(*args, **kw)
    except StaleEdit as exc:
        st.session_state.pop(f"_based_on:{form}", None)
        st.error(text.md(f"{exc} The form now shows the current version."))
        return None
    except MetricsError as exc:
        st.error(text.md(f"Nothing was saved. {exc}"))
        return None
    for key in [k for k in st.session_state if str(k).startswith("_based_on:")]:
        del st.session_state[key]  # our own change: every form redraws from the version it made
    msgs = [("ok", done(out) if callable(done) else done)]
    msgs += [("note", n) for n in (notes(out) if notes else [])]
    st.session_state.setdefault(_KEY, []).extend(msgs)
    st.rerun()
    return out


def none_if_blank(value: object) -> object:
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def plain(value: object) -> str:
    """A form's starting value: '' for missing."""
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
