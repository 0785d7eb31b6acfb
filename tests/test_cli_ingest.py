"""`python -m metrics ingest|uploads|rollback|template`: in-process through `main(argv)` (fast), one real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from metrics.__main__ import main
from tests.conftest import REPO
from tests.ingest.test_commit import snapshot, value


@pytest.fixture
def run(monkeypatch, capsys):
    def go(url: str, *args: str) -> subprocess.CompletedProcess:
        monkeypatch.setenv("METRICS_DB_URL", url)
        capsys.readouterr()
        code = main(list(args))
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out.out, out.err)
    return go


def test_ingest_dry_run_commit_list_rollback(run, seeded_url, tmp_path):
    f = tmp_path / "q.csv"
    f.write_text("measure_id,period,value\nhouseholds-stable-housing,2018-Q1,3100\n")
    old = value(seeded_url, "households-stable-housing", "2018-Q1")
    before = snapshot(seeded_url)
    r = run(seeded_url, "ingest", str(f), "--dry-run")
    assert r.returncode == 0 and "preview only" in r.stdout and "changed: 1" in r.stdout
    assert snapshot(seeded_url) == before
    r = run(seeded_url, "ingest", str(f), "--user", "ana", "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["status"] == "committed" and data["counts"]["changed"] == 1
    r = run(seeded_url, "ingest", str(f))
    assert r.returncode == 0 and f"already loaded as upload #{data['upload_id']}" in r.stdout
    r = run(seeded_url, "uploads")
    assert "q.csv" in r.stdout and "committed" in r.stdout
    r = run(seeded_url, "rollback", str(data["upload_id"]))
    assert r.returncode == 0 and "rolled back" in r.stdout
    assert value(seeded_url, "households-stable-housing", "2018-Q1") == old
    r = run(seeded_url, "rollback", str(data["upload_id"]))
    assert r.returncode == 1 and "already rolled back" in r.stderr and "Traceback" not in r.stderr


def test_rejected_file_exits_nonzero_and_names_the_cell(run, seeded_url, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("measure_id,period,value\nhouseholds-stable-housing,2018-Q1,lots\nnope,2018-Q1,1\n")
    before = snapshot(seeded_url)
    r = run(seeded_url, "ingest", str(f))
    assert r.returncode == 1
    assert "rejected" in r.stdout and 'row 2, column "value"' in r.stdout and "nope" in r.stdout
    assert snapshot(seeded_url) == before
    r = run(seeded_url, "ingest", str(f), "--create-measures", "--format", "json")
    assert r.returncode == 1 and json.loads(r.stdout)["status"] == "rejected"


def test_template_and_help_in_a_real_process(run, seeded_url):
    r = run(seeded_url, "template")
    assert r.stdout.splitlines()[0].startswith("measure_id,period,dimension,member,value")
    r = subprocess.run([sys.executable, "-m", "metrics", "--help"], cwd=REPO, capture_output=True, text=True,
                       env={**os.environ, "METRICS_DB_URL": seeded_url}, timeout=120)
    for cmd in ("ingest", "uploads", "rollback", "template"):
        assert cmd in r.stdout
