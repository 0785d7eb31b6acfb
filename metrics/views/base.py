"""One consistent read for a view: a connection, the reader's visibility, settings, data version.

A view opens one `read()` and makes every query through it, so a page shows one state of
the data: on DuckDB one connection (no other process can write the file while it is
open), on PostgreSQL one REPEATABLE READ, read-only transaction. The data version is read
inside that same snapshot and returned with the view, so a cache stores the result under
the version it actually shows, never under an older one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from metrics import access
from metrics.domain import settings as settings_mod
from metrics.domain.settings import Settings
from metrics.store import db, meta, queries, schema


@dataclass(frozen=True)
class Reader:
    conn: sa.Connection
    actor: access.Actor
    vis: access.Visibility
    settings: Settings
    version: int

    def frame(self, name: str, **params) -> pd.DataFrame:
        """A named query's rows as this reader may see them."""
        return queries.fetch(name, self.vis, conn=self.conn, **params)


def _meta_rows(conn: sa.Connection) -> dict[str, str]:
    return dict(conn.execute(sa.select(schema.meta.c.key, schema.meta.c.value)).all())


def load_settings(conn: sa.Connection) -> Settings:
    return settings_mod.from_rows(_meta_rows(conn))


@contextmanager
def _snapshot(conn_or_url: sa.Connection | str | None) -> Iterator[sa.Connection]:
    if isinstance(conn_or_url, sa.Connection):
        yield conn_or_url
        return
    with db.reader(conn_or_url) as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn
        else:
            yield conn


@contextmanager
def read(conn_or_url: sa.Connection | str | None, actor: access.Actor | None,
         settings: Settings | None = None) -> Iterator[Reader]:
    """Open one snapshot for `actor`; `None` (nobody known) reads as the public portal."""
    who = actor or access.PUBLIC_PORTAL
    with _snapshot(conn_or_url) as conn:
        cfg = settings or load_settings(conn)
        yield Reader(conn=conn, actor=who, vis=access.for_actor(who, cfg.suppress_below), settings=cfg,
                     version=meta.data_version(conn))


@dataclass(frozen=True)
class Status:
    version: int
    updated_at: str | None
    settings: Settings


def status(conn_or_url: sa.Connection | str | None) -> Status:
    """The data version and settings in one small read (what every page keys its cache on)."""
    with _snapshot(conn_or_url) as conn:
        if not sa.inspect(conn).has_table("meta"):
            raise db.DatabaseError(f"The database at {db.masked(conn.engine.url)} has no tables yet: "
                                   "run `python -m metrics init`.")
        rows = _meta_rows(conn)
    version = int(rows.get("data_version") or 0) if str(rows.get("data_version") or "0").isdigit() else 0
    return Status(version=version, updated_at=rows.get("data_updated_at"), settings=settings_mod.from_rows(rows))
