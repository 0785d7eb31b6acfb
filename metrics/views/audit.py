"""The Audit page and its CSV: who changed what, when, old → new (admins only).

Every catalog change, upload, rollback, user and share-link change writes an audit row; this view
reads them newest first (sql/audit_log.sql returns nothing to a public reader), filters them, and
turns each row's JSON detail into one readable line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa

from metrics import access
from metrics.domain.settings import Settings
from metrics.views import base

COLUMNS = ["at", "actor", "action", "object_type", "object_id", "change"]
DEFAULT_LIMIT = 5000


@dataclass(frozen=True)
class AuditView:
    version: int
    rows: pd.DataFrame  # COLUMNS + detail
    actions: tuple[str, ...]  # the filter choices in what was read
    actors: tuple[str, ...]


def _short(v: object) -> str:
    s = "—" if v is None or v == "" else str(v)
    return s if len(s) <= 80 else s[:77] + "…"


def describe(detail: object) -> str:
    """One line for a person: `field: old → new; …` (or what was created/removed)."""
    if not isinstance(detail, str) or not detail:
        return ""
    try:
        d = json.loads(detail)
    except ValueError:
        return _short(detail)
    if not isinstance(d, dict):
        return _short(d)
    parts = []
    for key, pair in (d.get("changed") or {}).items():
        if isinstance(pair, list | tuple) and len(pair) == 2:
            parts.append(f"{key}: {_short(pair[0])} → {_short(pair[1])}")
    for label in ("new", "old"):
        if isinstance(d.get(label), dict):
            parts.append(("created " if label == "new" else "removed ")
                         + ", ".join(f"{k}={_short(v)}" for k, v in d[label].items() if v is not None))
        elif label in d:
            parts.append(f"{'now' if label == 'new' else 'was'}: {_short(d[label])}")
    rest = {k: v for k, v in d.items() if k not in ("changed", "new", "old")}
    parts += [f"{k}: {_short(v)}" for k, v in rest.items()]
    return "; ".join(parts)


def build(conn_or_url: sa.Connection | str | None, actor: access.Actor | None, settings: Settings | None = None, *,
          since: date | None = None, who: str | None = None, action: str | None = None,
          object_id: str | None = None, limit: int = DEFAULT_LIMIT) -> AuditView:
    """The audit log from `since` on (default: everything), optionally one actor / action / object."""
    access.ensure_allowed(actor, "view-audit")
    with base.read(conn_or_url, actor, settings) as r:
        rows = r.frame("audit_log", since=since or date(1970, 1, 1), limit=int(limit))
    actions = tuple(sorted(rows["action"].dropna().astype(str).unique()))
    actors = tuple(sorted(rows["actor"].dropna().astype(str).unique()))
    if who:
        rows = rows[rows["actor"] == who]
    if action:
        rows = rows[rows["action"] == action]
    if object_id:
        rows = rows[rows["object_id"].fillna("").astype(str).str.contains(object_id, regex=False)]
    rows = rows.assign(change=[describe(d) for d in rows["detail"]]).reset_index(drop=True)
    return AuditView(version=r.version, rows=rows[[*COLUMNS, "detail"]], actions=actions, actors=actors)
