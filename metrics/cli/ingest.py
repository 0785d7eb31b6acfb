"""`python -m metrics ingest|uploads|rollback|template`: load CSV/JSON extracts, list and undo uploads."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from metrics import access, cli
from metrics.ingest import Mapping, template_csv
from metrics.ingest.commit import ingest
from metrics.ingest.rollback import RollbackRefused, rollback
from metrics.views import uploads as uploads_view


def _actor(args: argparse.Namespace) -> access.Actor:
    """The CLI actor (cli:<login>, admin), with --user recorded beside the login name."""
    return cli.actor(args.user)


def cmd_ingest(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        is_file = path.is_file()
    except OSError as exc:  # e.g. a name too long for the file system
        is_file = False
        why = exc.strerror
    else:
        why = "no such file"
    if not is_file:
        print(f"error: {why}: {cli.quoted(args.file)}", file=sys.stderr)
        return 2
    mapping = None
    if args.mapping:
        try:
            mapping = Mapping.from_json(Path(args.mapping).read_text())
        except (OSError, ValueError, TypeError, RecursionError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else cli.one_line(exc, 200)
            print(f"error: cannot read the mapping {cli.quoted(args.mapping)}: {why}", file=sys.stderr)
            return 2
    options = {}
    if args.as_actual:
        options["actual_kinds"] = [k.strip() for k in args.as_actual.split(",") if k.strip()]
    if args.max_bytes:
        options["max_bytes"] = args.max_bytes
    try:
        out = ingest(path, mapping=mapping, options=options, create_measures=args.create_measures,
                     dry_run=args.dry_run, actor=_actor(args))
    except OSError as exc:  # unreadable (permissions, a device): the file, not the database
        print(f"error: cannot read {cli.quoted(args.file)}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(out.to_dict(), default=str, indent=2))
    else:
        print(out.to_summary())
    return 0 if out.ok else 1


def cmd_uploads(args: argparse.Namespace) -> int:
    rows = uploads_view.history(None, access.LOCAL_ADMIN, limit=args.limit).rows
    if args.format == "json":
        sys.stdout.write(rows.to_json(orient="records", date_format="iso") + "\n")
        return 0
    if rows.empty:
        print("no uploads yet")
        return 0
    cols = ["id", "uploaded_at", "uploaded_by", "file_name", "status", "rows_accepted", "rows_new", "rows_changed"]
    print(rows[cols].to_string(index=False))
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    try:
        print(rollback(args.upload_id, actor=_actor(args)))
    except RollbackRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    sys.stdout.write(template_csv())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("ingest", help="load a CSV/JSON extract or a measure registry (prints accepted/rejected)",
                       description="Read, validate, preview and load one file in one transaction. A file with any "
                                   "error is rejected and changes nothing (exit 1).")
    s.add_argument("file", help="CSV (long, wide, CityScore) or JSON extract, or a measure-registry CSV")
    s.add_argument("--mapping", help="JSON column mapping; default: the one remembered for this header, else detected")
    s.add_argument("--dry-run", action="store_true", help="preview only: new / changed / unchanged, nothing written")
    s.add_argument("--create-measures", action="store_true",
                   help="create unknown measures as drafts (id = the given id or slug of the name)")
    s.add_argument("--as-actual", metavar="KINDS",
                   help="also load these value kinds as observations, e.g. budget,estimate (default: actual only)")
    s.add_argument("--format", choices=["text", "json"], default="text")
    s.add_argument("--user", help="who the upload is for; recorded beside the login name (cli:LOGIN)")
    s.add_argument("--max-bytes", type=int, help=argparse.SUPPRESS)
    s.set_defaults(func=cmd_ingest)
    s = sub.add_parser("uploads", help="list the upload history", description="List uploads, newest first.")
    s.add_argument("--limit", type=cli.positive_int, default=50)
    s.add_argument("--format", choices=["text", "json"], default="text")
    s.set_defaults(func=cmd_uploads)
    s = sub.add_parser("rollback", help="undo an upload: values go back to what they were",
                       description="Roll back one upload in one transaction; refused if a later upload changed "
                                   "the same values.")
    s.add_argument("upload_id", type=cli.positive_int)
    s.add_argument("--user", help="who the rollback is for; recorded beside the login name (cli:LOGIN)")
    s.set_defaults(func=cmd_rollback)
    s = sub.add_parser("template", help="print the canonical long CSV template",
                       description="Print the header and two example rows of the canonical long layout.")
    s.set_defaults(func=cmd_template)
