"""Transitional: named queries for pages not yet moved to a view (see ui/views.py).

Every call passes the reader's Visibility, so even these reads join the one visibility rule.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import access
from metrics.errors import MetricsError
from metrics.store import db, queries
from ui.views import actor, fail, status


@st.cache_data(show_spinner=False, max_entries=256)
def _cached(name: str, version: int, url: str, vis: access.Visibility, params: tuple) -> pd.DataFrame:
    return queries.fetch(name, vis, url=url, **dict(params))


def data_status() -> dict:
    now = status()
    return {"data_version": now.version, "data_updated_at": now.updated_at, "city_name": now.settings.city_name,
            "fiscal_start_month": now.settings.fiscal_start_month, "settings": now.settings}


def load(name: str, version: int, **params) -> pd.DataFrame:
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    vis = access.for_actor(actor(), status().settings.suppress_below)
    try:
        return _cached(name, version, db.url_from_env(), vis, frozen).copy()
    except MetricsError as exc:
        fail(str(exc))
    raise AssertionError("unreachable")
