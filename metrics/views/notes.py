"""Narratives and dated annotations of every measure the reader may see, for outputs that print them.

The council report and the static public site put "why it moved" next to each measure and the
dated notes on its charts. They read them here, through the one visibility rule, so a draft's
narrative or a private goal's annotation can't reach a PDF or a public page. Who wrote a note is
a staff fact and is left out; the text is as typed (each output renders it as text).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from metrics.access import Actor
from metrics.domain import periods
from metrics.domain.settings import Settings
from metrics.views import base

NARRATIVE_COLUMNS = ["measure_id", "period", "period_end", "body"]
ANNOTATION_COLUMNS = ["measure_id", "on_date", "body"]
MARK_COLUMNS = ["n", "on_date", "period", "body", "label"]


@dataclass(frozen=True)
class Notes:
    version: int
    narratives: pd.DataFrame  # NARRATIVE_COLUMNS, period_end a Timestamp (NaT for a label that no longer parses)
    annotations: pd.DataFrame  # ANNOTATION_COLUMNS, oldest first

    def narratives_of(self, measure_id: str, start: object = None, end: object = None) -> pd.DataFrame:
        """One measure's narratives, oldest first, whose period ends within [start, end] (either open)."""
        n = self.narratives[self.narratives["measure_id"] == measure_id]
        if start is not None:
            n = n[n["period_end"] >= pd.Timestamp(start)]
        if end is not None:
            n = n[n["period_end"] <= pd.Timestamp(end)]
        return n.sort_values("period_end").reset_index(drop=True)

    def annotations_of(self, measure_id: str) -> pd.DataFrame:
        return self.annotations[self.annotations["measure_id"] == measure_id].reset_index(drop=True)


def _period_end(label: object, fsm: int) -> pd.Timestamp:
    try:
        return pd.Timestamp(periods.parse(str(label), fsm).end)
    except periods.PeriodError:
        return pd.NaT


def read(r: base.Reader) -> Notes:
    """Notes inside a view's open snapshot (the report and the site read everything in one)."""
    fsm = r.settings.fiscal_start_month
    narr = r.frame("narratives", measure_id="")
    dated = r.frame("annotations", measure_id="")
    narr = pd.DataFrame({"measure_id": narr["measure_id"].astype(str), "period": narr["period"].astype(str),
                         "period_end": pd.to_datetime(pd.Series([_period_end(p, fsm) for p in narr["period"]],
                                                                dtype=object)),
                         "body": narr["body"].astype(str)}, columns=NARRATIVE_COLUMNS)
    dated = pd.DataFrame({"measure_id": dated["measure_id"].astype(str), "on_date": pd.to_datetime(dated["on_date"]),
                          "body": dated["body"].astype(str)}, columns=ANNOTATION_COLUMNS)
    return Notes(version=r.version, narratives=narr.reset_index(drop=True),
                 annotations=dated.sort_values("on_date", kind="stable").reset_index(drop=True))


def build(conn_or_url: sa.Connection | str | None, actor: Actor | None, settings: Settings | None = None) -> Notes:
    with base.read(conn_or_url, actor, settings) as r:
        return read(r)


def numbered(marks: pd.DataFrame, periods_shown: pd.Series, frequency: str, fsm: int,
             until: object = None) -> pd.DataFrame:
    """A measure's annotations that fall on a chart's periods, numbered [1], [2]... by date, so the
    chart carries short markers and the full text is a list under it (MARK_COLUMNS)."""
    if marks.empty:
        return pd.DataFrame(columns=MARK_COLUMNS)
    m = marks if until is None else marks[pd.to_datetime(marks["on_date"]) <= pd.Timestamp(until)]
    on_axis = set(map(str, periods_shown))
    labels = [periods.label_of(d, frequency, fsm) for d in m["on_date"]]
    m = m.assign(period=labels)
    m = m[m["period"].isin(on_axis)].sort_values("on_date", kind="stable").reset_index(drop=True)
    n = list(range(1, len(m) + 1))
    return pd.DataFrame({"n": n, "on_date": pd.to_datetime(m["on_date"]).dt.date, "period": m["period"],
                         "body": m["body"].astype(str), "label": [f"[{k}]" for k in n]}, columns=MARK_COLUMNS)
