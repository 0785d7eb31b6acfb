"""CLI commands beyond the core ones, one module each; each exposes register(subparsers).

Every write the CLI makes passes `actor()`: an explicit admin actor named after the OS user
(`cli:<login>`), so the audit log, the uploads list and the criteria history say who ran the
command. It is an admin because whoever can run the CLI against the database can already
change anything in it; the actor makes that visible instead of skipping the check.
"""

from __future__ import annotations

import getpass

from metrics.access.policy import Actor


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
