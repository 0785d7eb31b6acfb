"""`python -m metrics criteria`: WWC criteria status, level reached, updates with history, new standards."""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from metrics import access, cli
from metrics.domain import certification, text
from metrics.domain.vocabulary import WWC_STATUS_LABELS
from metrics.store import db
from metrics.views import certification as cert_view
from metrics.wwc import store as wwc_store

LIST_COLUMNS = cert_view.LIST_COLUMNS
# Reads see what staff see (the same view as the Certification page); writes pass cli.actor().
READER = access.LOCAL_ADMIN


def _jsonable(value: object) -> object:
    if value is None or (not isinstance(value, str | bool) and pd.isna(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def cmd_list(args: argparse.Namespace) -> int:
    v = cert_view.build(None, READER)
    if v.empty:
        print("error: no WWC criteria loaded; run `python -m metrics init`", file=sys.stderr)
        return 1
    a, version = v.assessment, v.standard
    rows = v.criteria[LIST_COLUMNS]
    if args.format == "json":
        out = {"standard": version, "level": a.level, "met": a.met, "total": a.total, "share": round(a.share, 4),
               "core_met": a.core_met, "core_missing": list(a.core_missing), "next_level": a.next_level,
               "needed_for_next": a.needed_for_next,
               "criteria": [{k: _jsonable(v) for k, v in r.items()} for r in rows.to_dict("records")]}
        sys.stdout.write(json.dumps(out) + "\n")
    elif args.format == "csv":
        sys.stdout.write(text.to_csv(rows))
    else:
        level = a.level or "Not certified"
        print(f"Standard {version}: {level} — {a.met} of {a.total} criteria met ({a.share:.0%}); "
              f"core {a.core_met} of {a.core_met + len(a.core_missing)}"
              + (f" (missing {', '.join(a.core_missing)})" if a.core_missing else ""))
        if a.next_level:
            print(f"{a.next_level} needs {a.needed_for_next} more")
        for r in rows.itertuples():
            due = f"  due {r.target_date}" if r.target_date is not None and not pd.isna(r.target_date) else ""
            owner = f"  [{r.owner}]" if isinstance(r.owner, str) and r.owner else ""
            label = WWC_STATUS_LABELS.get(r.status, r.status)
            print(f"{r.code:<7} {label:<12} {r.criterion}{owner}{due}")
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    if args.status is None and not args.evidence and not args.document and all(
            v is None for v in (args.note, args.owner, args.due)):
        print("error: nothing to change; give --status, --owner, --due, --note, --evidence or --document",
              file=sys.stderr)
        return 1
    evidence = list(args.evidence or []) + [{"kind": "document", "ref": d} for d in args.document or []]
    try:
        with db.writer() as conn:
            result = wwc_store.set_status(conn, args.code, status=args.status, owner=args.owner,
                                          target_date=args.due, notes=args.note, evidence=evidence,
                                          actor=cli.actor(args.user))
    except wwc_store.CertificationError as exc:
        return _refused(exc)
    changes = [f"{f}: {_shown(old)} → {_shown(new)}" for f, (old, new) in result["changed"].items()]
    if result["evidence"]:
        changes.append(f"{result['evidence']} evidence item(s) attached")
    print(f"{args.code}: " + ("; ".join(changes) if changes else "no change (marked reviewed)"))
    a = cert_view.build(None, READER).assessment
    print(f"level now: {a.level or 'Not certified'} ({a.met} of {a.total} met)"
          + (f"; {a.next_level} needs {a.needed_for_next} more" if a.next_level else ""))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    d = cert_view.detail(None, READER, criterion=args.code)
    if d.code is None:
        print(f"error: unknown criterion code {cli.quoted(args.code)}", file=sys.stderr)
        return 1
    hist = d.history
    if args.format == "csv":
        sys.stdout.write(text.to_csv(hist))
        return 0
    if hist.empty:
        print(f"{args.code}: no recorded changes")
        return 0
    for r in hist.itertuples():
        when = pd.Timestamp(r.changed_at).strftime("%Y-%m-%d %H:%M")
        print(f"{when}  {_shown(r.changed_by)}  [{r.standard_version}] {r.field}: "
              f"{_shown(r.old_value)} → {_shown(r.new_value)}")
    return 0


def _refused(exc: wwc_store.CertificationError) -> int:
    """Every problem, in one line: `error: A; B; C (nothing was written)`."""
    problems = "; ".join(cli.one_line(m, 300) for m in exc.errors)
    print(f"error: {problems} (nothing was written)", file=sys.stderr)
    return 1


def _shown(value: object) -> str:
    return "—" if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "" else str(value)


def cmd_load_standard(args: argparse.Namespace) -> int:
    try:
        with db.writer() as conn:
            result = wwc_store.load_standard(conn, args.csv, args.version, args.name, actor=cli.actor(args.user))
    except wwc_store.CertificationError as exc:
        return _refused(exc)
    print(f"loaded standard {result['version']}: {result['criteria']} criteria, "
          f"{result['carried_over']} carried over from {result['previous'] or '—'}, {result['new']} new; "
          "it is now the current standard")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add `criteria` (list), `criteria set`, `criteria history` and `criteria load-standard`."""
    p = sub.add_parser("criteria", help="WWC certification criteria: status, level reached, updates",
                       description="List the What Works Cities criteria with the city's status and the level "
                                   "reached, or change one criterion (with history).")
    p.add_argument("--format", choices=["text", "json", "csv"], default="text")
    p.set_defaults(func=cmd_list)
    cmds = p.add_subparsers(dest="criteria_command", metavar="SUBCOMMAND")

    s = cmds.add_parser("set", help="change a criterion's status, owner, due date or notes; attach evidence",
                        description="Validate everything first: on any problem print one line per problem, "
                                    "write nothing and exit 1.")
    s.add_argument("code", help="criterion code, e.g. PA-01")
    s.add_argument("--status", choices=None, metavar="|".join(certification.STATUSES),
                   help="new status (checked against the allowed set)")
    s.add_argument("--evidence", action="append", metavar="URL|measure:ID|goal:ID",
                   help="an http(s) link or a reference to the city's own data; repeatable")
    s.add_argument("--document", action="append", metavar="NAME", help="a named document as evidence; repeatable")
    s.add_argument("--note", help="notes on the criterion (replaces the current notes; '' clears)")
    s.add_argument("--owner", help="who owns the work ('' clears)")
    s.add_argument("--due", metavar="YYYY-MM-DD", help="target date ('' clears)")
    s.add_argument("--user", help="who the change is for; recorded beside the login name (cli:LOGIN)")
    s.set_defaults(func=cmd_set)

    h = cmds.add_parser("history", help="every recorded change to one criterion",
                        description="Who changed what and when, newest first, across standards.")
    h.add_argument("code")
    h.add_argument("--format", choices=["text", "csv"], default="text")
    h.set_defaults(func=cmd_history)

    ls = cmds.add_parser("load-standard", help="load a newer WWC standard from CSV and make it current",
                         description="Old standards stay; status and evidence carry over for codes in both.")
    ls.add_argument("csv", help="criteria file: practice,code,criterion,description[,confirmed]")
    ls.add_argument("--version", required=True, help="standard version label, e.g. 2026")
    ls.add_argument("--name", help="display name of the standard")
    ls.add_argument("--user", help="who the standard is loaded for; recorded beside the login name (cli:LOGIN)")
    ls.set_defaults(func=cmd_load_standard)
