"""My measures: what an owner is responsible for, which periods are due or overdue, and the reminder list.

A measure's owner is the text in its `owner` field (a person or a department); a signed-in user
sees the measures whose owner is their name first, and may pick any other owner. A period is
*due* once it has ended without a figure, and *overdue* past the stale rule's date (the period's
end plus the city's grace: scoring.due_date, the same rule the Overview's stale list uses).
Retired measures are not asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa

from metrics.access import Actor
from metrics.domain import periods, scoring
from metrics.domain.settings import Settings
from metrics.views import base

REMINDER_COLUMNS = ["owner", "measure_id", "name", "frequency", "last_period", "next_period", "due", "status"]
STATUS_WORDS = {"overdue": "overdue", "due": "due now", "ok": "up to date"}


@dataclass(frozen=True)
class MyMeasures:
    version: int
    owners: tuple[str, ...]  # every owner with at least one live measure
    owner: str | None  # the owner shown
    measures: pd.DataFrame  # REMINDER_COLUMNS + unit, for the owner shown
    breakdowns: pd.DataFrame  # measure_id, dimension, member: the entry form's breakdown rows
    reminders: pd.DataFrame  # REMINDER_COLUMNS for every owner, due and overdue only


def _schedule(ms: pd.DataFrame, latest: pd.DataFrame, today: date, fsm: int, grace: dict[str, int]) -> pd.DataFrame:
    last = latest.set_index("measure_id")
    rows = []
    now = pd.Timestamp(today)
    for m in ms.itertuples():
        freq = str(m.frequency)
        if m.id in last.index:
            lp = str(last.at[m.id, "period"])
            nxt = periods.shift(lp, 1, fsm)
            due = scoring.due_date(lp, last.at[m.id, "period_end"], grace)
        else:  # never reported: the last period that has ended is due now
            lp = None
            nxt = periods.label_of(now - pd.Timedelta(days=1), freq, fsm)
            nxt = nxt if pd.Timestamp(periods.parse(nxt, fsm).end) < now else periods.shift(nxt, -1, fsm)
            due = pd.Timestamp(periods.parse(nxt, fsm).end) + pd.Timedelta(days=grace.get(freq, 45))
        ended = pd.Timestamp(periods.parse(nxt, fsm).end) < now
        status = "overdue" if due < now else "due" if ended else "ok"
        rows.append({"owner": m.owner, "measure_id": m.id, "name": m.name, "frequency": freq, "last_period": lp,
                     "next_period": nxt, "due": due.date(), "status": status, "unit": m.unit})
    out = pd.DataFrame(rows, columns=[*REMINDER_COLUMNS, "unit"])
    order = {"overdue": 0, "due": 1, "ok": 2}
    return out.sort_values(["owner", "status", "due"], key=lambda s: s.map(order) if s.name == "status" else s
                           ).reset_index(drop=True)


def build(conn_or_url: sa.Connection | str | None, actor: Actor | None, settings: Settings | None = None, *,
          owner: str | None = None, today: date | None = None) -> MyMeasures:
    """The owner's measures with what is due (`owner` default: the reader's own name, else the first owner)."""
    day = today or date.today()
    with base.read(conn_or_url, actor, settings) as r:
        ms = r.frame("catalog_measures")
        ms = ms[(ms["state"] != "retired") & ms["owner"].notna() & (ms["owner"].astype(str).str.strip() != "")]
        latest = r.frame("owner_latest")
        owners = tuple(sorted(ms["owner"].astype(str).unique()))
        me = r.actor.name if r.actor.name in owners else None
        chosen = owner if owner in owners else (me or (owners[0] if owners else None))
        mine = ms[ms["owner"] == chosen]
        parts = r.frame("owner_breakdowns", measure_ids=list(mine["id"]) or [""])
        plan = _schedule(ms, latest, day, r.settings.fiscal_start_month, r.settings.grace_days)
    return MyMeasures(version=r.version, owners=owners, owner=chosen,
                      measures=plan[plan["owner"] == chosen].reset_index(drop=True), breakdowns=parts,
                      reminders=plan[plan["status"] != "ok"][REMINDER_COLUMNS].reset_index(drop=True))
