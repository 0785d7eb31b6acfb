"""`python -m metrics measures|goals|targets|links|narrative|annotate`: the catalog from scripts.

Reads see what staff see (the same views as the editor pages); every write is a metrics.catalog
call made as cli.actor() (`cli:<login>`, or `NAME (cli:<login>)` with --user), audited like an
edit in the app. A refused change prints one line per problem, writes nothing and exits 1.
"""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from metrics import access, catalog, cli
from metrics.domain import text
from metrics.domain.vocabulary import DIRECTIONS, FREQUENCIES, MEASURE_KINDS
from metrics.views import catalog as catalog_view

READER = access.LOCAL_ADMIN  # staff reads: drafts, retired measures and private goals included


def _plain(v: object) -> object:
    if v is None or (not isinstance(v, str | bool) and pd.isna(v)):
        return None
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v.item() if hasattr(v, "item") else v


def _emit(rows: pd.DataFrame, fmt: str, widths: dict[str, int]) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps([{k: _plain(v) for k, v in r.items()} for r in rows.to_dict("records")]) + "\n")
    elif fmt == "csv":
        sys.stdout.write(text.to_csv(rows))
    else:
        lines = ["  ".join(f"{text.shown(r[c]):<{w}}" for c, w in widths.items()).rstrip()
                 for r in rows.to_dict("records")]
        sys.stdout.write("".join(f"{line}\n" for line in lines))


def _refused(exc: catalog.CatalogError) -> int:
    """Every problem, in one line: `error: A; B (nothing was written)` (as `criteria set` does)."""
    problems = "; ".join(cli.one_line(m, 300) for m in exc.errors)
    print(f"error: {problems} (nothing was written)", file=sys.stderr)
    return 1


def _changes(changed: dict) -> str:
    return "; ".join(f"{k}: {text.shown(a)} → {text.shown(b)}" for k, (a, b) in changed.items()) or "no change"


# --- measures ---------------------------------------------------------------------------------------

def cmd_measures_list(args: argparse.Namespace) -> int:
    rows = catalog_view.measure_list(None, READER).rows
    _emit(rows, args.format, {"id": 34, "state": 9, "kind": 10, "frequency": 11, "goal_id": 22, "name": 0})
    return 0


def _measure_fields(args: argparse.Namespace) -> dict:
    fields = {k: getattr(args, k) for k in ("name", "kind", "unit", "direction", "frequency", "department", "owner",
                                            "data_source", "methodology") if getattr(args, k, None) is not None}
    if args.goal is not None:
        fields["goal_id"] = args.goal or None
    if args.public is not None:
        fields["is_public"] = args.public
    for bound in ("plausible_min", "plausible_max"):
        if getattr(args, bound, None) is not None:
            fields[bound] = getattr(args, bound) or None
    return fields


def cmd_measures_set(args: argparse.Namespace) -> int:
    fields = _measure_fields(args)
    if not fields:
        print("error: nothing to change; give at least one of --name, --goal, --direction, … (see --help)",
              file=sys.stderr)
        return 1
    try:
        changed = catalog.edit_measure(None, args.id, fields, actor=cli.actor(args.user))
    except catalog.CatalogError as exc:
        return _refused(exc)
    print(f"{args.id}: {_changes(changed)}")
    return 0


def cmd_measures_add(args: argparse.Namespace) -> int:
    try:
        catalog.add_measure(None, args.id, _measure_fields(args), actor=cli.actor(args.user))
    except catalog.CatalogError as exc:
        return _refused(exc)
    print(f"added draft measure {args.id}")
    return 0


_STATE_CMDS = {"publish": (catalog.publish_measures, "published"), "unpublish": (catalog.unpublish_measures, "unpublished"),
               "retire": (catalog.retire_measures, "retired"), "restore": (catalog.restore_measures, "restored"),
               "delete": (catalog.delete_measures, "deleted")}


def cmd_measures_state(args: argparse.Namespace) -> int:
    fn, done = _STATE_CMDS[args.measures_command]
    try:
        changed = fn(None, args.ids, actor=cli.actor(args.user))
    except catalog.CatalogError as exc:
        return _refused(exc)
    same = [i for i in args.ids if i not in changed]
    if changed:
        print(f"{done}: {', '.join(changed)}")
    if same:
        print(f"already {done}: {', '.join(same)}")
    return 0


# --- goals ------------------------------------------------------------------------------------------

def cmd_goals_list(args: argparse.Namespace) -> int:
    g = catalog_view.goals_editor(None, READER).goals
    rows = g[["id", "priority_id", "name", "owner", "target_date", "is_public", "sort", "n_measures"]].rename(
        columns={"is_public": "public", "n_measures": "measures"})
    _emit(rows, args.format, {"id": 26, "priority_id": 12, "public": 6, "measures": 4, "name": 0})
    return 0


def _goal_fields(args: argparse.Namespace) -> dict:
    out = {k: getattr(args, k) for k in ("name", "statement", "narrative", "owner", "target_date")
           if getattr(args, k, None) is not None}
    if args.priority is not None:
        out["priority_id"] = args.priority
    return out


def cmd_goals_add(args: argparse.Namespace) -> int:
    f = _goal_fields(args)
    try:
        catalog.add_goal(None, args.id, args.priority, args.name, statement=f.get("statement"), owner=f.get("owner"),
                         target_date=f.get("target_date"), public=bool(args.public), actor=cli.actor(args.user))
    except catalog.CatalogError as exc:
        return _refused(exc)
    print(f"added goal {args.id}" + (" (public)" if args.public else " (not public)"))
    return 0


def cmd_goals_set(args: argparse.Namespace) -> int:
    fields = _goal_fields(args)
    if not fields and args.public is None:
        print("error: nothing to change; give --name, --priority, --statement, --narrative, --owner, --target-date, "
              "--public or --private", file=sys.stderr)
        return 1
    who = cli.actor(args.user)
    try:
        changed = catalog.edit_goal(None, args.id, fields, actor=who) if fields else {}
        if args.public is not None and catalog.set_goal_public(None, args.id, args.public, actor=who):
            changed["is_public"] = [not args.public, args.public]
    except catalog.CatalogError as exc:
        return _refused(exc)
    print(f"{args.id}: {_changes(changed)}")
    return 0


# --- targets, links, narratives, annotations ------------------------------------------------------------

def cmd_targets_set(args: argparse.Namespace) -> int:
    try:
        out = catalog.set_target(None, args.measure, args.from_period, args.value, tolerance=args.tolerance,
                                 reason=args.reason, actor=cli.actor(args.user))
    except catalog.CatalogError as exc:
        return _refused(exc)
    print(f"{args.measure}: target from {args.from_period}: {_changes(out['changed'])}")
    if out["closed"]:
        print(f"the target(s) from {', '.join(out['closed'])} now end the day before")
    if out["later"]:
        print(f"note: later target(s) from {', '.join(out['later'])} still apply from their dates")
    return 0


def cmd_targets_list(args: argparse.Namespace) -> int:
    v = catalog_view.targets_editor(None, READER, measure_id=args.measure)
    if v.measure is None or v.measure["id"] != args.measure:
        print(f"error: there is no measure {cli.quoted(args.measure)}", file=sys.stderr)
        return 1
    rows = v.targets[["effective_from", "effective_to", "value", "tolerance", "set_by", "set_at", "reason"]]
    _emit(rows, args.format, {"effective_from": 11, "effective_to": 11, "value": 12, "tolerance": 9, "set_by": 20,
                              "reason": 0})
    return 0


def cmd_links_add(args: argparse.Namespace) -> int:
    try:
        out = catalog.add_link(None, args.output, args.outcome, args.lag, args.note, actor=cli.actor(args.user))
    except catalog.CatalogError as exc:
        return _refused(exc)
    print(f"linked {args.output} → {args.outcome} (lag {args.lag})" if out["created"]
          else f"{args.output} → {args.outcome}: {_changes(out['changed'])}")
    return 0


def cmd_links_remove(args: argparse.Namespace) -> int:
    try:
        done = catalog.remove_link(None, args.output, args.outcome, actor=cli.actor(args.user))
    except catalog.CatalogError as exc:
        return _refused(exc)
    if not done:
        print(f"error: there is no link {cli.quoted(args.output)} → {cli.quoted(args.outcome)}", file=sys.stderr)
        return 1
    print(f"removed link {args.output} → {args.outcome}")
    return 0


def cmd_links_list(args: argparse.Namespace) -> int:
    rows = catalog_view.links_editor(None, READER).links
    _emit(rows[["output_measure_id", "outcome_measure_id", "lag_periods", "note"]], args.format,
          {"output_measure_id": 34, "outcome_measure_id": 34, "lag_periods": 3, "note": 0})
    return 0


def cmd_narrative_set(args: argparse.Namespace) -> int:
    try:
        out = catalog.set_narrative(None, args.measure, args.period, args.text, actor=cli.actor(args.user))
    except catalog.CatalogError as exc:
        return _refused(exc)
    print(f"{args.measure} {args.period}: " + ("narrative removed" if out["removed"]
                                               else "narrative saved" if out["changed"] else "no change"))
    for w in out["warnings"]:
        print(f"note: {w}")
    return 0


def cmd_annotate(args: argparse.Namespace) -> int:
    try:
        new_id = catalog.annotate_measure(None, args.measure, args.date, args.text, actor=cli.actor(args.user))
    except catalog.CatalogError as exc:
        return _refused(exc)
    print(f"annotation #{new_id} on {args.measure} at {args.date}")
    return 0


# --- the parser ---------------------------------------------------------------------------------------

def _bool(value: str) -> bool:
    v = value.strip().lower()
    if v in ("true", "yes", "1"):
        return True
    if v in ("false", "no", "0"):
        return False
    raise argparse.ArgumentTypeError("use true or false")


def _user(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", help="who the change is for; recorded beside the login name (cli:LOGIN)")


def _fmt(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=["text", "json", "csv"], default="text")


def _measure_options(p: argparse.ArgumentParser, new: bool) -> None:
    p.add_argument("--name", required=new)
    p.add_argument("--kind", choices=MEASURE_KINDS, required=new)
    p.add_argument("--frequency", choices=FREQUENCIES, required=new)
    p.add_argument("--goal", metavar="GOAL_ID", help="the goal it serves ('' unassigns)")
    p.add_argument("--direction", choices=DIRECTIONS, help="which way is better")
    p.add_argument("--unit")
    p.add_argument("--department")
    p.add_argument("--owner")
    p.add_argument("--data-source", dest="data_source")
    p.add_argument("--methodology")
    p.add_argument("--public", type=_bool, metavar="true|false", help="shown on public links once published")
    p.add_argument("--plausible-min", dest="plausible_min", type=float)
    p.add_argument("--plausible-max", dest="plausible_max", type=float)
    _user(p)


def register(sub: argparse._SubParsersAction) -> None:
    """Add `measures`, `goals`, `targets`, `links`, `narrative` and `annotate`."""
    m = sub.add_parser("measures", help="the measure catalog: list, set, publish, unpublish, retire, delete",
                       description="List measures (id,name,kind,unit,direction,frequency,department,owner,goal_id,"
                                   "state,public; state draft|published|retired) or change them. Publishing needs a "
                                   "goal; retired measures stay for history but leave scoring and public outputs; "
                                   "delete only works while nothing refers to the measure.")
    ms = m.add_subparsers(dest="measures_command", required=True, metavar="ACTION")
    p = ms.add_parser("list", help="every measure with its catalog fields")
    _fmt(p)
    p.set_defaults(func=cmd_measures_list)
    p = ms.add_parser("set", help="change a measure's metadata (goal, name, direction, …)",
                      description="Change any metadata field; only the options given change. Audited old → new.")
    p.add_argument("id")
    _measure_options(p, new=False)
    p.set_defaults(func=cmd_measures_set)
    p = ms.add_parser("add", help="create a draft measure", description="Create a measure as a draft.")
    p.add_argument("id", help="slug: lower-case letters, digits, hyphens")
    _measure_options(p, new=True)
    p.set_defaults(func=cmd_measures_add)
    for action, what in (("publish", "publish (each needs a goal); all or none"),
                         ("unpublish", "back to draft: out of scoring and public outputs"),
                         ("retire", "keep for history, hide from scoring and the public"),
                         ("restore", "undo a retirement (back to draft)"),
                         ("delete", "delete measures nothing refers to (else retire them); all or none")):
        p = ms.add_parser(action, help=what, description=what[0].upper() + what[1:] + ".")
        p.add_argument("ids", nargs="+", metavar="ID")
        _user(p)
        p.set_defaults(func=cmd_measures_state)

    g = sub.add_parser("goals", help="priorities' goals: list, add, set",
                       description="List goals or change them (statement, owner, target date, public).")
    gs = g.add_subparsers(dest="goals_command", required=True, metavar="ACTION")
    p = gs.add_parser("list", help="every goal in order")
    _fmt(p)
    p.set_defaults(func=cmd_goals_list)
    for action in ("add", "set"):
        p = gs.add_parser(action, help="create a goal" if action == "add" else "change a goal",
                          description="Create a goal under a priority (not public unless --public)." if action == "add"
                          else "Change a goal; only the options given change. Audited old → new.")
        p.add_argument("id")
        p.add_argument("--priority", metavar="PRIORITY_ID", required=action == "add")
        p.add_argument("--name", required=action == "add")
        p.add_argument("--statement")
        p.add_argument("--owner")
        p.add_argument("--target-date", dest="target_date", metavar="YYYY-MM-DD")
        if action == "set":
            p.add_argument("--narrative")
            vis = p.add_mutually_exclusive_group()
            vis.add_argument("--public", dest="public", action="store_const", const=True, help="publish the goal")
            vis.add_argument("--private", dest="public", action="store_const", const=False, help="unpublish it")
        else:
            p.add_argument("--public", action="store_true", help="publish the goal at once")
        _user(p)
        p.set_defaults(func=cmd_goals_add if action == "add" else cmd_goals_set, public=None)

    t = sub.add_parser("targets", help="targets: set MEASURE --from PERIOD --value V --reason TEXT, list",
                       description="Targets with history (who, when, why, old → new).")
    ts = t.add_subparsers(dest="targets_command", required=True, metavar="ACTION")
    p = ts.add_parser("set", help="set the target in force from a period on",
                      description="The period must be in the measure's frequency (2026-Q1 for a quarterly measure).")
    p.add_argument("measure")
    p.add_argument("--from", dest="from_period", required=True, metavar="PERIOD")
    p.add_argument("--value", required=True)
    p.add_argument("--tolerance", metavar="T", help="share of the target counted as at risk, e.g. 0.05 or 5%%")
    p.add_argument("--reason", required=True, metavar="TEXT", help="why (kept in the target history)")
    _user(p)
    p.set_defaults(func=cmd_targets_set)
    p = ts.add_parser("list", help="one measure's targets over time")
    p.add_argument("measure")
    _fmt(p)
    p.set_defaults(func=cmd_targets_list)

    ln = sub.add_parser("links", help="output → outcome links: add|remove OUTPUT OUTCOME [--lag N], list",
                        description="Link an output to the outcome it should move, with the expected lag in periods. "
                                    "A link that makes an outcome feed itself is refused.")
    ls = ln.add_subparsers(dest="links_command", required=True, metavar="ACTION")
    p = ls.add_parser("add", help="add a link (or change its lag)")
    p.add_argument("output")
    p.add_argument("outcome")
    p.add_argument("--lag", type=int, default=0, metavar="N", help="periods between output and outcome (default 0)")
    p.add_argument("--note")
    _user(p)
    p.set_defaults(func=cmd_links_add)
    p = ls.add_parser("remove", help="remove a link")
    p.add_argument("output")
    p.add_argument("outcome")
    _user(p)
    p.set_defaults(func=cmd_links_remove)
    p = ls.add_parser("list", help="every link")
    _fmt(p)
    p.set_defaults(func=cmd_links_list)

    n = sub.add_parser("narrative", help="narrative set MEASURE PERIOD --text TEXT (why it moved, what we do)",
                       description="Narratives are Markdown, rendered safely (raw HTML shown as text, only http(s) "
                                   "and mailto links).")
    ns = n.add_subparsers(dest="narrative_command", required=True, metavar="ACTION")
    p = ns.add_parser("set", help="write (or with --text '' remove) a measure's narrative for a period")
    p.add_argument("measure")
    p.add_argument("period", help="a period of the measure's frequency, e.g. 2026-Q1")
    p.add_argument("--text", required=True)
    _user(p)
    p.set_defaults(func=cmd_narrative_set)

    a = sub.add_parser("annotate", help="annotate MEASURE DATE --text TEXT: a marker on the measure's charts",
                       description="A dated note drawn as a marker on every chart of the measure.")
    a.add_argument("measure")
    a.add_argument("date", metavar="DATE", help="YYYY-MM-DD")
    a.add_argument("--text", required=True)
    _user(a)
    a.set_defaults(func=cmd_annotate)
