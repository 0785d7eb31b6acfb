"""CLI commands beyond the core ones, one module each; each exposes register(subparsers).

Every write the CLI makes passes `actor()`: an explicit admin actor named after the OS user
(`cli:<login>`), so the audit log, the uploads list and the criteria history say who ran the
command. It is an admin because whoever can run the CLI against the database can already
change anything in it; the actor makes that visible instead of skipping the check.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import NoReturn

from metrics.access.policy import Actor

#: Characters of a person's input repeated in a message (a 200,000-character argument is not echoed).
SHOWN = 80


def quoted(value: object, limit: int = SHOWN) -> str:
    """`value` in quotes for a one-line message: control characters escaped, long text cut."""
    text = str(value).encode("unicode_escape").decode("ascii") if not str(value).isprintable() else str(value)
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text):,} characters)"


def one_line(message: object, limit: int = 500) -> str:
    """A message as one line of bounded length (argparse and exceptions may span lines)."""
    text = " ".join(str(message).split())
    return text if len(text) <= limit else text[:limit] + "…"


def positive_int(text: str) -> int:
    """argparse type for ids and counts: 1 .. 2**63 - 1 (a database integer), else a usage error."""
    if not text.strip().isdigit() or not 0 < int(text) < 2**63:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {2**63 - 1:,}, got {quoted(text)}")
    return int(text)


class Parser(argparse.ArgumentParser):
    """argparse with usage errors as one line (`error: … (see … --help)`) and exit 2, instead of
    the usage block; subcommand parsers inherit the class."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {self.prog}: {one_line(message, 300)} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def os_user() -> str:
    """The login name, or "unknown" where there is none (some containers)."""
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # noqa: BLE001 - getpass raises KeyError/OSError without a passwd entry
        return "unknown"


def actor(on_behalf_of: str | None = None) -> Actor:
    """The CLI's actor: `cli:<login>`, admin. `on_behalf_of` (the commands' --user option) is
    recorded beside the login name, never instead of it: `ana (cli:root)`."""
    login = f"cli:{os_user()}"
    name = on_behalf_of.strip() if on_behalf_of else ""
    return Actor("cli", f"{name} ({login})" if name and name != login else login, "admin")
