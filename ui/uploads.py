"""The Upload page's dry run, done once per (file, mapping, options, data version).

Streamlit reruns the whole page on every widget interaction. The dry run (read, validate,
stage and diff a file that may hold a million rows) is the expensive part, so its Outcome is
kept in the session, keyed by the file's sha256, the mapping, the options, the database and
its data version: toggling a checkbox back, opening the mapping expander or paging the
history reuses it, while a commit by anyone (which bumps the data version) makes the next
rerun check again, so the preview never shows stale counts. The dry run's write transaction
(the staging tables) is rolled back before it returns, so nothing holds the database's writer
lock while a person looks at the preview.

Kept in session_state rather than st.cache_data: an Outcome is only useful to the session that
uploaded the file, and session_state hands back the same object without a pickle copy of the
preview frames on each rerun. At most `KEPT` outcomes are kept, all for the current file.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from typing import Any

import streamlit as st

from metrics import access
from metrics.domain import text
from metrics.ingest import Mapping
from metrics.ingest.commit import Outcome, ProgressCallback, ingest
from metrics.store import db
from metrics.views import base

#: Outcomes kept per session (the current file under a few mappings/options).
KEPT = 4
#: Files at least this large get a progress bar while they are checked.
PROGRESS_FROM_BYTES = 10 * 1024 * 1024
_RUNS = "_dry_runs"
_SHA = "_upload_sha"


class Progress:
    """on_progress for a dry run or a commit: a progress bar with the step's text, drawn (where the
    caller is, e.g. inside a status box) only for files of `PROGRESS_FROM_BYTES` or more and only
    once a step actually runs, so a kept outcome does not flash an empty bar."""

    def __init__(self, size: int) -> None:
        self.show, self.bar = size >= PROGRESS_FROM_BYTES, None

    def __call__(self, fraction: float, step: str) -> None:
        if not self.show:
            return
        if self.bar is None:
            self.bar = st.progress(0.0)
        self.bar.progress(min(max(fraction, 0.0), 1.0), text=text.md(step))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.empty()
            self.bar = None


def file_sha(raw: bytes) -> str:
    """sha256 of the uploaded bytes, computed once per uploaded object (not on every rerun)."""
    memo = st.session_state.get(_SHA)
    if memo is not None and memo[0] is raw:
        return memo[1]
    sha = hashlib.sha256(raw).hexdigest()
    st.session_state[_SHA] = (raw, sha)
    return sha


def _key(raw: bytes, name: str, mapping: Mapping | None, options: dict[str, Any], create: bool,
         url: str) -> tuple:
    version = base.status(url).version  # one small read; raises a MetricsError when the database fails
    return (file_sha(raw), name, mapping.to_json() if mapping else None, json.dumps(options, sort_keys=True,
            default=str), create, db.masked(url), version)


def dry_run(raw: bytes, name: str, mapping: Mapping | None, options: dict[str, Any], create: bool, *,
            actor: access.Actor, url: str, on_wait: db.WaitCallback | None = None,
            on_progress: ProgressCallback | None = None) -> Outcome:
    """The preview Outcome for this file and these choices: from the session when already
    computed for the same data version, else computed now (MetricsError propagates)."""
    key = _key(raw, name, mapping, options, create, url)
    runs: OrderedDict = st.session_state.setdefault(_RUNS, OrderedDict())
    if key in runs:
        runs.move_to_end(key)
        return runs[key]
    out = ingest(raw, url, file_name=name, mapping=mapping, options=options, create_measures=create,
                 dry_run=True, actor=actor, on_wait=on_wait, on_progress=on_progress)
    for old in [k for k in runs if k[0] != key[0]]:  # another file's outcomes: free them
        del runs[old]
    runs[key] = out
    while len(runs) > KEPT:
        runs.popitem(last=False)
    return out


def forget() -> None:
    """Drop the kept outcomes (after this session committed or rolled back an upload)."""
    st.session_state.pop(_RUNS, None)
    st.session_state.pop(_SHA, None)
