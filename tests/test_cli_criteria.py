"""`python -m metrics criteria` as a user runs it: real databases, exit codes, stdout/stderr.

Most cases call the CLI's main() in-process (same argv, same streams) to keep the suite fast;
the refusal case runs a real subprocess, as a user would.
"""

from __future__ import annotations

import io
import json
import subprocess

import pandas as pd
import pytest

from metrics.__main__ import main
from metrics.domain import certification
from tests.test_cli import run as run_subprocess
from tests.test_wwc_store import _next_standard_csv, criteria, snapshot


@pytest.fixture
def run(monkeypatch, capsys):
    def call(*args: str, url: str) -> subprocess.CompletedProcess:
        monkeypatch.setenv("METRICS_DB_URL", url)
        capsys.readouterr()
        code = main(list(args))
        out = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out.out, out.err)
    return call


@pytest.fixture(scope="module")
def cli_city(tmp_path_factory) -> str:
    from tests.conftest import make_db
    return make_db(f"duckdb:///{tmp_path_factory.mktemp('cli') / 'c.duckdb'}")


def test_list_json_csv_text(city_url, run):
    expected = certification.assess(criteria(city_url), certification.load_levels())
    out = run("criteria", "--format", "json", url=city_url)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert (data["level"], data["met"], data["total"], data["core_met"]) == (
        expected.level, expected.met, expected.total, expected.core_met)
    assert data["total"] == 43 and len(data["criteria"]) == 43
    assert sum(c["status"] == "met" for c in data["criteria"]) == expected.met

    csv = run("criteria", "--format", "csv", url=city_url)
    frame = pd.read_csv(io.StringIO(csv.stdout))
    assert len(frame) == 43 and (frame["status"] == "met").sum() == expected.met

    text = run("criteria", url=city_url).stdout
    assert f"{expected.met} of {expected.total} criteria met" in text
    assert f"{expected.next_level} needs {expected.needed_for_next} more" in text


def test_set_then_history(cli_city, run):
    before = certification.assess(criteria(cli_city), certification.load_levels())
    res = run("criteria", "set", "EV-02", "--status", "met", "--evidence", "https://eval.example.gov/report",
              "--evidence", "measure:households-stable-housing", "--note", "Report published", "--owner",
              "Evaluation Lead", "--due", "2027-01-31", "--user", "cli-tester", url=cli_city)
    assert res.returncode == 0, res.stderr
    assert "status: not_started → met" in res.stdout or "status: in_progress → met" in res.stdout
    assert f"({before.met + 1} of {before.total} met)" in res.stdout
    row = criteria(cli_city).set_index("code").loc["EV-02"]
    assert row["status"] == "met" and row["owner"] == "Evaluation Lead" and row["evidence_count"] >= 2

    hist = run("criteria", "history", "EV-02", url=cli_city)
    assert hist.returncode == 0
    assert "cli-tester" in hist.stdout and "status:" in hist.stdout and "→ met" in hist.stdout
    assert "url: https://eval.example.gov/report" in hist.stdout
    unknown = run("criteria", "history", "ZZ-9", url=cli_city)
    assert unknown.returncode == 1 and "unknown criterion code" in unknown.stderr


def test_set_refuses_bad_input_and_writes_nothing(cli_city):
    before = snapshot(cli_city)
    res = run_subprocess("criteria", "set", "EV-03", "--status", "done", "--evidence", "javascript:alert(1)",
              "--evidence", "goal:no-such-goal", "--due", "2026-02-30", url=cli_city)
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")  # one line naming every problem
    assert all(problem in lines[0] for problem in ("'done'", "javascript:", "no goal", "2026-02-30"))
    assert "Traceback" not in res.stderr and "nothing was written" in res.stderr
    unknown = run_subprocess("criteria", "set", "NOPE-1", "--status", "met", url=cli_city)
    assert unknown.returncode == 1 and "Unknown criterion code" in unknown.stderr
    assert snapshot(cli_city) == before


def test_load_standard(seeded_url, tmp_path, run):
    csv, shared, _ = _next_standard_csv(tmp_path)
    res = run("criteria", "load-standard", csv, "--version", "2026", url=seeded_url)
    assert res.returncode == 0, res.stderr
    assert f"{len(shared)} carried over" in res.stdout
    data = json.loads(run("criteria", "--format", "json", url=seeded_url).stdout)
    assert data["standard"] == "2026" and "CI-04" in {c["code"] for c in data["criteria"]}
    again = run("criteria", "load-standard", csv, "--version", "2026", url=seeded_url)
    assert again.returncode == 1 and "already loaded" in again.stderr
