"""Per-run context shared by pages: who is looking, and the data version."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui import data


@dataclass(frozen=True)
class Context:
    version: int
    public_only: bool
    as_of: str | None
    city_name: str
    fiscal_start_month: int


def current() -> Context:
    status = data.data_status()
    return Context(version=status["data_version"],
                   public_only=bool(st.session_state.get("public_only", False)),
                   as_of=str(status.get("data_updated_at") or "") or None,
                   city_name=status.get("city_name") or "City",
                   fiscal_start_month=int(status.get("fiscal_start_month") or 7))
