"""The one error family: every failure a person should read derives from MetricsError.

Pages and the CLI catch this family only and show `str(exc)`, the sentence written for a
person. Anything else is a bug: it surfaces in tests (and as Streamlit's own error box)
instead of being dressed up as a message. `exit_code` lets the CLI tell apart a rejected
file, a busy database, an unreachable one and a refused permission.
"""

from __future__ import annotations


class MetricsError(Exception):
    """Base: the message is the sentence shown to a person (no traceback, no internals)."""

    exit_code = 2


class InputError(MetricsError, ValueError):
    """Bad input from a person: a form field, a CLI argument, a file that can't be used."""

    exit_code = 1
