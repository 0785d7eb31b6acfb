"""Measure definitions: registry files (validated with pandera) and drafts for unknown ids.

A registry file has one row per measure (`measure_id,name,kind,unit,direction,frequency,
department,owner,public`, plus optional `goal_id`, `methodology`, `data_source`). Its
vocabulary is checked with a pandera schema; every failing cell becomes a
`cell-constraint-error` naming the row, so a bad registry changes nothing.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import sqlalchemy as sa

from metrics.domain.compare import rollup_method
from metrics.store import meta, schema

from .errors import ConstraintError, UnknownColumn
from .report import IngestReport

REQUIRED = ("measure_id", "name", "kind", "unit", "direction", "frequency", "department", "owner", "public")
OPTIONAL = ("goal_id", "methodology", "data_source")
_TRUE = ("true", "yes", "1", "y", "t")
_BOOL = (*_TRUE, "false", "no", "0", "n", "f")


def _schema() -> pa.DataFrameSchema:
    def isin(values: tuple[str, ...]) -> pa.Check:
        return pa.Check(lambda s: s.str.lower().isin(values), name=f"one of {', '.join(values)}")

    return pa.DataFrameSchema({
        "measure_id": pa.Column(str, pa.Check(lambda s: s.str.len().between(1, 128), name="1 to 128 characters"),
                                nullable=False),
        "name": pa.Column(str, nullable=False),
        "kind": pa.Column(str, isin(schema.MEASURE_KINDS), nullable=False),
        "direction": pa.Column(str, isin(schema.DIRECTIONS), nullable=False),
        "frequency": pa.Column(str, isin(schema.FREQUENCIES), nullable=False),
        "public": pa.Column(str, pa.Check(lambda s: s.str.lower().isin(_BOOL), name="true or false"),
                            nullable=True),
    }, coerce=False)


def check_registry(frame: pd.DataFrame, report: IngestReport) -> pd.DataFrame:
    """Validate a registry frame (from `read_file`); errors go to `report`. Returns clean rows."""
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        report.add_error(UnknownColumn(note=f"a measure registry needs columns {', '.join(missing)}"))
        return frame.iloc[0:0]
    sub = frame[list(REQUIRED) + [c for c in OPTIONAL if c in frame.columns] + ["row_number"]].copy()
    text_cols = [c for c in sub.columns if c != "row_number"]
    sub[text_cols] = sub[text_cols].astype("object").where(sub[text_cols].notna(), None)
    try:
        _schema().validate(sub.astype({c: "object" for c in text_cols}), lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        for _, case in cases.iterrows():  # one per failing cell: bounded by the error limit
            idx = case["index"]
            if pd.isna(idx):
                continue
            col = str(case["column"])
            check = str(case["check"])
            note = "required" if check == "not_nullable" else f"expected {check}"
            cell = case["failure_case"]
            report.add_error(ConstraintError(note=note, row_number=int(sub.at[int(idx), "row_number"]),
                                             field_name=col, cell=None if pd.isna(cell) else str(cell)))
            report.rejected_index.add(int(idx))
    dup = sub["measure_id"].duplicated(keep=False) & sub["measure_id"].notna()
    for idx in sub.index[dup]:
        report.add_error(ConstraintError(note="the same measure_id appears twice in the file",
                                         row_number=int(sub.at[idx, "row_number"]), field_name="measure_id",
                                         cell=str(sub.at[idx, "measure_id"])))
    report.stats.update(rows=len(sub), rejected=len(report.rejected_index) + int(dup.sum()),
                        accepted=0 if not report.valid else len(sub))
    return sub


def registry_rows(sub: pd.DataFrame) -> list[dict]:
    out = sub.assign(kind=sub["kind"].str.lower(), direction=sub["direction"].str.lower(),
                     frequency=sub["frequency"].str.lower(),
                     is_public=sub["public"].fillna("false").str.lower().isin(_TRUE))
    cols = ["measure_id", "name", "kind", "unit", "direction", "frequency", "department", "owner", "is_public",
            *[c for c in OPTIONAL if c in sub.columns]]
    return out[cols].rename(columns={"measure_id": "id"}).to_dict("records")


def upsert_measures(conn: sa.Connection, rows: list[dict]) -> dict[str, int]:
    """Insert new measures (as drafts) and update existing ones; state is never changed here."""
    m = schema.measures
    rows = [{**r, "rollup": rollup_method(r.get("unit"), r.get("kind"))} for r in rows]
    ids = [r["id"] for r in rows]
    existing = {r.id: r for r in conn.execute(sa.select(m).where(m.c.id.in_(ids))).all()} if ids else {}
    now = meta.now()
    new = [{**r, "state": "draft", "created_at": now, "updated_at": now} for r in rows if r["id"] not in existing]
    changed = []
    for r in rows:
        old = existing.get(r["id"])
        if old is not None and any(getattr(old, k) != v for k, v in r.items() if k != "id"):
            changed.append({**{f"b_{k}": v for k, v in r.items()}, "b_updated_at": now})
    if new:
        conn.execute(sa.insert(m), new)
    if changed:
        keys = [k for k in rows[0] if k != "id"]
        stmt = (sa.update(m).where(m.c.id == sa.bindparam("b_id"))
                .values({k: sa.bindparam(f"b_{k}") for k in [*keys, "updated_at"]}))
        conn.execute(stmt, changed)
    return {"measures_new": len(new), "measures_changed": len(changed),
            "measures_unchanged": len(rows) - len(new) - len(changed)}


def draft_measures(actual_rows: pd.DataFrame, grains: pd.Series, known_ids: set[str],
                   source_name: str | None) -> pd.DataFrame:
    """Unknown measure ids in a file -> draft definitions: kind output, frequency = the
    grain most of its rows use, private. Returns columns id, name, unit, frequency, …"""
    rows = actual_rows.assign(_grain=grains)
    rows = rows[rows["measure_id"].notna() & (rows["measure_id"].astype("object") != "")
                & ~rows["measure_id"].isin(list(known_ids))]
    if rows.empty:
        return pd.DataFrame(columns=["id", "name", "kind", "unit", "direction", "frequency"])
    grouped = rows.groupby("measure_id", sort=True)
    freq = rows.groupby(["measure_id", "_grain"]).size().reset_index().sort_values(
        [0, "_grain"], ascending=[False, True]).drop_duplicates("measure_id").set_index("measure_id")["_grain"]
    out = pd.DataFrame({"id": grouped.size().index})
    out["name"] = grouped["measure_name"].first().reindex(out["id"]).to_numpy()
    out["name"] = out["name"].where(out["name"].notna(), out["id"]).astype("object").str.strip()
    out["unit"] = grouped["unit"].first().reindex(out["id"]).to_numpy()
    out["frequency"] = freq.reindex(out["id"]).to_numpy()
    out["kind"], out["direction"], out["is_public"] = "output", "higher", False
    out["data_source"] = source_name
    out["unit"] = out["unit"].astype("object").where(out["unit"].notna(), None)
    return out


def insert_drafts(conn: sa.Connection, drafts: pd.DataFrame) -> int:
    if drafts.empty:
        return 0
    now = meta.now()
    rows = drafts.assign(state="draft", created_at=now, updated_at=now,
                         rollup=[rollup_method(u, k) for u, k in zip(drafts["unit"], drafts["kind"], strict=True)]
                         ).to_dict("records")
    conn.execute(sa.insert(schema.measures), rows)
    return len(rows)
