"""`python -m metrics score`: being built."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add the command to the CLI; filled in by its capability."""
