"""Docs tested against code: every CLI command and every page is in the README."""

from __future__ import annotations

import re

from metrics.__main__ import build_parser
from tests.conftest import REPO

README = (REPO / "README.md").read_text()


def test_every_cli_command_is_documented():
    sub = next(a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    missing = [name for name in sub.choices if f"python -m metrics {name}" not in README]
    assert not missing, f"README does not show: {missing}"


def test_every_page_is_documented():
    app = (REPO / "app.py").read_text()
    titles = re.findall(r'st.Page\([^)]*?title="([^"]+)"', app, flags=re.S)
    assert len(titles) >= 7
    missing = [t for t in titles if t != "Sign in" and f"| {t} |" not in README]
    assert not missing, f"README pages table lacks: {missing}"


def test_readme_starts_with_the_two_commands():
    first_block = README.split("```")[1]
    assert "make run" in first_block and "make test" in first_block
