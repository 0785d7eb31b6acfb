"""Preview/diff: accepted canonical rows against what the database holds, in SQL.

The rows that will become observations are loaded into a TEMP staging table through the
same Arrow path as `meta.bulk_insert` (DuckDB scans the Arrow table, PostgreSQL gets
COPY), then one JOIN on (measure_id, period, dimension, member) labels each stored match changed
or unchanged; the staged rows without a match are the new ones. Nothing leaves the database but counts and a sample for the page,
so a million-row file previews as fast as it loads. Everything here runs inside the
caller's transaction; a preview that is not committed leaves no trace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from metrics.domain import periods
from metrics.store import meta, queries

from .errors import HeldOutKind
from .report import IngestReport
from .values import arrow_text, distinct

STAGE_TABLES = ("ingest_diff", "ingest_stage", "ingest_targets")
SAMPLE_ROWS = 1000
#: Text as codes into its distinct values (Arrow dictionaries, which DuckDB scans and COPY gets as text):
#: the staged table costs four bytes a row per text column, not a copy of a million cells each.
_CODED = pa.dictionary(pa.int32(), pa.large_string())
_OBS_SCHEMA = pa.schema([("measure_id", _CODED), ("period", _CODED), ("grain", _CODED),
                         ("period_start", pa.date32()), ("period_end", pa.date32()),
                         ("dimension", _CODED), ("member", _CODED), ("value", pa.float64()),
                         ("numerator", pa.float64()), ("denominator", pa.float64())])
_TARGET_SCHEMA = pa.schema([("measure_id", pa.string()), ("effective_from", pa.date32()),
                            ("effective_to", pa.date32()), ("value", pa.float64())])


@dataclass
class Split:
    """What each accepted row turns into."""

    actuals: pd.DataFrame  # rows that become observations
    targets: pd.DataFrame  # measure_id, period, target
    held_out: pd.DataFrame  # budget/estimate rows with a value, not loaded
    empty: int  # actual rows with no value, numerator or denominator (nothing to store)


@dataclass
class Preview:
    """Counts and samples of what a commit would do."""

    counts: dict[str, int] = field(default_factory=dict)
    new: pd.DataFrame = field(default_factory=pd.DataFrame)
    changed: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_dict(self) -> dict:
        return {"counts": self.counts}


def split_rows(rows: pd.DataFrame, actual_kinds: list[str] | tuple[str, ...] = (),
               loads_as: Callable[[str], str] | None = None) -> Split:
    """Actual rows (plus any kinds the mapping loads as actuals) -> observations; a `target`
    cell or a row of a kind loaded as targets (`target`, and by default `budget`: see
    `Mapping.loads_as`) -> a target; other kinds (estimates) are held out."""
    kind = rows["value_kind"]
    kind = kind if kind.dtype == "str" or isinstance(kind.dtype, pd.CategoricalDtype) else kind.astype("object")
    known = rows.attrs.get("value_kinds")  # from the reader: no pass over a million rows
    uniques = {"actual", *(known if known else (k for k in pd.unique(kind) if isinstance(k, str)))}
    if loads_as is None:
        def loads_as(k: str) -> str:
            return "actual" if k == "actual" or k in actual_kinds else "target" if k == "target" else "held_out"
    use = {k: loads_as(k) for k in uniques}
    is_actual = kind.isin([k for k, u in use.items() if u == "actual"]).to_numpy(dtype=bool, na_value=False)
    is_target = kind.isin([k for k, u in use.items() if u == "target"]).to_numpy(dtype=bool, na_value=False)
    has_number = (rows["value"].notna() | rows["numerator"].notna() | rows["denominator"].notna()).to_numpy()
    keep = is_actual & has_number
    actuals = rows if keep.all() else rows[keep]
    t_cell = rows[rows["target"].notna()][["measure_id", "period", "target"]]
    t_kind = rows[is_target & rows["value"].notna().to_numpy()]
    t_kind = t_kind[["measure_id", "period", "value"]].rename(columns={"value": "target"})
    targets = pd.concat([t_cell, t_kind], ignore_index=True).drop_duplicates(["measure_id", "period"], keep="last")
    held = rows[~is_actual & ~is_target & rows["value"].notna().to_numpy()]
    return Split(actuals, targets, held, int((is_actual & ~has_number).sum()))


def held_out_warning(split: Split, report: IngestReport) -> None:
    if split.held_out.empty:
        return
    counts = split.held_out["value_kind"].value_counts()
    kinds = ", ".join(f"{n:,} {k}" for k, n in counts.items())
    report.add_warning(HeldOutKind(note=(
        f"{kinds} values were not loaded (actuals become observations; targets and Adopted/Proposed budget "
        f"figures become targets); load them as actuals or targets in the mapping step (mapping actual_kinds "
        f"or target_kinds, CLI --as-actual {','.join(counts.index)})")))


def _strings(s: pd.Series) -> pa.ChunkedArray:
    """A text column as Arrow `large_string`, sharing pandas' buffers (no detour through Python objects)."""
    return arrow_text(s)


def _coded(codes: np.ndarray, labels: list[str | None]) -> pa.DictionaryArray:
    """Per-row codes into `labels` as an Arrow dictionary; missing (code -1 or a None label) is ''."""
    texts = ["" if v is None else str(v) for v in labels]
    cats, inv = list(dict.fromkeys([*texts, ""])), None
    inv = np.asarray([cats.index(t) for t in texts] + [cats.index("")], dtype="int32")
    return pa.DictionaryArray.from_arrays(pa.array(inv[codes], pa.int32()), pa.array(cats, pa.large_string()))


def coded_text(s: pd.Series) -> pa.DictionaryArray:
    codes, uniques = distinct(s)
    return _coded(codes, [None if pd.isna(v) else v for v in uniques.tolist()])


def _period_arrays(labels: pd.Series, fiscal_start_month: int) -> dict[str, pa.Array]:
    """grain/start/end per row, parsing each distinct label once (periods.frame on uniques)."""
    codes, uniques = distinct(labels)
    idx = pa.array(codes, pa.int32(), mask=codes < 0)
    facts = periods.frame(pd.Series(uniques.tolist(), dtype="object"), fiscal_start_month)
    start = np.asarray(pd.to_datetime(facts["period_start"]).to_numpy(), dtype="datetime64[D]")
    end = np.asarray(pd.to_datetime(facts["period_end"]).to_numpy(), dtype="datetime64[D]")
    return {"grain": _coded(codes, facts["grain"].tolist()),
            "period_start": pa.array(start, pa.date32()).take(idx),
            "period_end": pa.array(end, pa.date32()).take(idx)}


def observation_table(actuals: pd.DataFrame, fiscal_start_month: int) -> pa.Table:
    if actuals.empty:
        return _OBS_SCHEMA.empty_table()
    p = _period_arrays(actuals["period"], fiscal_start_month)

    def text(col: str) -> pa.Array:
        return coded_text(actuals[col])

    def num(col: str) -> pa.Array:
        return pa.array(actuals[col].to_numpy(dtype="float64", na_value=np.nan), pa.float64(), from_pandas=True)

    return pa.table({"measure_id": text("measure_id"), "period": text("period"), **p,
                     "dimension": text("dimension"), "member": text("member"),
                     "value": num("value"), "numerator": num("numerator"), "denominator": num("denominator")},
                    schema=_OBS_SCHEMA)


def target_table(targets: pd.DataFrame, fiscal_start_month: int) -> pa.Table:
    if targets.empty:
        return _TARGET_SCHEMA.empty_table()
    p = _period_arrays(targets["period"], fiscal_start_month)
    return pa.table({"measure_id": pa.array(targets["measure_id"].astype("object").to_numpy(), pa.string()),
                     "effective_from": p["period_start"], "effective_to": p["period_end"],
                     "value": pa.array(targets["target"].to_numpy(dtype="float64"), pa.float64())},
                    schema=_TARGET_SCHEMA)


def _run(conn: sa.Connection, name: str, **params) -> sa.CursorResult:
    return conn.execute(sa.text(queries.sql_text(name)), params)


def drop_stage(conn: sa.Connection) -> None:
    if conn.dialect.name == "duckdb":
        try:
            conn.connection.driver_connection.unregister("ingest_stage")
        except Exception:  # noqa: BLE001, S110 - nothing registered: nothing to drop
            pass
    for table in STAGE_TABLES:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")  # fixed identifiers, no values


def stage(conn: sa.Connection, observations: pa.Table, targets: pa.Table) -> None:
    """Load the rows into TEMP tables and build the diff table, inside the open transaction.
    The stage stays until `drop_stage`: the commit inserts the new rows straight from it."""
    drop_stage(conn)
    _run(conn, "ingest_targets_stage_create")
    meta.bulk_insert(conn, "ingest_targets", targets)
    if conn.dialect.name == "duckdb" and observations.schema.equals(_OBS_SCHEMA):
        # DuckDB scans the Arrow table in place as `ingest_stage`, without copying a million
        # rows into a TEMP table first (NOT NULL holds by construction: observation_table
        # fills text with '' and accepted rows have readable periods).
        conn.connection.driver_connection.register("ingest_stage", observations)
    else:
        _run(conn, "ingest_stage_create")
        meta.bulk_insert(conn, "ingest_stage", observations)
    _run(conn, "ingest_diff_create")


def diff(conn: sa.Connection, sample_rows: int = SAMPLE_ROWS) -> Preview:
    """Counts per status and a sample of new and changed rows (run after `stage`)."""
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    found = {status: int(n) for status, n in _run(conn, "ingest_diff_counts").all()}
    counts.update(changed=found.get("changed", 0), unchanged=found.get("unchanged", 0))
    counts["new"] = found.get("staged", 0) - counts["changed"] - counts["unchanged"]
    t = _run(conn, "ingest_targets_counts").one()
    counts.update(targets_new=int(t[0] or 0), targets_changed=int(t[1] or 0), targets_unchanged=int(t[2] or 0))
    new = queries.fetch("ingest_diff_new_rows", None, conn=conn, limit=sample_rows)
    changed = queries.fetch("ingest_diff_rows", None, conn=conn, status="changed", limit=sample_rows)
    keep = ["measure_id", "period", "dimension", "member"]
    return Preview(counts=counts,
                   new=new[[*keep, "new_value", "new_numerator", "new_denominator"]],
                   changed=changed[[*keep, "old_value", "new_value", "old_numerator", "new_numerator",
                                    "old_denominator", "new_denominator", "old_upload_id"]])
