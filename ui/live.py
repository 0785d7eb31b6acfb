"""How often a live page looks for new data.

A wall screen should notice an upload within a minute without anyone reloading; the check is
one tiny read, so 30 s costs nothing. METRICS_LIVE_SECONDS changes it for a whole deployment
(a control room may want 10 s; a big wall of screens on one server may want 120 s). A value
that is not a number of seconds between 1 and a day is ignored, as the other METRICS_* waits are.
"""

from __future__ import annotations

import os

ENV = "METRICS_LIVE_SECONDS"
DEFAULT_SECONDS = 30


def interval_seconds() -> int:
    """The live check's interval in whole seconds (METRICS_LIVE_SECONDS, default 30)."""
    try:
        value = int(float(os.environ.get(ENV, DEFAULT_SECONDS)))
    except ValueError:
        return DEFAULT_SECONDS
    return value if 1 <= value <= 86_400 else DEFAULT_SECONDS
