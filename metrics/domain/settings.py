"""The city's settings, read once per request into one frozen object.

Before this, each page and command read (or defaulted) the fiscal start month, the
stale rule and the suppression threshold on its own, and they disagreed. Now a view or
command calls `load(conn)` once and hands the object to every domain function, so the
Goal page, the Overview, the score CLI and certification evidence use the same rules.
Unreadable stored values fall back to the documented default instead of failing a page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from metrics.domain.certification import LevelConfig, load_levels

DEFAULTS: dict[str, str] = {
    "city_name": "Demo City",
    "fiscal_start_month": "7",
    "stale_grace_days": "45",
    "suppress_below": "11",
    "composite_cap": "1.25",
    "public_base_url": "",
    "session_idle_hours": "12",
    "session_max_days": "7",
    "publish_dir": "",
}
# Grace per grain past a period's due date before a measure counts as stale. A yearly
# figure routinely arrives months after the year closes, so it gets more grace than a
# monthly one; `stale_grace_days` sets the month/quarter grace and the rest scale from it.
_GRACE_SCALE = {"day": 7 / 45, "month": 1.0, "quarter": 1.0, "year": 120 / 45, "fiscal_year": 120 / 45}


@lru_cache(maxsize=1)
def default_levels() -> LevelConfig:
    """data/wwc_levels.toml, read once per process (it changes only with a new release)."""
    return load_levels()


def _int(raw: object, default: str, lo: int, hi: int) -> int:
    try:
        n = int(float(str(raw).strip()))
    except (TypeError, ValueError):
        return int(default)
    return n if lo <= n <= hi else int(default)


def _float(raw: object, default: str, lo: float, hi: float) -> float:
    try:
        x = float(str(raw).strip())
    except (TypeError, ValueError):
        return float(default)
    return x if lo <= x <= hi else float(default)


@dataclass(frozen=True)
class Settings:
    city_name: str = DEFAULTS["city_name"]
    fiscal_start_month: int = 7
    stale_grace_days: int = 45
    suppress_below: int = 11
    composite_cap: float = 1.25
    public_base_url: str = ""
    session_idle_hours: float = 12.0  # a staff session ends after this long without a click
    session_max_days: float = 7.0  # and this long after signing in, whatever the activity
    publish_dir: str = ""  # the static public site's folder, rebuilt after each commit when set
    levels: LevelConfig = field(default_factory=default_levels)

    @property
    def grace_days(self) -> dict[str, int]:
        """Per-grain grace for the one stale rule (scoring.is_stale / due_date)."""
        return {g: round(self.stale_grace_days * k) for g, k in _GRACE_SCALE.items()}

    @property
    def core_criteria(self) -> tuple[str, ...]:
        return self.levels.core


def from_rows(rows: Mapping[str, object], levels: LevelConfig | None = None) -> Settings:
    """Settings from meta key/value rows (missing or unreadable values take the default)."""
    get = {**DEFAULTS, **{k: v for k, v in rows.items() if v is not None}}.get
    return Settings(
        city_name=str(get("city_name") or DEFAULTS["city_name"]),
        fiscal_start_month=_int(get("fiscal_start_month"), DEFAULTS["fiscal_start_month"], 1, 12),
        stale_grace_days=_int(get("stale_grace_days"), DEFAULTS["stale_grace_days"], 0, 3650),
        suppress_below=_int(get("suppress_below"), DEFAULTS["suppress_below"], 0, 1_000_000),
        composite_cap=_float(get("composite_cap"), DEFAULTS["composite_cap"], 1.0, 10.0),
        public_base_url=str(get("public_base_url") or "").strip().rstrip("/"),
        session_idle_hours=_float(get("session_idle_hours"), DEFAULTS["session_idle_hours"], 0.05, 24 * 90),
        session_max_days=_float(get("session_max_days"), DEFAULTS["session_max_days"], 0.01, 366),
        publish_dir=str(get("publish_dir") or "").strip(),
        levels=levels or default_levels(),
    )
