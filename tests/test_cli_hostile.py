"""Every CLI command, fed hostile arguments: one line on stderr, a non-zero exit, never a traceback.

The commands are enumerated from the argparse parser itself (`metrics.__main__.build_parser`), so a
command added later is covered without editing this file. Each argument of each command is replaced,
one at a time, by hostile values chosen from its declared shape: huge and negative numbers for int
arguments, a bad choice for enums, and for text giant strings, bad periods, bad paths, a huge expiry.
Every command also runs against a missing database and an unparsable database URL.
"""

from __future__ import annotations

import argparse
import getpass
import io
import os
import subprocess
import sys
from dataclasses import dataclass

import pytest

from metrics.__main__ import build_parser, main
from tests.conftest import REPO, make_db

HUGE_INT = "9" * 30
TEXTS = {
    "giant": "x" * 200_000,
    "huge-expiry": "99999999w",
    "bad-period": "2099-Q9",
    "far-period": "99999-Q1",
    "bad-date": "99999-99-99",
    "bad-path": "/nonexistent/dir/file.csv",
    "directory": "/",
    "empty": "",
    "control": "\u202e\x1b[31mred",
}
INTS = {"huge": HUGE_INT, "negative": "-1", "not-a-number": "12abc"}


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]
    parser: argparse.ArgumentParser

    @property
    def name(self) -> str:
        return " ".join(self.path)


def commands(parser: argparse.ArgumentParser | None = None, path: tuple[str, ...] = ()) -> list[Command]:
    """Every runnable command (a parser with a `func`), depth first."""
    parser = parser or build_parser()
    found = [Command(path, parser)] if parser.get_default("func") is not None else []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += commands(sub, (*path, name))
    return found


def _arguments(cmd: Command) -> list[argparse.Action]:
    return [a for a in cmd.parser._actions
            if not isinstance(a, argparse._SubParsersAction | argparse._HelpAction)
            and a.nargs != 0 and a.dest != argparse.SUPPRESS and a.help != argparse.SUPPRESS]


def _plain(action: argparse.Action) -> str:
    if action.choices:
        return str(list(action.choices)[0])
    return "1" if action.type is int else "x"


def _argv(cmd: Command, replace: argparse.Action | None = None, value: str = "") -> list[str]:
    """The command with its required arguments filled plainly, one argument set to `value`."""
    argv = list(cmd.path)
    for action in _arguments(cmd):
        given = value if action is replace else _plain(action)
        if not action.option_strings:
            argv.append(given)
        elif action.required or action is replace:
            argv += [action.option_strings[-1], given]
    return argv


def cases() -> list[tuple[str, list[str]]]:
    out = []
    for cmd in commands():
        for action in _arguments(cmd):
            label = action.option_strings[-1] if action.option_strings else action.dest
            if action.choices:
                values = {"bad-enum": "bogus"}
            elif action.type is int:
                values = INTS
            else:
                values = TEXTS
            for kind, value in values.items():
                out.append((f"{cmd.name} {label}={kind}", _argv(cmd, action, value)))
    return out


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> str:
    """An initialised city with no measures: the arguments are what is hostile here, and commands
    that do real work with a valid-looking argument (publish, report) stay quick."""
    return make_db(f"duckdb:///{tmp_path_factory.mktemp('hostile') / 'city.duckdb'}", seeded=False)


def _no_terminal() -> str:
    raise EOFError  # what getpass meets when stdin is closed and there is no terminal


@pytest.fixture(autouse=True)
def _in_scratch_dir(tmp_path, monkeypatch):
    """Hostile paths such as `x` or `2099-Q9` are valid output folders for publish/report/export:
    they are written under a scratch folder, never into the checkout."""
    monkeypatch.chdir(tmp_path)


def run(argv: list[str], url: str, monkeypatch, capsys) -> tuple[int, str]:
    """main() in this process (hundreds of runs; a subprocess each would take minutes): the exit code
    and stderr. An exception escaping main() is what would print a traceback, so it fails the test."""
    monkeypatch.setenv("METRICS_DB_URL", url)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setattr(getpass, "getpass", lambda *a, **k: _no_terminal())
    capsys.readouterr()
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse: usage errors exit 2 after printing
        rc = exc.code if isinstance(exc.code, int) else 1
    err = capsys.readouterr().err
    return rc, err


def assert_one_line_failure(rc: int, err: str, what: str) -> None:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc != 0, f"{what}: exit 0 for a hostile argument"
    assert "Traceback" not in err, f"{what}: {err[:2000]}"
    assert len(lines) == 1, f"{what}: {len(lines)} lines on stderr: {err[:2000]}"
    assert len(lines[0]) < 2000, f"{what}: the line repeats the input: {lines[0][:300]}…"
    assert "internal error" not in err, f"{what}: reached the last-resort handler (a bug): {err}"


def test_every_command_is_enumerated():
    names = {c.name for c in commands()}
    assert {"init", "demo", "export", "ingest", "rollback", "uploads", "score", "criteria", "criteria set",
            "users add", "share create", "share revoke"} <= names


@pytest.mark.parametrize("what, argv", cases(), ids=[c[0] for c in cases()])
def test_hostile_argument_is_one_line(city, what, argv, monkeypatch, capsys):
    rc, err = run(argv, city, monkeypatch, capsys)
    if rc == 0:  # some hostile texts are valid data (a long note, an odd user name): then no noise
        noise = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("note: ")]
        assert not noise and "Traceback" not in err, f"{what}: {err[:2000]}"
        assert not what.endswith(("=bad-enum", "=not-a-number")), f"{what}: accepted"
    else:
        assert_one_line_failure(rc, err, what)


@pytest.mark.parametrize("cmd", [c for c in commands() if c.path != ("init",)], ids=lambda c: c.name)
def test_missing_database_is_one_line_and_not_created(cmd, tmp_path, monkeypatch, capsys):
    missing = tmp_path / "no-such.duckdb"
    rc, err = run(_argv(cmd), f"duckdb:///{missing}", monkeypatch, capsys)
    assert not missing.exists(), f"{cmd.name} created the database"
    if rc or err.strip():  # `template` needs no database and succeeds
        assert_one_line_failure(rc, err, cmd.name)


@pytest.mark.parametrize("cmd", commands(), ids=lambda c: c.name)
def test_bad_database_url_is_one_line(cmd, monkeypatch, capsys):
    rc, err = run(_argv(cmd), "mysql+nothing://nowhere/x", monkeypatch, capsys)
    if rc or err.strip():
        assert_one_line_failure(rc, err, cmd.name)


def test_share_expiry_overflow_as_a_user_runs_it(city):
    """The reported case, through a real process: `share create --expires 99999999w`."""
    res = subprocess.run([sys.executable, "-m", "metrics", "share", "create", "--expires", "99999999w"],
                         capture_output=True, text=True, cwd=REPO, env={**os.environ, "METRICS_DB_URL": city},
                         timeout=120)
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "expiry" in res.stderr
