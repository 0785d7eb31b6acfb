"""Reminder e-mails to measure owners: one message per owner listing what is due or overdue.

SMTP is configured by environment (METRICS_SMTP_HOST, METRICS_SMTP_PORT default 25, METRICS_SMTP_FROM,
optional METRICS_SMTP_USER/METRICS_SMTP_PASSWORD with STARTTLS). An owner is e-mailed when the owner
field is an address, or when `addresses` maps the owner's name to one; the others are reported as
"no address". Sending is recorded in the audit log (how many, to whom).
"""

from __future__ import annotations

import os
import re
import smtplib
from email.message import EmailMessage

import pandas as pd

from metrics import access
from metrics.catalog._common import CatalogError
from metrics.store import db, meta

ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def smtp_settings() -> dict | None:
    """The SMTP server from the environment, or None when reminders can't be e-mailed."""
    host = os.environ.get("METRICS_SMTP_HOST", "").strip()
    if not host:
        return None
    try:
        port = int(os.environ.get("METRICS_SMTP_PORT", "25"))
    except ValueError as exc:
        raise CatalogError("METRICS_SMTP_PORT is not a port number.") from exc
    return {"host": host, "port": port, "sender": os.environ.get("METRICS_SMTP_FROM", "performance@localhost"),
            "user": os.environ.get("METRICS_SMTP_USER"), "password": os.environ.get("METRICS_SMTP_PASSWORD")}


def message_for(owner: str, rows: pd.DataFrame, city: str) -> str:
    lines = [f"Hello {owner},", "", f"These {city} measures are waiting for their latest figure:", ""]
    for r in rows.itertuples():
        lines.append(f"- {r.name} ({r.measure_id}): {r.next_period}, {r.status.replace('_', ' ')}, due {r.due}")
    lines += ["", "Enter each value and a line on why it moved on the My measures page.", ""]
    return "\n".join(lines)


def send_reminders(url: str | None, reminders: pd.DataFrame, *, actor: access.Actor,
                   addresses: dict[str, str] | None = None, smtp: dict | None = None) -> dict:
    """E-mail each owner their due/overdue list; returns {"sent": [addresses], "no_address": [owners]}."""
    access.ensure_allowed(actor, "send-reminders")
    cfg = smtp or smtp_settings()
    if cfg is None:
        raise CatalogError("E-mail is not configured: set METRICS_SMTP_HOST (and METRICS_SMTP_FROM).")
    sent, missing = [], []
    with db.reader(url) as conn:
        city = meta.get_meta(conn, "city_name", "the city") or "the city"
    try:
        with smtplib.SMTP(cfg["host"], cfg["port"], timeout=20) as server:
            if cfg.get("user"):
                server.starttls()
                server.login(cfg["user"], cfg.get("password") or "")
            for owner, rows in reminders.groupby("owner", sort=True):
                to = owner if ADDRESS.match(str(owner)) else (addresses or {}).get(str(owner))
                if not to:
                    missing.append(str(owner))
                    continue
                msg = EmailMessage()
                msg["From"], msg["To"] = cfg["sender"], to
                msg["Subject"] = f"{len(rows)} measure(s) waiting for data"
                msg.set_content(message_for(str(owner), rows, city))
                server.send_message(msg)
                sent.append(to)
    except (OSError, smtplib.SMTPException) as exc:
        raise CatalogError(f"The mail server {cfg['host']}:{cfg['port']} refused or did not answer: "
                           f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}. "
                           f"{len(sent)} reminder(s) were sent before it stopped.") from exc
    with db.writer(url) as conn:
        meta.audit(conn, actor.name, "reminders-send", "owner", None, {"sent": sent, "no_address": missing})
    return {"sent": sent, "no_address": missing}
