"""The data inventory (staff): every measure with its owner, source, frequency, last update, next due,
how complete its metadata is and whether the public sees it; what is overdue, per owner.

Read through the one visibility rule as staff (drafts and private goals included). A public
reader gets nothing but a notice: owners and overdue work are internal facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import sqlalchemy as sa

from metrics.access import Actor
from metrics.domain import text
from metrics.domain.settings import Settings
from metrics.domain.vocabulary import FREQUENCY_LABELS
from metrics.views import base
from metrics.views.opendata import dictionary_frame

STAFF_ONLY = "The data inventory is for staff: sign in to see it."
# Metadata a measure needs before the public can use it (what "complete" means).
METADATA = {"name": "name", "unit": "unit", "direction": "direction", "frequency": "frequency",
            "department": "department", "owner": "owner", "data_source": "source", "methodology": "methodology",
            "goal_id": "goal"}
COLUMNS = ["measure_id", "name", "goal", "owner", "department", "source", "frequency", "last_period", "last_updated",
           "next_due", "overdue", "metadata", "missing", "state", "public"]
OWNER_COLUMNS = ["owner", "overdue", "oldest_due", "measures", "incomplete"]  # what needs chasing first (phones)


@dataclass(frozen=True)
class InventoryView:
    version: int
    today: date
    notice: str | None = None
    table: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COLUMNS))
    owners: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=OWNER_COLUMNS))

    @property
    def csv(self) -> str:
        """The table as a formula-safe CSV download."""
        return text.to_csv(self.table)

    @property
    def n_overdue(self) -> int:
        return int(self.table["overdue"].sum()) if not self.table.empty else 0


def _filled(value: object) -> bool:
    return not (value is None or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == "")


def _or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def build(conn_or_url: sa.Connection | str | None, actor: Actor | None, settings: Settings | None = None, *,
          today: date | None = None) -> InventoryView:
    day = today or date.today()
    with base.read(conn_or_url, actor, settings) as r:
        if not r.vis.staff:
            return InventoryView(version=r.version, today=day, notice=STAFF_ONLY)
        measures = r.frame("measures")
        goals = r.frame("goals")
        fresh = r.frame("measure_freshness")
        cfg, version = r.settings, r.version
    if measures.empty:
        return InventoryView(version=version, today=day, notice="There are no measures yet.")
    d = dictionary_frame(measures, fresh, cfg).set_index("measure_id")
    public_goals = set(goals.loc[goals["is_public"].fillna(False).astype(bool), "id"].astype(str))
    rows = []
    for m in measures.itertuples(index=False):
        mid = str(m.id)
        missing = [label for col, label in METADATA.items() if not _filled(getattr(m, col))]
        due = d.at[mid, "next_due"] if isinstance(d.at[mid, "next_due"], str) else None
        public = bool(m.is_public) and m.state == "published" and str(m.goal_id) in public_goals
        rows.append({"measure_id": mid, "name": m.name, "goal": text.shown(m.goal_name),
                     "owner": text.shown(m.owner), "department": text.shown(m.department),
                     "source": text.shown(m.data_source), "frequency": FREQUENCY_LABELS.get(m.frequency, m.frequency),
                     "last_period": _or_none(d.at[mid, "last_period"]), "last_updated": _or_none(d.at[mid, "last_updated"]),
                     "next_due": due, "overdue": bool(due and pd.Timestamp(due).date() < day),
                     "metadata": f"{len(METADATA) - len(missing)}/{len(METADATA)}",
                     "missing": ", ".join(missing), "state": m.state,
                     "public": "public" if public else ("not public" if m.state == "published" else m.state)})
    table = pd.DataFrame(rows, columns=COLUMNS)
    table = table.sort_values(["overdue", "next_due"], ascending=[False, True], na_position="last",
                              kind="stable").reset_index(drop=True)
    owners = (table.assign(incomplete=table["missing"] != "",
                           due_if_overdue=table["next_due"].where(table["overdue"]))
              .groupby("owner", dropna=False)
              .agg(measures=("measure_id", "count"), overdue=("overdue", "sum"),
                   oldest_due=("due_if_overdue", "min"), incomplete=("incomplete", "sum"))
              .reset_index().sort_values(["overdue", "measures"], ascending=False).reset_index(drop=True))
    owners["overdue"] = owners["overdue"].astype(int)
    owners["incomplete"] = owners["incomplete"].astype(int)
    owners["oldest_due"] = owners["oldest_due"].astype(object).where(owners["oldest_due"].notna(), "—")  # none overdue
    return InventoryView(version=version, today=day, table=table, owners=owners[OWNER_COLUMNS])
