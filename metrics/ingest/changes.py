"""The ledger of what an upload did outside observations: rows of measures, targets and
column_mappings it created or changed, each with its whole before-state and after-state.

Observations have their own set-wise record (`observations.upload_id` for rows an upload
first inserted, `observation_revisions` for rows it changed); the rows here are few (one per
measure, target or mapping touched), so each is kept whole as JSON. That lets a rollback put
back exactly what was there, and refuse when the row no longer is what the upload left
(someone published the draft, set the target again, assigned a goal...).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from metrics.store import schema

#: meta key: the first upload id with a ledger (older registry uploads can't be rolled back)
LEDGER_FROM = "upload_changes_from"
#: table -> its key column (every ledgered table has a one-column primary key)
KEYS = {"measures": "id", "targets": "id", "column_mappings": "source_key"}


def _table(name: str) -> sa.Table:
    return schema.metadata.tables[name]


def _key(table: sa.Table, key: str) -> Any:
    col = table.c[KEYS[table.name]]
    return int(key) if isinstance(col.type, sa.Integer) else key


def encode(row: sa.Row | dict) -> str:
    """A row as JSON with sorted keys, so two encodings of one state compare equal."""
    data = dict(row._mapping) if isinstance(row, sa.Row) else dict(row)
    return json.dumps(data, sort_keys=True, default=lambda v: v.isoformat() if isinstance(v, date) else str(v))


def decode(table: sa.Table, text: str) -> dict[str, Any]:
    """JSON back to column values of the right type (dates and timestamps parsed)."""
    data = json.loads(text)
    out = {}
    for name, value in data.items():
        if name not in table.c:
            continue
        kind = table.c[name].type
        if value is not None and isinstance(kind, sa.DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(kind, sa.Date):
            value = date.fromisoformat(value)
        out[name] = value
    return out


def capture(conn: sa.Connection, table_name: str, keys: list) -> dict[str, str | None]:
    """The current state of these rows: key (as text) -> JSON, or None where no row exists."""
    table = _table(table_name)
    col = table.c[KEYS[table_name]]
    found: dict[str, str | None] = dict.fromkeys((str(k) for k in keys), None)
    for start in range(0, len(keys), 1000):
        chunk = keys[start:start + 1000]
        for row in conn.execute(sa.select(table).where(col.in_(chunk))).all():
            found[str(row._mapping[col.name])] = encode(row)
    return found


def record(conn: sa.Connection, upload_id: int, table_name: str, before: dict[str, str | None]) -> int:
    """Ledger every row in `before` whose state the upload changed; returns how many."""
    table = _table(table_name)
    after = capture(conn, table_name, [_key(table, k) for k in before])
    rows = [{"upload_id": upload_id, "table_name": table_name, "row_key": k, "old_row": old, "new_row": after[k]}
            for k, old in before.items() if after.get(k) is not None and after[k] != old]
    if rows:
        conn.execute(sa.insert(schema.upload_changes), rows)
    return len(rows)


def entries(conn: sa.Connection, upload_id: int) -> list[sa.Row]:
    c = schema.upload_changes
    return conn.execute(sa.select(c.c.table_name, c.c.row_key, c.c.old_row, c.c.new_row)
                        .where(c.c.upload_id == upload_id).order_by(c.c.id)).all()


def changed_since(conn: sa.Connection, entry: sa.Row) -> list[str] | None:
    """Columns that differ from what the upload left (None: the row is gone; []: untouched)."""
    table = _table(entry.table_name)
    now = capture(conn, entry.table_name, [_key(table, entry.row_key)])[entry.row_key]
    if now is None:
        return None
    if now == entry.new_row:
        return []
    was, cur = json.loads(entry.new_row), json.loads(now)
    return sorted(k for k in set(was) | set(cur) if was.get(k) != cur.get(k))


def put_back(conn: sa.Connection, entry: sa.Row) -> None:
    """Restore the row's before-state: delete what the upload created, rewrite what it changed."""
    table = _table(entry.table_name)
    col = table.c[KEYS[entry.table_name]]
    key = _key(table, entry.row_key)
    if entry.old_row is None:
        conn.execute(sa.delete(table).where(col == key))
        return
    old = decode(table, entry.old_row)
    if conn.execute(sa.update(table).where(col == key).values(old)).rowcount == 0:
        conn.execute(sa.insert(table).values(old))
