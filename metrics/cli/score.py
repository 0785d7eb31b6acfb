"""`python -m metrics score [--as-of PERIOD] [--include-drafts] [--format json|csv]`: every published measure
scored, and the city composite (drafts only with --include-drafts, as on the Overview's staff toggle)."""

from __future__ import annotations

import argparse
import json
import math
import sys

import pandas as pd

from metrics import access, cli
from metrics.domain import periods
from metrics.errors import InputError
from metrics.views import score as score_view

COLUMNS = ["measure_id", "period", "actual", "target", "score", "status"]
COMPOSITE_ROW = "_composite"
CLI_ACTOR = access.LOCAL_ADMIN  # the CLI reads as staff (non-public goals included; drafts on request)


def _clean(v: object) -> object:
    if isinstance(v, float) and math.isnan(v):
        return None
    return v.item() if hasattr(v, "item") else v


def score(as_of_label: str | None = None, url: str | None = None, actor: access.Actor = CLI_ACTOR,
          include_drafts: bool = False) -> dict:
    """The scorecard as plain data: {'as_of', 'composite', 'stale_excluded', ..., 'measures': [...]}.

    Published measures only unless `include_drafts` (drafts never move the composite until published).

    Computed by the score view (metrics.views.score), the same computation as the Overview's
    headline, so the CLI's composite and the page's can't differ for the same day.
    """
    try:
        v = score_view.build(url, actor, as_of=as_of_label, include_drafts=include_drafts)
    except periods.PeriodError as exc:
        raise InputError(f"--as-of must be a canonical period label (2018-03, 2018-Q1, 2018, FY2019, "
                         f"2018-03-31): {cli.one_line(exc, 120)}") from None
    comp = v.composite
    rows = [{c: _clean(r[c]) for c in COLUMNS} for r in v.status[COLUMNS].to_dict("records")]
    return {"as_of": v.as_of, "as_of_date": v.as_of_date.isoformat(), "composite": _clean(comp.score),
            "n_scored": comp.n_scored, "stale_excluded": comp.stale_excluded,
            "no_target_excluded": comp.no_target_excluded, "no_data_excluded": comp.no_data_excluded,
            "include_drafts": v.include_drafts, "drafts_left_out": v.drafts_left_out, "measures": rows}


def cmd_score(args: argparse.Namespace) -> int:
    result = score(args.as_of, include_drafts=args.include_drafts)
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
                    "as of the end of --as-of (default today), plus the city composite. Published measures only "
                    "unless --include-drafts. CSV ends with a "
                    f"'{COMPOSITE_ROW}' row holding the composite; JSON is "
                    '{"composite": ..., "stale_excluded": ..., "measures": [...]}.')
    s.add_argument("--as-of", dest="as_of", metavar="PERIOD",
                   help="canonical period label (2018-03, 2018-Q1, 2018, FY2019, 2018-03-31); its end date is used")
    s.add_argument("--include-drafts", dest="include_drafts", action="store_true",
                   help="count draft measures too (default: published only, as the Overview shows)")
    s.add_argument("--format", choices=["json", "csv"], default="csv")
    s.set_defaults(func=cmd_score)
