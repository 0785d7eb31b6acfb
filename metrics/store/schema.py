"""The whole domain model as SQLAlchemy Core tables, plus versioned migrations.

No foreign keys are declared: DuckDB cannot update or delete a referenced row inside
the same transaction that re-inserts it, which is exactly what an upsert does. Ids are
checked in metrics/ (ingest validation, access) instead. Portable types only, so the
same tables exist on DuckDB and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Sequence,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()


def _id(name: str) -> Column:
    seq = Sequence(f"{name}_id_seq")
    return Column("id", Integer, seq, server_default=seq.next_value(), primary_key=True)


meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

priorities = Table(
    "priorities", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("description", Text),
    Column("sort", Integer, nullable=False, server_default="0"),
    Column("updated_at", DateTime),  # v9: the version an edit form was based on
)

goals = Table(
    "goals", metadata,
    Column("id", String(64), primary_key=True),
    Column("priority_id", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("statement", Text),
    Column("narrative", Text),
    Column("owner", Text),
    Column("target_date", Date),
    # the goal's own target (migration 10), apart from its measures' per-period targets
    Column("target_value", Float),
    Column("target_unit", Text),
    Column("target_kind", String(16)),  # cumulative | per_period
    Column("target_measure_id", String(64)),  # the measure the goal is judged by
    Column("target_from", Date),  # a cumulative goal counts from here
    Column("is_public", Boolean, nullable=False, server_default=sa.false()),
    Column("sort", Integer, server_default="0"),  # v9: order within the priority
    Column("updated_at", DateTime),  # v9: the version an edit form was based on
)

MEASURE_KINDS = ("input", "output", "efficiency", "outcome")
DIRECTIONS = ("higher", "lower")
FREQUENCIES = ("day", "month", "quarter", "year", "fiscal_year")
MEASURE_STATES = ("draft", "published")

measures = Table(
    "measures", metadata,
    Column("id", String(128), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("unit", Text),
    Column("direction", String(8), nullable=False, server_default="higher"),
    Column("frequency", String(16), nullable=False),
    Column("department", Text),
    Column("owner", Text),
    Column("data_source", Text),
    Column("methodology", Text),
    # How the measure rolls up to a coarser period, and whether small counts are suppressed:
    # 'sum' (a count: suppressed below the threshold), 'mean' (a rate or average), 'last' (a level).
    Column("rollup", String(8)),
    Column("goal_id", String(64)),
    Column("is_public", Boolean, nullable=False, server_default=sa.false()),
    Column("state", String(16), nullable=False, server_default="draft"),
    Column("plausible_min", Float),
    Column("plausible_max", Float),
    Column("created_at", DateTime),
    Column("updated_at", DateTime),
    # v9: retired (kept for history, out of scoring and public outputs). The state CHECK allows only
    # draft/published and DuckDB can't alter a constraint, so a retired measure is stored as a draft
    # with retired_at set, and read back as state 'retired' (sql/measures.sql).
    Column("retired_at", DateTime),
    Column("retired_by", Text),
    sa.CheckConstraint("kind IN ('input','output','efficiency','outcome')", name="ck_measure_kind"),
    sa.CheckConstraint("direction IN ('higher','lower')", name="ck_measure_direction"),
    sa.CheckConstraint("state IN ('draft','published')", name="ck_measure_state"),
)

observations = Table(
    "observations", metadata,
    Column("measure_id", String(128), nullable=False),
    Column("period", String(16), nullable=False),
    Column("grain", String(16), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    # '' (not NULL) marks the aggregate row so the unique key works on both engines.
    Column("dimension", String(64), nullable=False, server_default=""),
    Column("member", String(128), nullable=False, server_default=""),
    Column("value", Float),
    Column("numerator", Float),
    Column("denominator", Float),
    Column("upload_id", Integer),
    Column("updated_at", DateTime),
    PrimaryKeyConstraint("measure_id", "period", "dimension", "member", name="pk_observations"),
)

targets = Table(
    "targets", metadata,
    _id("targets"),
    Column("measure_id", String(128), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date),
    Column("value", Float, nullable=False),
    Column("tolerance", Float, nullable=False, server_default="0.05"),
    Column("set_by", Text),
    Column("set_at", DateTime),
    Column("reason", Text),
)

target_history = Table(
    "target_history", metadata,
    _id("target_history"),
    Column("target_id", Integer, nullable=False),
    Column("measure_id", String(128), nullable=False),
    Column("changed_by", Text),
    Column("changed_at", DateTime, nullable=False),
    Column("reason", Text),
    Column("old_value", Float),
    Column("new_value", Float),
    Column("old_tolerance", Float),
    Column("new_tolerance", Float),
    Column("old_effective_from", Date),
    Column("new_effective_from", Date),
)

links = Table(
    "links", metadata,
    Column("output_measure_id", String(128), nullable=False),
    Column("outcome_measure_id", String(128), nullable=False),
    Column("lag_periods", Integer, nullable=False, server_default="0"),
    Column("note", Text),
    PrimaryKeyConstraint("output_measure_id", "outcome_measure_id", name="pk_links"),
)

uploads = Table(
    "uploads", metadata,
    _id("uploads"),
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("uploaded_by", Text),
    Column("uploaded_at", DateTime, nullable=False),
    Column("layout", String(16)),
    Column("mapping", Text),
    Column("rows_total", Integer, nullable=False, server_default="0"),
    Column("rows_accepted", Integer, nullable=False, server_default="0"),
    Column("rows_rejected", Integer, nullable=False, server_default="0"),
    Column("rows_new", Integer, nullable=False, server_default="0"),
    Column("rows_changed", Integer, nullable=False, server_default="0"),
    Column("status", String(16), nullable=False, server_default="committed"),
    Column("rolled_back_at", DateTime),
    Column("rolled_back_by", Text),
)

observation_revisions = Table(
    "observation_revisions", metadata,
    _id("observation_revisions"),
    Column("upload_id", Integer, nullable=False),
    Column("measure_id", String(128), nullable=False),
    Column("period", String(16), nullable=False),
    Column("dimension", String(64), nullable=False, server_default=""),
    Column("member", String(128), nullable=False, server_default=""),
    Column("old_exists", Boolean, nullable=False),
    Column("old_value", Float),
    Column("old_numerator", Float),
    Column("old_denominator", Float),
    Column("old_upload_id", Integer),
    Column("new_value", Float),
    Column("new_numerator", Float),
    Column("new_denominator", Float),
    Column("old_updated_at", DateTime),  # v6: so a rollback restores the row exactly
)

column_mappings = Table(
    "column_mappings", metadata,
    Column("source_key", String(64), primary_key=True),
    Column("mapping", Text, nullable=False),
    Column("updated_at", DateTime),
)

audit_log = Table(
    "audit_log", metadata,
    _id("audit_log"),
    Column("at", DateTime, nullable=False),
    Column("actor", Text),
    Column("action", String(64), nullable=False),
    Column("object_type", String(32)),
    Column("object_id", Text),
    Column("detail", Text),
)

# --- v2: What Works Cities certification -------------------------------------------
wwc_standards = Table(
    "wwc_standards", metadata,
    Column("version", String(16), primary_key=True),
    Column("name", Text, nullable=False),
    Column("loaded_at", DateTime),
    Column("is_current", Boolean, nullable=False, server_default=sa.false()),
)

wwc_criteria = Table(
    "wwc_criteria", metadata,
    Column("standard_version", String(16), nullable=False),
    Column("code", String(16), nullable=False),
    Column("practice", Text, nullable=False),
    Column("criterion", Text, nullable=False),
    Column("description", Text),
    Column("confirmed", Boolean),
    Column("is_core", Boolean, nullable=False, server_default=sa.false()),
    Column("sort", Integer, nullable=False, server_default="0"),
    PrimaryKeyConstraint("standard_version", "code", name="pk_wwc_criteria"),
)

WWC_STATUSES = ("not_started", "in_progress", "met")

wwc_status = Table(
    "wwc_status", metadata,
    Column("standard_version", String(16), nullable=False),
    Column("code", String(16), nullable=False),
    Column("status", String(16), nullable=False, server_default="not_started"),
    Column("owner", Text),
    Column("target_date", Date),
    Column("notes", Text),
    Column("last_reviewed", Date),
    Column("updated_by", Text),
    Column("updated_at", DateTime),
    PrimaryKeyConstraint("standard_version", "code", name="pk_wwc_status"),
)

wwc_evidence = Table(
    "wwc_evidence", metadata,
    _id("wwc_evidence"),
    Column("standard_version", String(16), nullable=False),
    Column("code", String(16), nullable=False),
    Column("kind", String(16), nullable=False),  # url | document | measure | goal
    Column("ref", Text, nullable=False),
    Column("note", Text),
    Column("added_by", Text),
    Column("added_at", DateTime),
)

wwc_history = Table(
    "wwc_history", metadata,
    _id("wwc_history"),
    Column("standard_version", String(16), nullable=False),
    Column("code", String(16), nullable=False),
    Column("field", String(32), nullable=False),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("changed_by", Text),
    Column("changed_at", DateTime, nullable=False),
)

goal_criteria = Table(
    "goal_criteria", metadata,
    Column("goal_id", String(64), nullable=False),
    Column("code", String(16), nullable=False),
    PrimaryKeyConstraint("goal_id", "code", name="pk_goal_criteria"),
)

# --- v3: access ----------------------------------------------------------------------
users = Table(
    "users", metadata,
    _id("users"),
    Column("name", String(64), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_at", DateTime),
    Column("disabled", Boolean, nullable=False, server_default=sa.false()),
    Column("email", Text),  # v8: single sign-on (st.login) maps this address to the account
    UniqueConstraint("name", name="uq_users_name"),
)

share_links = Table(
    "share_links", metadata,
    _id("share_links"),
    Column("token_hash", String(64), nullable=False),
    Column("scope", String(80), nullable=False),  # portal | goal:ID
    Column("created_by", Text),
    Column("created_at", DateTime),
    Column("expires_at", DateTime),
    Column("revoked_at", DateTime),
    UniqueConstraint("token_hash", name="uq_share_token"),
)

# --- v8: sign-in that stays --------------------------------------------------------------
# A staff session is a row: the browser holds a random token in an HttpOnly cookie, the
# table holds its SHA-256. `handoff_hash` is the one-time code that moves a sign-in made
# over Streamlit's WebSocket into that cookie (ui/http.py); it is cleared when used.
sessions = Table(
    "sessions", metadata,
    _id("sessions"),
    Column("token_hash", String(64), nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("client", Text),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),  # absolute end, whatever the activity
    Column("revoked_at", DateTime),
    Column("revoked_reason", Text),
    Column("handoff_hash", String(64)),
    Column("handoff_expires_at", DateTime),
    UniqueConstraint("token_hash", name="uq_sessions_token"),
)

# Every sign-in attempt, for throttling per user and per client (the audit log says the same
# in words; this is the narrow table the throttle counts).
sign_in_attempts = Table(
    "sign_in_attempts", metadata,
    _id("sign_in_attempts"),
    Column("at", DateTime, nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("client", Text, nullable=False),
    Column("ok", Boolean, nullable=False),
)

# One-time set-password links (an invitation or a reset), stored hashed like share links.
password_links = Table(
    "password_links", metadata,
    _id("password_links"),
    Column("token_hash", String(64), nullable=False),
    Column("user_name", String(64), nullable=False),
    Column("purpose", String(16), nullable=False),  # invite | reset
    Column("created_by", Text),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("used_at", DateTime),
    UniqueConstraint("token_hash", name="uq_password_links_token"),
)


# --- v9: the catalog's narratives and annotations ---------------------------------------
narratives = Table(
    "narratives", metadata,
    Column("measure_id", String(128), nullable=False),
    Column("period", String(16), nullable=False),
    Column("body", Text, nullable=False),  # Markdown as typed; rendered through domain.text.markdown()
    Column("updated_by", Text),
    Column("updated_at", DateTime),
    PrimaryKeyConstraint("measure_id", "period", name="pk_narratives"),
)

annotations = Table(
    "annotations", metadata,
    _id("annotations"),
    Column("measure_id", String(128), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_by", Text),
    Column("created_at", DateTime),
)


def _catalog_v9(conn: sa.Connection) -> None:
    _add_columns("priorities", "updated_at TIMESTAMP")(conn)
    _add_columns("goals", "sort INTEGER DEFAULT 0", "updated_at TIMESTAMP")(conn)
    _add_columns("measures", "retired_at TIMESTAMP", "retired_by TEXT")(conn)
    _create(narratives, annotations)(conn)


# --- v6: what an upload changed outside observations, so a rollback can put it back --------
upload_changes = Table(
    "upload_changes", metadata,
    _id("upload_changes"),
    Column("upload_id", Integer, nullable=False),
    Column("table_name", String(32), nullable=False),  # measures | targets | column_mappings
    Column("row_key", Text, nullable=False),  # the row's primary key as text
    Column("old_row", Text),  # the whole row before the upload, as JSON; NULL: the upload created it
    Column("new_row", Text, nullable=False),  # the row as the upload left it (rollback checks nothing changed it since)
)


# --- v11: what the Overview and Goal pages read, kept up to date by every write -----------------
# One row per aggregate period of each measure, judged as if it were the latest: the target in
# force when it ended, its status, its (uncapped) score and its change on the previous period and
# on a year earlier. Which row is "latest" and whether it is stale depend on the day the page is
# read, so those are decided at read time (metrics/domain/rollup.py); everything else is decided
# here, in the transaction of the write that changed it (metrics/store/rollups.py).
measure_scores = Table(
    "measure_scores", metadata,
    Column("measure_id", String(128), nullable=False),
    Column("period", String(16), nullable=False),
    Column("period_end", Date, nullable=False),
    Column("grain", String(16), nullable=False),
    Column("next_days", Integer, nullable=False),  # days from this period's end to the next one's
    Column("actual", Float, nullable=False),
    Column("target", Float),
    Column("tolerance", Float),
    Column("status", String(16), nullable=False),  # as if read the day it ended (never 'stale')
    Column("score", Float),  # score_ratio without the cap: the city's cap is applied when read
    Column("change_prev", Float),
    Column("change_prev_pct", Float),
    Column("change_yoy", Float),
    Column("change_yoy_pct", Float),
    PrimaryKeyConstraint("measure_id", "period", name="pk_measure_scores"),
)


def _measure_scores_v11(conn: sa.Connection) -> None:
    from metrics.store import rollups  # the one computation, also run by every write

    _create(measure_scores)(conn)
    rollups.refresh(conn, None)


def _create(*tables: Table) -> Callable[[sa.Connection], None]:
    def run(conn: sa.Connection) -> None:
        for t in tables:
            for col in t.columns:
                if isinstance(col.default, Sequence):
                    col.default.create(conn, checkfirst=True)
            t.create(conn, checkfirst=True)
    return run


def _add_columns(table: str, *cols: str) -> Callable[[sa.Connection], None]:
    """ALTER … ADD COLUMN IF NOT EXISTS works on both engines and makes re-runs harmless."""
    def run(conn: sa.Connection) -> None:
        for col in cols:
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {col}")
    return run


def _backfill_rollup(conn: sa.Connection) -> None:
    from metrics.domain.compare import rollup_method  # the one rule for counts vs rates

    conn.exec_driver_sql("ALTER TABLE measures ADD COLUMN IF NOT EXISTS rollup VARCHAR(8)")
    rows = conn.execute(sa.select(measures.c.id, measures.c.unit, measures.c.kind)).all()
    if rows:
        conn.execute(sa.update(measures).where(measures.c.id == sa.bindparam("b_id"))
                     .values(rollup=sa.bindparam("b_rollup")),
                     [{"b_id": r.id, "b_rollup": rollup_method(r.unit, r.kind)} for r in rows])


def _create_upload_changes(conn: sa.Connection) -> None:
    """The ledger table, and the first upload id it covers (uploads before it have no ledger)."""
    _create(upload_changes)(conn)
    _add_columns("observation_revisions", "old_updated_at TIMESTAMP")(conn)
    first = conn.execute(sa.select(sa.func.coalesce(sa.func.max(uploads.c.id), 0) + 1)).scalar_one()
    if conn.execute(sa.select(meta.c.key).where(meta.c.key == "upload_changes_from")).first() is None:
        conn.execute(sa.insert(meta).values(key="upload_changes_from", value=str(first)))


# (version, description, step). Append only: a shipped step is never edited.
MIGRATIONS: list[tuple[int, str, Callable[[sa.Connection], None]]] = [
    (1, "core domain: priorities, goals, measures, observations, targets, links, uploads, audit",
     _create(meta, priorities, goals, measures, observations, targets, target_history, links,
             uploads, observation_revisions, audit_log)),
    (2, "What Works Cities criteria, status, evidence, history; goal-criteria links",
     _create(wwc_standards, wwc_criteria, wwc_status, wwc_evidence, wwc_history, goal_criteria)),
    (3, "users, roles, share links; remembered column mappings",
     _create(users, share_links, column_mappings)),
    (4, "plausible range on measures for upload validation",
     _add_columns("measures", "plausible_min DOUBLE PRECISION", "plausible_max DOUBLE PRECISION")),
    (5, "how each measure rolls up (sum/mean/last), which also decides small-count suppression",
     _backfill_rollup),
    (6, "upload_changes: the before-state of measures, targets and mappings an upload created or changed; "
        "observation_revisions.old_updated_at",
     _create_upload_changes),
    (8, "server-side staff sessions, sign-in attempts (throttling), one-time set-password links, users.email",
     lambda conn: (_create(sessions, sign_in_attempts, password_links)(conn),
                   _add_columns("users", "email TEXT")(conn))),
    (9, "catalog: goal order, edit versions, retired measures, narratives, annotations", _catalog_v9),
    (10, "each goal's own target: value, unit, cumulative or per period, the measure that tracks it",
     _add_columns("goals", "target_value DOUBLE PRECISION", "target_unit TEXT", "target_kind VARCHAR(16)",
                  "target_measure_id VARCHAR(64)", "target_from DATE")),
    (11, "measure_scores: each measure's periods judged against their targets, kept by every write",
     _measure_scores_v11),
]
LATEST_VERSION = MIGRATIONS[-1][0]
