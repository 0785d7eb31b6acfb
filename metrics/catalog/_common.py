"""What every catalog write shares: the error types, field checks, the stale-form rule, the audit record.

A catalog write validates everything first and raises CatalogError with one sentence per
problem before it changes anything, so a form or a CLI call either lands whole or not at all.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from metrics import access
from metrics.domain import periods
from metrics.domain.vocabulary import FREQUENCY_LABELS
from metrics.errors import InputError
from metrics.store import meta, rollups, schema

NAME_MAX_CHARS = 200
TEXT_MAX_CHARS = 5000
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class CatalogError(InputError):
    """A catalog change was refused; `errors` holds one sentence per problem. Nothing was written."""

    def __init__(self, errors: list[str] | str):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__(" ".join(self.errors))


class StaleEdit(CatalogError):
    """The form was based on an older version: someone else changed the object meanwhile."""


def version_of(value: object) -> str:
    """The version token of a row: its last-change time to the microsecond ('' when never stamped).

    Forms carry it (`based_on=`) so a save can tell whether someone else changed the row since
    the form was drawn. The same string comes out of a datetime, a pandas Timestamp or a token.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%S.%f")


def check_fresh(conn: sa.Connection, what: str, object_type: str, object_id: str, current: object,
                based_on: str | None) -> None:
    """Raise StaleEdit when `based_on` (the form's token) is not the row's current version.

    `None` means the caller did not draw a form (the CLI acting on the latest state): no check.
    The message names who changed it last, from the audit log, so the editor knows whom to ask.
    """
    if based_on is None or version_of(based_on) == version_of(current):
        return
    a = schema.audit_log
    last = conn.execute(sa.select(a.c.actor, a.c.at).where(a.c.object_type == object_type, a.c.object_id == object_id)
                        .order_by(a.c.id.desc()).limit(1)).first()
    who = f" by {last.actor} at {pd.Timestamp(last.at):%Y-%m-%d %H:%M} UTC" if last else ""
    raise StaleEdit(f"{what} was changed{who} after you opened this form. Nothing was saved: reload to see the "
                    "current version, then make your change again.")


def now() -> datetime:
    return meta.now()


def text_field(value: object, label: str, errors: list[str], max_chars: int = NAME_MAX_CHARS,
               required: bool = False) -> str | None:
    """A trimmed text value, or None when empty; adds a sentence to `errors` when it can't be used."""
    if value is None:
        if required:
            errors.append(f"{label} is required.")
        return None
    if not isinstance(value, str):
        errors.append(f"{label} must be text.")
        return None
    out = value.strip()
    if not out:
        if required:
            errors.append(f"{label} is required.")
        return None
    if len(out) > max_chars:
        errors.append(f"{label} is longer than {max_chars} characters.")
    if any((ord(ch) < 32 and ch not in "\n\t") or ord(ch) == 127 for ch in out):
        errors.append(f"{label} contains control characters.")
    return out


def id_field(value: object, label: str, errors: list[str]) -> str | None:
    if not isinstance(value, str) or not ID_PATTERN.match(value.strip()):
        errors.append(f"{label} {str(value)[:70]!r} is not an id: use lower-case letters, digits and hyphens "
                      "(up to 64), e.g. reduce-homelessness.")
        return None
    return value.strip()


def choice(value: object, label: str, allowed: tuple[str, ...], errors: list[str]) -> str | None:
    if value not in allowed:
        errors.append(f"{label} {str(value)[:40]!r} is not one of: {', '.join(allowed)}.")
        return None
    return str(value)


def date_field(value: object, label: str, errors: list[str]) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors.append(f"{label} {str(value)[:40]!r} is not a date; use YYYY-MM-DD.")
        return None


def number_field(value: object, label: str, errors: list[str], required: bool = False) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append(f"{label} is required.")
        return None
    if isinstance(value, bool):
        errors.append(f"{label} must be a number.")
        return None
    try:
        out = float(str(value).replace(",", "").strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        errors.append(f"{label} {str(value)[:40]!r} is not a number.")
        return None
    if pd.isna(out) or out in (float("inf"), float("-inf")):
        errors.append(f"{label} must be a finite number.")
        return None
    return out


def raise_if(errors: list[str]) -> None:
    if errors:
        raise CatalogError(errors)


def diff(old: dict, new: dict) -> dict[str, list]:
    """Field -> [old, new] for every field `new` changes (what the audit log records)."""
    return {k: [_plain(old.get(k)), _plain(v)] for k, v in new.items() if _plain(old.get(k)) != _plain(v)}


def _plain(v: object) -> object:
    if v is None or (not isinstance(v, str | bool) and pd.isna(v)):
        return None
    if isinstance(v, datetime | date):
        return v.isoformat()
    if hasattr(v, "item"):
        return v.item()
    return v


def _record(conn: sa.Connection, actor: access.Actor, action: str, object_type: str, object_id: str,
           detail: dict) -> None:
    """The audit row (who, when, old → new), the stored scores of a measure whose definition or
    targets changed (store.rollups), and the data-version bump, all in the write's transaction."""
    meta.audit(conn, actor.name, action, object_type, object_id, detail)
    if object_type in ("measure", "target"):
        rollups.refresh(conn, [object_id])
    meta.bump_data_version(conn)


def row(conn: sa.Connection, table: sa.Table, **key) -> dict | None:
    cond = [table.c[k] == v for k, v in key.items()]
    found = conn.execute(sa.select(table).where(*cond)).mappings().first()
    return dict(found) if found else None


def measure_row(conn: sa.Connection, measure_id: str) -> dict:
    """The measure's row, or the one refusal every catalog write gives for an unknown id."""
    m = row(conn, schema.measures, id=measure_id)
    if m is None:
        raise CatalogError(f"There is no measure {str(measure_id)[:100]!r}.")
    return m


def measure_period(label: object, m: dict, fsm: int, errors: list[str]) -> periods.Period | None:
    """`label` parsed as a period of measure `m`'s own frequency, or None with the reason in `errors`.

    Narratives and targets are keyed by the measure's periods: "2026-03" for a quarterly measure would
    be stored but never shown, so it is refused with an example in the right frequency."""
    try:
        p = periods.parse(str(label), fsm)
    except periods.PeriodError as exc:
        errors.append(f"{exc}.")
        return None
    if p.grain != m["frequency"]:
        errors.append(f"{label!r} is a {p.grain.replace('_', ' ')}, but '{m['name']}' is reported "
                      f"{FREQUENCY_LABELS.get(m['frequency'], m['frequency'])}: give a period in that "
                      f"frequency (e.g. {periods.label_of(p.start, m['frequency'], fsm)}).")
        return None
    return p
