"""Transitional per-run context for pages not yet moved to a view: who is looking, the data version."""

from __future__ import annotations

from dataclasses import dataclass

from metrics import access
from metrics.domain.settings import Settings
from ui import data
from ui.views import actor


@dataclass(frozen=True)
class Context:
    version: int
    as_of: str | None
    city_name: str
    fiscal_start_month: int
    actor: access.Actor
    settings: Settings

    @property
    def visibility(self) -> access.Visibility:
        return access.for_actor(self.actor, self.settings.suppress_below)

    @property
    def public(self) -> bool:
        return self.visibility.public


def current() -> Context:
    status = data.data_status()
    return Context(version=status["data_version"], as_of=str(status.get("data_updated_at") or "") or None,
                   city_name=status["city_name"], fiscal_start_month=status["fiscal_start_month"],
                   actor=actor(), settings=status["settings"])


def require(action: str) -> access.Actor:
    """First line of a page that needs more than reading: stop with a message if not allowed."""
    who = actor()
    if not access.allowed(who, action):
        data.fail(f"You need {access.ACTIONS[action]} rights to {action.replace('-', ' ')}.")
    return who
