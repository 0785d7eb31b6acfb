"""What Works Cities criteria and the city's status, as stored.

The standard is versioned: criteria rows carry the standard version, so loading a newer
standard later adds rows beside the old ones and the city's history stays readable.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from metrics import schema, store

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
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
    conn.execute(sa.insert(schema.wwc_standards).values(version=version, name=name, loaded_at=store.now(),
                                                        is_current=True))
    conn.execute(sa.insert(schema.wwc_status), [dict(standard_version=version, code=r["code"]) for r in rows])
    return len(rows)


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
