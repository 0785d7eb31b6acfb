"""Cached views: the one way a page gets its numbers.

A page calls `show(views.overview.build, **filters)`. The result is cached across sessions
keyed by (view, database, data version, the reader's visibility, filters): two staff
members share an entry, a goal-scoped public link never gets a staff entry, and an upload
(which bumps the data version) makes the next rerun read fresh data. The view reads the
data version inside its own snapshot and the result is stored under that version, so new
data is never cached under an old version. Errors of the MetricsError family become one
line on the page; anything else is a bug and is left to surface.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import streamlit as st

from metrics import access
from metrics.errors import MetricsError
from metrics.store import db
from metrics.views import base

MAX_ENTRIES = 256


class _LRU:
    def __init__(self, size: int) -> None:
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: tuple) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key: tuple, value: Any) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


@st.cache_resource(show_spinner=False)
def _cache() -> _LRU:
    return _LRU(MAX_ENTRIES)


def fail(message: str) -> None:
    st.error(message)
    st.stop()


def actor() -> access.Actor:
    """The actor app.py resolved for this run; a page run without app.py reads as the public."""
    return st.session_state.get("current_actor") or access.PUBLIC_PORTAL


def require(action: str) -> access.Actor:
    """First line of a page that needs more than reading: stop with a message if not allowed."""
    who = actor()
    if not access.allowed(who, action):
        fail(f"You need {access.ACTIONS[action]} rights to {action.replace('-', ' ')}.")
    return who


def database_url() -> str:
    """The database this app uses (for a page that calls a write function with the page's actor)."""
    try:
        return db.url_from_env()
    except MetricsError as exc:
        fail(str(exc))
    raise AssertionError("unreachable")


def _freeze(value: object) -> object:
    if isinstance(value, list | tuple | set):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    return value


def status() -> base.Status:
    """Data version and settings (one tiny read): the cache key and the city's settings."""
    try:
        return base.status(db.url_from_env())
    except MetricsError as exc:
        fail(str(exc))
    raise AssertionError("unreachable")


def show(view: Callable[..., Any], **filters) -> Any:
    """The view's dataclass for the current reader, from the cache when the data is unchanged."""
    who = actor()
    url = db.url_from_env()
    now = status()
    vis = access.for_actor(who, now.settings.suppress_below)
    name = f"{view.__module__}.{view.__qualname__}"
    frozen = _freeze(filters)
    cache = _cache()
    hit = cache.get((name, url, now.version, vis, frozen))
    if hit is not None:
        return hit
    try:
        result = view(url, who, now.settings, **filters)
    except MetricsError as exc:
        fail(str(exc))
    version = getattr(result, "version", now.version)
    cache.put((name, url, version, vis, frozen), result)
    return result


def fresh(view: Callable[..., Any], **filters) -> Any:
    """The view read now, not from the cache: for a staff read that must reflect a write which
    does not change the data version (an upload whose values were all unchanged)."""
    try:
        return view(database_url(), actor(), status().settings, **filters)
    except MetricsError as exc:
        fail(str(exc))
    raise AssertionError("unreachable")


def built(key: tuple, make: Callable[[], Any]) -> Any:
    """`make()` (e.g. a plotly figure: building one costs a few hundred ms of validation) once per
    `key`, which must hold everything the result is drawn from; shared across sessions like views."""
    cache = _cache()
    full = ("built", *key)
    hit = cache.get(full)
    if hit is None:
        hit = make()
        cache.put(full, hit)
    return hit
