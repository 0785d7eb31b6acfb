"""The CLI as a user runs it: a subprocess, real databases, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO


def run(*args: str, url: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ}
    if url:
        env["METRICS_DB_URL"] = url
    return subprocess.run([sys.executable, "-m", "metrics", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=120)


def test_help_explains_each_command():
    out = run("--help").stdout
    for cmd in ("init", "demo", "export"):
        assert cmd in out
    assert "METRICS_DB_URL" in out


def test_init_demo_export_on_a_new_file(tmp_path):
    url = f"duckdb:///{tmp_path / 'c.duckdb'}"
    first = run("init", url=url)
    assert first.returncode == 0 and "version" in first.stdout
    again = run("init", url=url)
    assert "up to date" in again.stdout
    assert run("demo", url=url).returncode == 0
    assert "already has measures" in run("demo", url=url).stdout
    out = run("export", "--measure", "households-stable-housing", url=url)
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert lines[0] == "measure_id,period,dimension,member,value"
    assert "households-stable-housing,2018-Q1,,,3024" in lines
    assert "households-stable-housing,2017-Q1,,,1802" in lines


def test_export_json_and_unknown_measure(duck_city):
    out = run("export", "--measure", "shelter-beds", "--format", "json", url=duck_city)
    assert out.stdout.startswith("[{") and '"measure_id":"shelter-beds"' in out.stdout
    missing = run("export", "--measure", "nope", url=duck_city)
    assert missing.returncode == 1 and "no observations" in missing.stderr


def test_unreachable_url_is_one_line_with_masked_password():
    res = run("init", url="postgresql+psycopg://bob:hunter2@127.0.0.1:1/x")
    assert res.returncode == 2
    assert "hunter2" not in res.stderr and "***" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr


def test_unparsable_url():
    res = run("init", url="this is not a url")
    assert res.returncode == 2 and "not a database URL" in res.stderr
