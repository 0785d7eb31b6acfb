"""`python -m metrics score [--as-of PERIOD] [--format json|csv]`: every measure scored, and the city composite."""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import date

import pandas as pd

from metrics.access.visibility import STAFF
from metrics.domain import overview, periods, scoring
from metrics.store import db, meta, queries

COLUMNS = ["measure_id", "period", "actual", "target", "score", "status"]
COMPOSITE_ROW = "_composite"


def _as_of(label: str | None, fiscal_start_month: int) -> tuple[str, date]:
    if not label:
        today = date.today()
        return today.isoformat(), today
    try:
        p = periods.parse(label, fiscal_start_month)
    except periods.PeriodError as exc:
        raise SystemExit(f"error: --as-of must be a canonical period label (2018-03, 2018-Q1, 2018, FY2019, "
                         f"2018-03-31): {exc}") from None
    return label, p.end


def score(as_of_label: str | None = None) -> dict:
    """The scorecard as plain data: {'as_of', 'composite', 'stale_excluded', ..., 'measures': [...]}."""
    url = db.url_from_env()
    with db.reader(url) as conn:
        fsm = int(meta.get_meta(conn, "fiscal_start_month", "7") or 7)
        label, as_of = _as_of(as_of_label, fsm)
        measures = queries.fetch("measures", STAFF, conn=conn)
        recent = queries.fetch("aggregates_as_of", STAFF, conn=conn, as_of=as_of, depth=overview.RECENT_DEPTH)
        targets = queries.fetch("targets", STAFF, conn=conn)
    status = scoring.latest_status(measures, recent, targets, as_of)
    comp = scoring.composite_from_status(status)

    def clean(v: object) -> object:
        if isinstance(v, float) and math.isnan(v):
            return None
        return v.item() if hasattr(v, "item") else v

    rows = [{c: clean(r[c]) for c in COLUMNS} for r in status[COLUMNS].to_dict("records")]
    return {"as_of": label, "as_of_date": as_of.isoformat(), "composite": clean(comp.score),
            "n_scored": comp.n_scored, "stale_excluded": comp.stale_excluded,
            "no_target_excluded": comp.no_target_excluded, "no_data_excluded": comp.no_data_excluded,
            "measures": rows}


def cmd_score(args: argparse.Namespace) -> int:
    result = score(args.as_of)
    if args.format == "json":
        sys.stdout.write(json.dumps(result, indent=None) + "\n")
        return 0
    frame = pd.DataFrame(result["measures"], columns=COLUMNS)
    frame.loc[len(frame)] = [COMPOSITE_ROW, result["as_of"], None, None, result["composite"], "composite"]
    sys.stdout.write(frame.to_csv(index=False, lineterminator="\n"))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `score` to the CLI."""
    s = sub.add_parser(
        "score", help="score every measure against its target and print the city composite",
        description="Per measure: measure_id, period, actual, target, score (actual/target, capped), status, "
                    "as of the end of --as-of (default today), plus the city composite. CSV ends with a "
                    f"'{COMPOSITE_ROW}' row holding the composite; JSON is "
                    '{"composite": ..., "stale_excluded": ..., "measures": [...]}.')
    s.add_argument("--as-of", dest="as_of", metavar="PERIOD",
                   help="canonical period label (2018-03, 2018-Q1, 2018, FY2019, 2018-03-31); its end date is used")
    s.add_argument("--format", choices=["json", "csv"], default="csv")
    s.set_defaults(func=cmd_score)
