"""The UI side of data access: cached, keyed by the data version, errors shown not raised.

metrics/ never imports streamlit, so caching lives here. Every cached call takes the
current data version as an argument: an upload bumps it, the next rerun misses the
cache, and dashboards refresh without a restart.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import access, db, queries


def fail(message: str) -> None:
    st.error(message)
    st.stop()


def data_status() -> dict:
    """Read on every rerun (one tiny query) so the cache key is always current."""
    try:
        row = queries.fetch("data_status").iloc[0].to_dict()
    except db.DatabaseError as exc:
        fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - a missing schema or a dead server: one line, no traceback
        fail(f"The dashboard cannot read its database ({db.masked(db.url_from_env())}): "
             f"{str(exc).splitlines()[0]}. Run `python -m metrics init`.")
    row["data_version"] = int(row.get("data_version") or 0)
    return row


@st.cache_data(show_spinner=False, max_entries=256)
def _cached(name: str, version: int, url: str, params: tuple) -> pd.DataFrame:
    return queries.fetch(name, url=url, **dict(params))


def load(name: str, version: int, **params) -> pd.DataFrame:
    """A named query's rows, cached on the data version, narrowed to what the actor may see."""
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    actor = st.session_state.get("current_actor") or access.PUBLIC_PORTAL
    if actor.is_public and "public_only" in params and not params["public_only"]:
        fail("Public links show published measures only.")
    try:
        frame = _cached(name, version, db.url_from_env(), frozen)
        scoped = None
        if actor.goal_scope:
            measures = _cached("measures", version, db.url_from_env(), (("public_only", True),))
            scoped = set(measures.loc[measures["goal_id"] == actor.goal_scope, "id"])
        return access.visible(actor, frame, scoped).copy()
    except db.DatabaseError as exc:
        fail(str(exc))
    except Exception as exc:  # noqa: BLE001
        fail(f"Could not load {name.replace('_', ' ')}: {str(exc).splitlines()[0]}")
    raise AssertionError("unreachable")
