"""What Works Cities criteria and the city's status, as stored.

The standard is versioned: criteria rows carry the standard version, so loading a newer
standard later adds rows beside the old ones and the city's history stays readable.
This module writes (criteria, demo status, status updates, new standards); everything that is
read back goes through metrics.views.certification and the visibility rule.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from metrics import access
from metrics.catalog._common import date_field
from metrics.domain import certification
from metrics.errors import InputError
from metrics.store import meta, schema

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
CRITERIA_CSV = DATA_DIR / "wwc_criteria.csv"
CURRENT_STANDARD = "2022"
CORE = ("DM-01", "LC-01", "PA-01")


def load_criteria(conn: sa.Connection, path: Path = CRITERIA_CSV, version: str = CURRENT_STANDARD,
                  name: str = "What Works Cities Certification standard (2022 on)") -> int:
    """Insert the standard's criteria if this version is not loaded yet; idempotent."""
    have = conn.execute(sa.select(sa.func.count()).select_from(schema.wwc_criteria)
                        .where(schema.wwc_criteria.c.standard_version == version)).scalar_one()
    if have:
        return 0
    df = pd.read_csv(path, dtype=str).fillna("")
    rows = [dict(standard_version=version, code=r.code, practice=r.practice, criterion=r.criterion,
                 description=r.description, confirmed=r.confirmed.strip().lower() == "yes",
                 is_core=r.code in CORE, sort=i) for i, r in enumerate(df.itertuples())]
    conn.execute(sa.insert(schema.wwc_criteria), rows)
    conn.execute(sa.update(schema.wwc_standards).values(is_current=False))
    conn.execute(sa.insert(schema.wwc_standards).values(version=version, name=name, loaded_at=meta.now(),
                                                        is_current=True))
    conn.execute(sa.insert(schema.wwc_status), [dict(standard_version=version, code=r["code"]) for r in rows])
    return len(rows)


class CertificationError(InputError):
    """A status update or standard load was refused; `errors` holds one message per problem."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


OWNER_MAX_CHARS = 200
DOCUMENT_MAX_CHARS = 500
EVIDENCE_KINDS = ("url", "document", "measure", "goal")
_FIELDS = ("status", "owner", "target_date", "notes")


def current_version(conn: sa.Connection) -> str:
    row = conn.execute(sa.select(schema.wwc_standards.c.version)
                       .where(schema.wwc_standards.c.is_current)).first()
    return row[0] if row else CURRENT_STANDARD


# Demo: strong on performance, open data and data management; weak on evaluation and contracting.
_DEMO_MET = ["DM-01", "DM-02", "DM-03", "DM-04", "DM-05", "DM-06", "DM-08", "LC-01", "LC-02", "LC-04", "LC-05",
             "OD-01", "OD-02", "OD-03", "PA-01", "PA-02", "PA-03", "PA-05", "BF-01", "RDC-01", "RDC-02",
             "CI-02", "LC-07"]
_DEMO_IN_PROGRESS = ["DM-07", "DM-09", "LC-03", "OD-04", "PA-04", "BF-02", "RDC-03", "RDC-05", "CI-01", "EV-01"]
_OWNERS = ["Chief Data Officer", "Performance Manager", "Budget Director", "Procurement Director",
           "Evaluation Lead", "Open Data Coordinator"]
DEMO_GOAL_CRITERIA = {
    "reduce-homelessness": ["RDC-01", "RDC-02", "RDC-05", "PA-01", "BF-03"],
    "affordable-homes": ["PA-01", "BF-02"],
    "violent-crime": ["PA-02", "EV-02", "DM-08"],
    "responsive-311": ["PA-02", "CI-02", "DM-09"],
    "digital-services": ["OD-03", "OD-02", "DM-02"],
    "sound-finances": ["BF-01", "BF-02", "RDC-07"],
    "healthy-births": ["DM-08", "EV-03"],
}


def seed_demo_status(conn: sa.Connection, seed: int) -> None:
    """Two years of believable certification work, each change kept in history."""
    rng = np.random.default_rng(seed + 43)
    version = current_version(conn)
    codes = [r[0] for r in conn.execute(sa.select(schema.wwc_criteria.c.code)
                                        .where(schema.wwc_criteria.c.standard_version == version)
                                        .order_by(schema.wwc_criteria.c.sort))]
    start = datetime(2024, 11, 15, 10, 0)
    history = []
    for code in codes:
        owner = _OWNERS[int(rng.integers(0, len(_OWNERS)))]
        final = "met" if code in _DEMO_MET else "in_progress" if code in _DEMO_IN_PROGRESS else "not_started"
        steps = {"met": ["in_progress", "met"], "in_progress": ["in_progress"], "not_started": []}[final]
        when = start + timedelta(days=int(rng.integers(0, 200)))
        old = "not_started"
        for st in steps:
            history.append(dict(standard_version=version, code=code, field="status", old_value=old, new_value=st,
                                changed_by="performance-team", changed_at=when))
            old = st
            when += timedelta(days=int(rng.integers(60, 300)))
        last = min(when, datetime(2026, 11, 1, 9, 0))
        due = None if final == "met" else date(2026, 6, 30) + timedelta(days=int(rng.integers(0, 15)) * 30)
        conn.execute(sa.update(schema.wwc_status)
                     .where(schema.wwc_status.c.standard_version == version, schema.wwc_status.c.code == code)
                     .values(status=final, owner=owner, target_date=due, last_reviewed=last.date(),
                             updated_by="performance-team", updated_at=last,
                             notes="Reviewed at the quarterly data governance meeting." if final != "not_started" else None))
    if history:
        conn.execute(sa.insert(schema.wwc_history), history)
    ev = [dict(standard_version=version, code="OD-03", kind="url", ref="https://data.example.gov/",
               note="Open data portal home", added_by="performance-team", added_at=datetime(2025, 3, 1)),
          dict(standard_version=version, code="PA-01", kind="goal", ref="goal:reduce-homelessness",
               note="Outcome measure with a target and quarterly review", added_by="performance-team",
               added_at=datetime(2025, 5, 1)),
          dict(standard_version=version, code="RDC-02", kind="measure", ref="measure:households-stable-housing",
               note="Contracts pay on households housed", added_by="performance-team", added_at=datetime(2025, 5, 1)),
          dict(standard_version=version, code="DM-01", kind="document", ref="Data governance charter 2025.pdf",
               note="Adopted by executive order", added_by="performance-team", added_at=datetime(2025, 2, 1))]
    conn.execute(sa.insert(schema.wwc_evidence), ev)
    conn.execute(sa.insert(schema.goal_criteria),
                 [dict(goal_id=g, code=c) for g, cs in DEMO_GOAL_CRITERIA.items() for c in cs])


# --- writes ------------------------------------------------------------------------------------------

def _parse_evidence(items: object) -> tuple[list[dict], list[str], list[str]]:
    """Split evidence into rows to write, the refs certification.validate_status_update checks, and
    errors for the document items it does not know about.

    An item is a string (an http(s) link, `measure:ID` or `goal:ID`) or a dict
    {"kind": url|document|measure|goal, "ref": ..., "note": ...}.
    """
    rows: list[dict] = []
    refs: list[str] = []
    errors: list[str] = []
    if items is None:
        return rows, refs, errors
    if isinstance(items, str | dict):
        items = [items]
    for item in items:
        if isinstance(item, dict):
            kind, ref, note = item.get("kind"), item.get("ref"), item.get("note")
        else:
            kind, ref, note = None, item, None
        if note is not None and (not isinstance(note, str) or len(note) > certification.NOTE_MAX_CHARS):
            errors.append(f"An evidence note must be text of at most {certification.NOTE_MAX_CHARS} characters.")
        if kind == "document":
            if not isinstance(ref, str) or not ref.strip():
                errors.append("A document needs a name.")
            elif len(ref) > DOCUMENT_MAX_CHARS:
                errors.append(f"A document name is longer than {DOCUMENT_MAX_CHARS} characters.")
            elif any(ord(ch) < 32 or ord(ch) == 127 for ch in ref):
                errors.append("A document name contains control characters.")
            else:
                rows.append(dict(kind="document", ref=ref.strip(), note=note))
            continue
        if kind is not None and kind not in EVIDENCE_KINDS:
            errors.append(f"Evidence kind {kind!r} is not allowed; use one of: {', '.join(EVIDENCE_KINDS)}.")
            continue
        ref = ref.strip() if isinstance(ref, str) else ref
        refs.append(ref)
        if isinstance(ref, str):
            prefix = ref.split(":", 1)[0].lower() if ":" in ref else ""
            found = prefix if prefix in certification.EVIDENCE_REF_KINDS else "url"
            if kind is not None and kind != found:
                errors.append(f"Evidence {ref[:80]!r} is a {found}, not a {kind}.")
            rows.append(dict(kind=found, ref=ref, note=note))
    return rows, refs, errors


def _ids(conn: sa.Connection, table: sa.Table, wanted: set[str]) -> set[str]:
    if not wanted:
        return set()
    return {r[0] for r in conn.execute(sa.select(table.c.id).where(table.c.id.in_(sorted(wanted))))}


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def set_status(conn: sa.Connection, code: str, status: str | None = None, owner: str | None = None,
               target_date: date | str | None = None, notes: str | None = None,
               evidence: object = (), *, actor: access.Actor) -> dict:
    """Change one criterion's status/owner/due date/notes and attach evidence, with history.

    `actor` (required) must have edit-criteria (access.Forbidden otherwise, before anything is
    read); its name is recorded as who changed it in the status row, history, evidence and audit.

    None leaves a field as it is; "" clears owner, target_date or notes. Everything is validated
    first (certification.validate_status_update plus owner, date and document checks); any problem
    raises CertificationError with every message and nothing is written. Otherwise the update, the
    evidence rows, one wwc_history row per changed field, the audit entry and the data-version bump
    all happen in the caller's transaction. Returns {"changed": {field: (old, new)}, "evidence": n}.
    """
    access.ensure_allowed(actor, "edit-criteria")
    version = current_version(conn)
    st_t = schema.wwc_status
    current = conn.execute(sa.select(st_t).where(st_t.c.standard_version == version,
                                                 st_t.c.code == code)).mappings().first()
    codes = [r[0] for r in conn.execute(sa.select(schema.wwc_criteria.c.code)
                                        .where(schema.wwc_criteria.c.standard_version == version))]
    rows, refs, errors = _parse_evidence(evidence)
    wanted = {"measure": set(), "goal": set()}
    for ref in refs:
        if isinstance(ref, str) and ":" in ref and ref.split(":", 1)[0].lower() in wanted:
            wanted[ref.split(":", 1)[0].lower()].add(ref.split(":", 1)[1])
    check_status = status if status is not None else (current["status"] if current else "not_started")
    errors = certification.validate_status_update(
        code, check_status, refs, notes, codes,
        known_measure_ids=_ids(conn, schema.measures, wanted["measure"]),
        known_goal_ids=_ids(conn, schema.goals, wanted["goal"])) + errors
    if owner is not None and (not isinstance(owner, str) or len(owner) > OWNER_MAX_CHARS):
        errors.append(f"The owner must be text of at most {OWNER_MAX_CHARS} characters.")
    due = date_field(target_date, "Due date", errors)
    if len(actor.name) > OWNER_MAX_CHARS:
        errors.append(f"The user name must be text of at most {OWNER_MAX_CHARS} characters.")
    if errors:
        raise CertificationError(errors)
    if current is None:  # a criterion of the standard always has a status row; repair if missing
        conn.execute(sa.insert(st_t).values(standard_version=version, code=code))
        current = {"status": "not_started", "owner": None, "target_date": None, "notes": None}

    proposed = {"status": status,
                "owner": None if owner is None else (owner.strip() or None),
                "target_date": None if target_date is None else due,
                "notes": None if notes is None else (notes.strip() or None)}
    clears = {"owner": owner == "" or (isinstance(owner, str) and not owner.strip()),
              "target_date": target_date == "", "notes": notes is not None and not notes.strip()}
    changed: dict[str, tuple] = {}
    for field in _FIELDS:
        new = proposed[field]
        if new is None and not clears.get(field):
            continue
        old = current[field]
        if isinstance(old, datetime):
            old = old.date()
        if old != new:
            changed[field] = (old, new)
    when = meta.now()
    who = actor.name
    values = {f: new for f, (_, new) in changed.items()}
    conn.execute(sa.update(st_t).where(st_t.c.standard_version == version, st_t.c.code == code)
                 .values(**values, last_reviewed=when.date(), updated_by=who, updated_at=when))
    hist = [dict(standard_version=version, code=code, field=f, old_value=_text(old), new_value=_text(new),
                 changed_by=who, changed_at=when) for f, (old, new) in changed.items()]
    hist += [dict(standard_version=version, code=code, field="evidence", old_value=None,
                  new_value=f"{r['kind']}: {r['ref']}", changed_by=who, changed_at=when) for r in rows]
    if hist:
        conn.execute(sa.insert(schema.wwc_history), hist)
    if rows:
        conn.execute(sa.insert(schema.wwc_evidence),
                     [dict(standard_version=version, code=code, added_by=who, added_at=when, **r) for r in rows])
    meta.audit(conn, who, "wwc_status_set", "wwc_criterion", code,
                {"standard": version, "changed": {f: [_text(o), _text(n)] for f, (o, n) in changed.items()},
                 "evidence": [f"{r['kind']}: {r['ref']}" for r in rows]})
    meta.bump_data_version(conn)
    return {"changed": changed, "evidence": len(rows)}


def load_standard(conn: sa.Connection, csv_path: str | Path, version: str, name: str | None = None, *,
                  actor: access.Actor) -> dict:
    """Load a newer WWC standard beside the old one and make it current, keeping every old row.

    `actor` (required) must have edit-criteria (access.Forbidden otherwise, before the file is
    read); its name is recorded on the carried-over rows, their history and the audit entry.

    Codes present in both the outgoing current standard and the new one carry their status, owner,
    due date, notes and evidence over, each with a history entry; new codes start not started.
    Refuses (CertificationError, nothing written) a version already loaded or a malformed file.
    """
    access.ensure_allowed(actor, "edit-criteria")
    version = str(version).strip()
    errors: list[str] = []
    if not version or len(version) > 16:
        errors.append("The standard version must be 1 to 16 characters.")
    try:
        df = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise CertificationError([f"Cannot read {csv_path}: {str(exc).splitlines()[0]}"]) from exc
    cols = ["practice", "code", "criterion", "description"]
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise CertificationError(errors + [f"{csv_path}: missing columns {', '.join(missing)}."])
    df = df.apply(lambda s: s.str.strip())
    if df.empty:
        errors.append(f"{csv_path}: no criteria.")
    if (df["code"] == "").any() or (df["practice"] == "").any() or (df["criterion"] == "").any():
        errors.append(f"{csv_path}: every criterion needs a code, a practice and a title.")
    if (df["code"].str.len() > 16).any():
        errors.append(f"{csv_path}: criterion codes are at most 16 characters.")
    dupes = sorted(df.loc[df["code"].duplicated(), "code"].unique())
    if dupes:
        errors.append(f"{csv_path}: duplicate criterion codes {', '.join(dupes)}.")
    exists = conn.execute(sa.select(sa.func.count()).select_from(schema.wwc_standards)
                          .where(schema.wwc_standards.c.version == version)).scalar_one()
    if exists:
        errors.append(f"Standard {version} is already loaded.")
    if errors:
        raise CertificationError(errors)

    old_version = conn.execute(sa.select(schema.wwc_standards.c.version)
                               .where(schema.wwc_standards.c.is_current)).scalar()
    core = set(certification.load_levels().core)
    confirmed = df["confirmed"] if "confirmed" in df.columns else pd.Series("yes", index=df.index)
    crit = [dict(standard_version=version, code=r.code, practice=r.practice, criterion=r.criterion,
                 description=r.description, confirmed=str(c).lower() in ("yes", "true", "1"),
                 is_core=r.code in core, sort=i)
            for i, (r, c) in enumerate(zip(df.itertuples(), confirmed, strict=True))]
    conn.execute(sa.insert(schema.wwc_criteria), crit)
    when = meta.now()
    who = actor.name
    old_status: dict[str, dict] = {}
    if old_version is not None:
        old_status = {r["code"]: dict(r) for r in conn.execute(
            sa.select(schema.wwc_status).where(schema.wwc_status.c.standard_version == old_version)).mappings()}
    status_rows, hist = [], []
    for row in crit:
        prev = old_status.get(row["code"])
        fields = ("status", "owner", "target_date", "notes", "last_reviewed")
        keep = {k: prev[k] for k in fields} if prev else dict.fromkeys(fields) | {"status": "not_started"}
        status_rows.append(dict(standard_version=version, code=row["code"], updated_by=who, updated_at=when,
                                **keep))
        if prev:
            hist.append(dict(standard_version=version, code=row["code"], field="carried_over",
                             old_value=f"standard {old_version}: {prev['status']}",
                             new_value=f"standard {version}: {prev['status']}", changed_by=who, changed_at=when))
    conn.execute(sa.insert(schema.wwc_status), status_rows)
    carried = [h["code"] for h in hist]
    if hist:
        conn.execute(sa.insert(schema.wwc_history), hist)
        ev_t = schema.wwc_evidence
        old_ev = conn.execute(sa.select(ev_t.c.code, ev_t.c.kind, ev_t.c.ref, ev_t.c.note, ev_t.c.added_by,
                                        ev_t.c.added_at)
                              .where(ev_t.c.standard_version == old_version, ev_t.c.code.in_(carried))
                              .order_by(ev_t.c.id)).mappings().all()
        if old_ev:
            conn.execute(sa.insert(ev_t), [dict(standard_version=version, **dict(r)) for r in old_ev])
    conn.execute(sa.update(schema.wwc_standards).values(is_current=False))
    conn.execute(sa.insert(schema.wwc_standards).values(
        version=version, name=name or f"What Works Cities Certification standard {version}", loaded_at=when,
        is_current=True))
    meta.audit(conn, who, "wwc_standard_loaded", "wwc_standard", version,
                {"criteria": len(crit), "carried_over": len(carried), "previous": old_version})
    meta.bump_data_version(conn)
    return {"version": version, "previous": old_version, "criteria": len(crit), "carried_over": len(carried),
            "new": len(crit) - len(carried)}
