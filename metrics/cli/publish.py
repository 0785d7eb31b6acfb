"""`python -m metrics publish --out DIR [--base-url URL]` (the static public site and open data) and
`python -m metrics report --period PERIOD --out FILE.pdf|FILE.xlsx [--goal ID]` (the council report)."""

from __future__ import annotations

import argparse

from metrics.errors import InputError


def _short(path: str) -> str:
    return path if len(path) <= 80 else f"{path[:77]}…"


def cmd_publish(args: argparse.Namespace) -> int:
    from metrics import cli
    from metrics.publish import hooks, site

    try:
        report = site.publish(args.out, base_url=args.base_url)
    except OSError as exc:  # the folder can't be made or written (name too long, read-only, no space)
        raise InputError(f"can't write the site to {_short(args.out)}: {exc.strerror or exc}") from None
    print(report.summary())
    if args.auto:
        print(f"rebuilt after every commit from now on: publish_dir = {hooks.set_publish_dir(None, report.out, actor=cli.actor())}")
    elif args.manual:
        hooks.set_publish_dir(None, None, actor=cli.actor())
        print("publish_dir cleared: the site is rebuilt only when this command runs")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from metrics.publish import report

    try:
        made = report.write_report(args.out, period=args.period, goal_id=args.goal)
    except OSError as exc:
        raise InputError(f"can't write the report to {_short(args.out)}: {exc.strerror or exc}") from None
    print(made.summary())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("publish", help="write the static public site, open data and data.json catalog",
                       description="Write what a public portal link may see as a static site (HTML pages with "
                                   "interactive charts, open data as CSV/JSON/Parquet, a DCAT-US data.json) into "
                                   "DIR, atomically. DIR must be new, empty, or a site this command wrote.")
    s.add_argument("--out", required=True, metavar="DIR", help="the site folder")
    s.add_argument("--base-url", metavar="URL",
                   help="the http(s) address the site is served from (absolute links in data.json); "
                        "default: the city's public_base_url setting, else relative links")
    auto = s.add_mutually_exclusive_group()
    auto.add_argument("--auto", action="store_true",
                      help="also rebuild this folder after every upload or rollback (saves the publish_dir setting)")
    auto.add_argument("--manual", action="store_true", help="stop rebuilding after commits (clears publish_dir)")
    s.set_defaults(func=cmd_publish)
    s = sub.add_parser("report", help="write the council report for a period as PDF or Excel",
                       description="Write the council report for PERIOD (staff view: published measures) as a PDF "
                                   "(cover, city score, priorities, goals, charts, narratives, WWC progress) or an "
                                   "Excel workbook (one sheet per goal plus the raw data), by the file's extension.")
    s.add_argument("--period", required=True, help="canonical period label: 2018-03, 2018-Q1, 2018, FY2019")
    s.add_argument("--out", required=True, metavar="FILE", help="report.pdf or report.xlsx")
    s.add_argument("--goal", metavar="ID", help="only this goal")
    s.set_defaults(func=cmd_report)
