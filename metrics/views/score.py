"""The scorecard: every measure scored against its target as of a day, and the city composite.

`python -m metrics score` prints this view, and the Overview's headline is computed by the
same `scores()` on the same reader, so the composite on the page and from the CLI can't
differ for the same day. As-of is handled here: a canonical period label means "as of the
end of that period" (read with the city's fiscal start month); no label means today. Only
the stored score rows (schema v11, computed by every write in its own transaction) from that day
on are read (sql/measure_scores.sql): one row per measure, not its whole history, and the day's
part of the rules (stale, the cap) is applied here (domain.rollup.status_at).
Only published measures count (overview.counted_measures): drafts, such as the ones an upload
creates for unknown ids, stay out of every score until published. Staff may ask for them with
`include_drafts=True`; for a public reader the filter is ignored (they never see drafts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa

from metrics.access import Actor
from metrics.domain import overview, periods, scoring
from metrics.domain.settings import Settings
from metrics.views import base


@dataclass(frozen=True)
class Scores:
    """What one scoring of "now" reads and computes (shared by this view and the Overview)."""
    measures: pd.DataFrame
    rows: pd.DataFrame  # the stored score rows read (domain.rollup.SCORE_COLUMNS), of `measures` only
    status: pd.DataFrame  # overview.measure_status: one row per measure, goal and priority attached
    composite: scoring.Composite
    include_drafts: bool  # drafts were counted (staff asked for them)
    drafts_left_out: int  # visible draft measures not counted (0 when include_drafts)


@dataclass(frozen=True)
class ScoreView:
    version: int
    as_of: str  # the label asked for, or today's ISO date
    as_of_date: date
    status: pd.DataFrame
    composite: scoring.Composite
    include_drafts: bool = False  # the filter in force (always False for a public reader)
    drafts_left_out: int = 0


def as_of_date(label: str | None, fiscal_start_month: int, today: date | None = None) -> tuple[str, date]:
    """(label, the day it ends on); raises periods.PeriodError (a sentence) for a bad label."""
    if not label:
        day = today or date.today()
        return day.isoformat(), day
    return label, periods.parse(label, fiscal_start_month).end


def counts_drafts(r: base.Reader, include_drafts: bool) -> bool:
    """Whether drafts count for this reader: only staff may ask (the public never sees one)."""
    return bool(include_drafts) and r.vis.staff


def scores(r: base.Reader, day: date, include_drafts: bool = False, since: date | None = None) -> Scores:
    """Every counted measure's status on `day` and the composite, with the reader's settings.

    Counted = published (plus drafts when a staff reader asks for them); the stored rows are
    narrowed to those measures too, so a draft's data can't move "data as of". `since` (on or
    before `day`) reads rows from an earlier day too, for a caller that replays the score there.
    """
    include = counts_drafts(r, include_drafts)
    every = r.frame("measures")
    measures = overview.counted_measures(every, include)
    left_out = 0 if include else int((every["state"] == overview.DRAFT_STATE).sum())
    start = day if since is None else min(since, day)
    rows = overview.of_measures(r.frame("measure_scores", since=start), measures)
    status, comp = overview.scorecard_from_rows(measures, rows, day, cap=r.settings.composite_cap,
                                                grace_days=r.settings.grace_days)
    return Scores(measures, rows, status, comp, include, left_out)


def build(conn_or_url: sa.Connection | str | None, actor: Actor | None, settings: Settings | None = None, *,
          as_of: str | None = None, include_drafts: bool = False) -> ScoreView:
    """The scorecard as `actor` may see it, as of the end of `as_of` (default today); published
    measures only unless a staff reader passes `include_drafts=True`."""
    with base.read(conn_or_url, actor, settings) as r:
        label, day = as_of_date(as_of, r.settings.fiscal_start_month)
        s = scores(r, day, include_drafts)
        return ScoreView(version=r.version, as_of=label, as_of_date=day, status=s.status, composite=s.composite,
                         include_drafts=s.include_drafts, drafts_left_out=s.drafts_left_out)
