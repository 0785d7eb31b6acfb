"""Rebuild the static public site after a commit, when the city's `publish_dir` setting is set.

`after_commit` decorates a write function (ingest, rollback, catalog changes): when the call
committed something, a detached `python -m metrics publish --out <publish_dir>` is started for
the same database and the caller returns at once; the upload is never slowed down or failed
by the site. Rebuilds queue behind one another (site.publish takes a lock on the folder), so
the last one always shows the latest data, and each swaps its folder in atomically. Output and
errors go to a log file beside the site.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from metrics import access
from metrics.store import db, meta

log = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[2]


def log_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.publish.log")


def rebuild(url: str | None) -> subprocess.Popen | None:
    """Start the site rebuild for `url` if publish_dir is set; None when it is not (or can't start)."""
    from metrics.views import base

    try:
        folder = base.status(url).settings.publish_dir
        if not folder:
            return None
        out = Path(folder)
        env = dict(os.environ)
        if url:
            env["METRICS_DB_URL"] = str(url)
        out.parent.mkdir(parents=True, exist_ok=True)
        with log_path(out).open("a") as sink:
            return subprocess.Popen([sys.executable, "-m", "metrics", "publish", "--out", str(out)], cwd=REPO,
                                    env=env, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
    except Exception:  # noqa: BLE001 - the commit succeeded; a site that can't rebuild must not undo or fail it
        log.exception("could not start the public site rebuild")
        return None


def _committed(result: Any) -> bool:
    status = getattr(result, "status", None)
    return status == "committed" if status is not None else bool(result)


def after_commit(fn: Callable) -> Callable:
    """Decorator: after `fn` commits (an Outcome with status 'committed', or any other truthy
    result), rebuild the public site for the database `fn` wrote to (its `url` argument)."""
    sig = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = fn(*args, **kwargs)
        if _committed(result):
            bound = sig.bind_partial(*args, **kwargs)
            rebuild(bound.arguments.get("url"))
        return result

    return wrapper


def set_publish_dir(url: str | None, folder: str | Path | None, *, actor) -> str:
    """Save (or with None clear) the folder the site is rebuilt into after each commit."""
    access.ensure_allowed(actor, "publish-site")

    value = str(Path(folder).absolute()) if folder else ""
    with db.writer(url) as conn:
        meta.set_meta(conn, "publish_dir", value)
        meta.audit(conn, actor.name, "set-publish-dir", "setting", "publish_dir", {"value": value})
    return value
