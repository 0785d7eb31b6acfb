"""`python -m metrics users …` and `python -m metrics share …`."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from metrics import access, cli
from metrics.store import db
from metrics.views.base import load_settings


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    try:
        first = getpass.getpass("Password: ")
        again = getpass.getpass("Repeat: ")
    except EOFError:  # no terminal and stdin closed
        raise access.AccessError("no password given: type it at the prompt or pipe it with --password-stdin") from None
    if first != again:
        raise access.AccessError("the passwords differ")
    return first


def cmd_users_add(args: argparse.Namespace) -> int:
    with db.writer() as conn:
        access.add_user(conn, args.name, args.role, _password(args), actor=cli.actor())
    print(f"added {args.role} '{args.name}'")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    with db.reader() as conn:
        for u in access.list_users(conn):
            print(f"{u['name']:<24} {u['role']:<8} {'disabled' if u['disabled'] else ''}")
    return 0


def cmd_share_create(args: argparse.Namespace) -> int:
    with db.writer() as conn:
        token = access.create_share(conn, args.scope, access.parse_expiry(args.expires), actor=cli.actor())
        base = args.base_url or load_settings(conn).public_base_url or os.environ.get("METRICS_PUBLIC_URL", "")
    if not base:
        print("note: no public address is set, so only the path is printed; set the city's public_base_url "
              "(Share links page) or pass --base-url", file=sys.stderr)
    print(access.share_url(base, token))
    return 0


def cmd_share_list(args: argparse.Namespace) -> int:
    with db.reader() as conn:
        for s in access.list_shares(conn):
            state = "revoked" if s["revoked_at"] else f"expires {s['expires_at']}" if s["expires_at"] else "no expiry"
            print(f"{s['id']:>4}  {s['scope']:<32} {state}  created {s['created_at']} by {s['created_by']}")
    return 0


def cmd_share_revoke(args: argparse.Namespace) -> int:
    with db.writer() as conn:
        done = access.revoke_share(conn, args.id, actor=cli.actor())
    if not done:
        print(f"error: share {args.id} was not active (no such link, or already revoked)", file=sys.stderr)
        return 1
    print(f"revoked share {args.id}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    users = sub.add_parser("users", help="staff accounts: users add NAME --role admin|editor|viewer, users list",
                           description="Manage staff accounts. Passwords are argon2-hashed; there is no default.")
    us = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    a = us.add_parser("add", help="add a user (password from a prompt or --password-stdin)")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=access.ROLES)
    a.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    a.set_defaults(func=cmd_users_add)
    us.add_parser("list", help="list users").set_defaults(func=cmd_users_list)

    share = sub.add_parser("share", help="public read-only links: share create --scope portal|goal:ID, list, revoke",
                           description="Public read-only links. Tokens are shown once and stored hashed.")
    ss = share.add_subparsers(dest="share_command", required=True, metavar="ACTION")
    c = ss.add_parser("create", help="create a link and print its URL")
    c.add_argument("--scope", default="portal", help="portal (every published measure) or goal:ID")
    c.add_argument("--expires", default="30d", help="12h, 30d, 2w or never (default %(default)s)")
    c.add_argument("--base-url", help="public address of the dashboard (default: the city's public_base_url setting)")
    c.set_defaults(func=cmd_share_create)
    ss.add_parser("list", help="list links").set_defaults(func=cmd_share_list)
    r = ss.add_parser("revoke", help="revoke a link by id")
    r.add_argument("id", type=cli.positive_int)
    r.set_defaults(func=cmd_share_revoke)
