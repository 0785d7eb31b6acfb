"""Schema lifecycle, settings, the data version, and bulk loading.

Bulk loads never go row by row: DuckDB inserts straight from an Arrow table it can scan,
PostgreSQL gets COPY (CSV written by pyarrow), both inside the caller's transaction so a
failed load leaves the database as it was.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa

from metrics.store import schema

SETTINGS_DEFAULTS = {"fiscal_start_month": "7", "city_name": "Demo City", "stale_grace_days": "45"}


def now() -> datetime:
    """Naive UTC, the one timestamp convention on both engines."""
    return datetime.now(UTC).replace(tzinfo=None)


def schema_version(conn: sa.Connection) -> int:
    insp = sa.inspect(conn)
    if not insp.has_table("meta"):
        return 0
    row = conn.execute(sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")).first()
    return int(row[0]) if row else 0


def set_meta(conn: sa.Connection, key: str, value: str) -> None:
    m = schema.meta
    updated = conn.execute(sa.update(m).where(m.c.key == key).values(value=value)).rowcount
    if not updated:
        conn.execute(sa.insert(m).values(key=key, value=value))


def get_meta(conn: sa.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute(sa.select(schema.meta.c.value).where(schema.meta.c.key == key)).first()
    return row[0] if row else default


def applied_migrations(conn: sa.Connection) -> set[int]:
    """The migrations this database has run. Kept as a set, not only the highest number: branches
    developed side by side land in either order, and a migration numbered below one already applied
    must still run. A database from before the set was kept has run every version up to its own."""
    listed = get_meta(conn, "migrations_applied") if sa.inspect(conn).has_table("meta") else None
    if listed is not None:
        return {int(v) for v in listed.split(",") if v.strip()}
    current = schema_version(conn)
    return {v for v, _d, _s in schema.MIGRATIONS if v <= current}


def migrate(conn: sa.Connection, target: int | None = None) -> list[int]:
    """Apply every migration the database has not run (up to `target`); returns those applied."""
    done = applied_migrations(conn)
    applied = []
    for version, _desc, step in schema.MIGRATIONS:
        if version in done or (target is not None and version > target):
            continue
        step(conn)
        done.add(version)
        set_meta(conn, "migrations_applied", ",".join(map(str, sorted(done))))
        set_meta(conn, "schema_version", str(max(done)))
        applied.append(version)
    if done and get_meta(conn, "migrations_applied") is None:  # an older database: start keeping the set
        set_meta(conn, "migrations_applied", ",".join(map(str, sorted(done))))
    for key, value in SETTINGS_DEFAULTS.items():
        if get_meta(conn, key) is None:
            set_meta(conn, key, value)
    if get_meta(conn, "data_version") is None:
        set_meta(conn, "data_version", "0")
    return applied


def bump_data_version(conn: sa.Connection) -> int:
    """Every write that changes what a dashboard shows calls this; caches key on it."""
    v = int(get_meta(conn, "data_version", "0") or 0) + 1
    set_meta(conn, "data_version", str(v))
    set_meta(conn, "data_updated_at", now().isoformat(timespec="seconds"))
    return v


def data_version(conn: sa.Connection) -> int:
    return int(get_meta(conn, "data_version", "0") or 0)


def audit(conn: sa.Connection, actor: str | None, action: str, object_type: str | None = None,
          object_id: str | None = None, detail: dict | None = None) -> None:
    conn.execute(sa.insert(schema.audit_log).values(
        at=now(), actor=actor, action=action, object_type=object_type, object_id=object_id,
        detail=json.dumps(detail, default=str) if detail else None))


def bulk_insert(conn: sa.Connection, table: str, data: pa.Table) -> int:
    """Append an Arrow table to `table` (columns by name) inside the open transaction."""
    if data.num_rows == 0:
        return 0
    cols = ", ".join(data.column_names)
    raw = conn.connection.driver_connection
    if conn.dialect.name == "duckdb":
        raw.register("_bulk_src", data)
        try:
            raw.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _bulk_src")  # noqa: S608 - identifiers from our schema
        finally:
            raw.unregister("_bulk_src")
        return data.num_rows
    # One chunk per column first: pyarrow writes a table whose columns are chunked differently (an
    # empty chunk, a column shared with a frame next to one built whole) as NUL bytes, which COPY refuses.
    data = data.combine_chunks()
    data = data.cast(pa.schema([f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f
                                for f in data.schema]))  # codes into text: the text
    buf = io.BytesIO()
    pacsv.write_csv(data, buf, write_options=pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
        copy.write(buf.getvalue())
    return data.num_rows
