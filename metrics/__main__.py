"""Command line: python -m metrics COMMAND. Every failure is one line and a non-zero exit."""

from __future__ import annotations

import argparse
import os
import sys

from metrics import access, cli
from metrics.cli import access as cli_access
from metrics.cli import catalog as cli_catalog
from metrics.cli import criteria as cli_criteria
from metrics.cli import ingest as cli_ingest
from metrics.cli import publish as cli_publish
from metrics.cli import score as cli_score
from metrics.demo import city as demo
from metrics.errors import MetricsError
from metrics.store import db, meta
from metrics.views import exports as export
from metrics.wwc import store as wwc_store

#: Exit code of a failure that is a bug (EX_SOFTWARE); tests/test_cli_hostile.py fails if hostile input reaches it.
INTERNAL_ERROR = 70

# `init` and `demo` are the bootstrap: they run before any account can exist (the migration
# creates the users table) and only from this CLI (make run, test fixtures), never from the app,
# so meta.migrate, wwc_store.load_criteria and demo.seed_demo take no actor. What they changed
# is still recorded in the audit log under the CLI actor (cli:<login>).

def cmd_init(args: argparse.Namespace) -> int:
    with db.writer(create=True) as conn:
        applied = meta.migrate(conn)
        loaded = wwc_store.load_criteria(conn)
        version = meta.schema_version(conn)
        if applied or loaded:
            meta.audit(conn, cli.actor().name, "init", "schema", str(version),
                       {"applied": applied, "wwc_criteria_loaded": loaded})
    print(f"schema at version {version}" + (f" (applied {', '.join(map(str, applied))})" if applied else " (up to date)")
          + (f"; loaded {loaded} WWC criteria" if loaded else ""))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    with db.writer() as conn:
        meta.migrate(conn)
        wwc_store.load_criteria(conn)
        if demo.has_measures(conn):
            print("the database already has measures; demo data is only loaded into an empty city")
            return 0
        counts = demo.seed_demo(conn, scale=args.scale, seed=args.seed)
        meta.audit(conn, cli.actor().name, "demo", "city", None, {"scale": args.scale, "seed": args.seed})
    print("loaded demo city: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """The exports view as the reader may see it: --public reads as the public portal (no draft, no
    non-public goal, suppressed breakdown cells empty in CSV / null in JSON); otherwise as staff (raw)."""
    rows = export.canonical_rows(None, access.PUBLIC_PORTAL if args.public else access.LOCAL_ADMIN, args.measure)
    if args.measure and rows.empty:
        print(f"no observations for measure {cli.quoted(args.measure)}", file=sys.stderr)
        return 1
    sys.stdout.write(export.to_json(rows) + "\n" if args.format == "json" else export.to_csv(rows))
    return 0


def _seed(text: str) -> int:
    """A random seed numpy accepts (0 .. 2**32 - 1), checked before anything runs."""
    if not text.isdigit() or int(text) >= 2**32:
        raise argparse.ArgumentTypeError(f"the seed is a whole number from 0 to {2**32 - 1:,}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    p = cli.Parser(
        prog="python -m metrics",
        description="City performance dashboard: manage the KPI store. The database is METRICS_DB_URL "
                    f"(default {db.DEFAULT_URL}; PostgreSQL: postgresql+psycopg://user@host/db).")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    s = sub.add_parser("init", help="create the schema or upgrade it in place, and load the WWC criteria",
                       description="Create or upgrade the schema (idempotent) and load the WWC criteria.")
    s.set_defaults(func=cmd_init)
    s = sub.add_parser("demo", help="fill an empty database with the deterministic demo city",
                       description="Load the demo city (same seed, same data) into a database with no measures.")
    s.add_argument("--scale", action="store_true",
                   help="a large synthetic city for benchmarks: 1,000 measures x 15 years monthly x 10 districts")
    s.add_argument("--seed", type=_seed, default=demo.DEMO_SEED, help="random seed (default %(default)s)")
    s.set_defaults(func=cmd_demo)
    s = sub.add_parser("export", help="write canonical long rows measure_id,period,dimension,member,value",
                       description="Write observations as canonical long rows to stdout (staff view: drafts included).")
    s.add_argument("--measure", help="only this measure id")
    s.add_argument("--format", choices=["csv", "json"], default="csv")
    s.add_argument("--public", action="store_true",
                   help="what the public portal sees: published measures of public goals, small counts suppressed "
                        "(empty value)")
    s.set_defaults(func=cmd_export)
    for module in (cli_ingest, cli_score, cli_criteria, cli_access, cli_catalog, cli_publish):
        module.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except access.Forbidden as exc:
        print(f"forbidden: {cli.one_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except MetricsError as exc:  # the one family: one sentence, an exit code per kind of failure
        print(f"error: {cli.one_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("error: interrupted; a change that was running was rolled back", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `... | head`: the reader left; nothing to say
        return 141
    except Exception as exc:  # noqa: BLE001 - last resort: a bug still ends in one line, never a traceback
        if os.environ.get("METRICS_DEBUG"):
            raise
        print(f"error: internal error ({type(exc).__name__}): {cli.one_line(exc, 300)}; this is a bug — "
              "rerun with METRICS_DEBUG=1 for the details and report it", file=sys.stderr)
        return INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
