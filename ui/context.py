"""Per-run context shared by pages: who is looking, and the data version."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from metrics import access
from ui import data


@dataclass(frozen=True)
class Context:
    version: int
    public_only: bool
    as_of: str | None
    city_name: str
    fiscal_start_month: int
    actor: access.Actor = access.LOCAL_ADMIN


def actor() -> access.Actor:
    """The actor app.py resolved for this run; a page run without app.py is treated as public."""
    return st.session_state.get("current_actor") or access.PUBLIC_PORTAL


def current() -> Context:
    status = data.data_status()
    who = actor()
    return Context(version=status["data_version"],
                   public_only=who.is_public or bool(st.session_state.get("public_only", False)),
                   as_of=str(status.get("data_updated_at") or "") or None,
                   city_name=status.get("city_name") or "City",
                   fiscal_start_month=int(status.get("fiscal_start_month") or 7),
                   actor=who)


def require(action: str) -> access.Actor:
    """First line of a page that needs more than reading: stop with a message if not allowed."""
    who = actor()
    if not access.allowed(who, action):
        data.fail(f"You need {access.ACTIONS[action]} rights to {action.replace('-', ' ')}.")
    return who
