"""`python -m metrics measures|goals|targets|links|narrative|annotate` as a script runs them: exit codes,
one-line errors, nothing written on a refusal, every write audited as cli:<login>."""

from __future__ import annotations

import io
import json
import subprocess

import pandas as pd
import pytest

from metrics import cli
from metrics.__main__ import main
from metrics.views.catalog import LIST_FIELDS
from tests.conftest import sql_frame
from tests.test_catalog import snapshot
from tests.test_cli import run as run_subprocess

HH = "households-stable-housing"


@pytest.fixture
def run(monkeypatch, capsys):
    def call(*args: str, url: str) -> subprocess.CompletedProcess:
        monkeypatch.setenv("METRICS_DB_URL", url)
        capsys.readouterr()
        code = main(list(args))
        out = capsys.readouterr()
        return subprocess.CompletedProcess(list(args), code, out.out, out.err)
    return call


def refused(run, url: str, *args: str, says: str) -> None:
    before = snapshot(url)
    res = run(*args, url=url)
    assert res.returncode == 1, res
    assert says in res.stderr and "nothing was written" in res.stderr and "Traceback" not in res.stderr
    assert snapshot(url) == before


def test_measures_list_formats(run, seeded_url):
    as_json = json.loads(run("measures", "list", "--format", "json", url=seeded_url).stdout)
    assert list(as_json[0]) == LIST_FIELDS
    hh = next(r for r in as_json if r["id"] == HH)
    assert hh["state"] == "published" and hh["public"] is True and hh["goal_id"] == "reduce-homelessness"
    as_csv = pd.read_csv(io.StringIO(run("measures", "list", "--format", "csv", url=seeded_url).stdout))
    assert list(as_csv.columns) == LIST_FIELDS and len(as_csv) == len(as_json)
    text = run("measures", "list", url=seeded_url).stdout
    assert HH in text and "published" in text


def test_an_uploaded_draft_goes_public_from_the_shell(run, seeded_url, tmp_path):
    url = seeded_url
    f = tmp_path / "new.csv"
    f.write_text("measure_id,period,value\nhousing-navigators,2026-Q1,14\n")
    assert run("ingest", str(f), "--create-measures", url=url).returncode == 0
    refused(run, url, "measures", "publish", "housing-navigators", says="has no goal")
    res = run("measures", "set", "housing-navigators", "--goal", "reduce-homelessness", "--name", "Housing navigators",
              "--direction", "higher", "--public", "true", "--frequency", "quarter", url=url)
    assert res.returncode == 0, res.stderr
    assert "goal_id: — → reduce-homelessness" in res.stdout and "name: Measure housing-navigators from new.csv → Housing navigators" in res.stdout
    assert run("measures", "publish", "housing-navigators", url=url).stdout.strip() == "published: housing-navigators"
    res = run("targets", "set", "housing-navigators", "--from", "2026-Q1", "--value", "20", "--tolerance", "10%",
              "--reason", "Council budget", url=url)
    assert res.returncode == 0 and "value: — → 20.0" in res.stdout
    assert run("links", "add", "housing-navigators", HH, "--lag", "1", url=url).returncode == 0
    assert run("narrative", "set", "housing-navigators", "2026-Q1", "--text", "Two new hires.", url=url).returncode == 0
    assert run("annotate", "housing-navigators", "2026-02-15", "--text", "Team started", url=url).returncode == 0
    listed = json.loads(run("measures", "list", "--format", "json", url=url).stdout)
    row = next(r for r in listed if r["id"] == "housing-navigators")
    assert (row["state"], row["goal_id"], row["public"], row["name"]) == ("published", "reduce-homelessness", True,
                                                                         "Housing navigators")
    public = run("export", "--public", "--measure", "housing-navigators", url=url)
    assert "housing-navigators,2026-Q1,,,14" in public.stdout
    login = f"cli:{cli.os_user()}"
    audit = sql_frame("SELECT actor, action FROM audit_log WHERE action IN ('measure-edit', 'measure-publish', "
                      "'target-set', 'link-add', 'narrative-set', 'annotation-add') ORDER BY id", url)
    assert list(audit["action"]) == ["measure-edit", "measure-publish", "target-set", "link-add", "narrative-set",
                                     "annotation-add"]
    assert set(audit["actor"]) == {login}


def test_bad_input_exits_1_with_one_line_and_writes_nothing(run, seeded_url):
    url = seeded_url
    refused(run, url, "targets", "set", HH, "--from", "2026-03", "--value", "3", "--reason", "x",
            says="is a month, but 'Households moved into stable housing' is reported quarterly")
    refused(run, url, "links", "add", HH, HH, says="can't feed itself")
    refused(run, url, "measures", "delete", HH, says="can't be deleted")
    refused(run, url, "measures", "set", HH, "--goal", "no-such-goal", says="There is no goal 'no-such-goal'")
    refused(run, url, "measures", "publish", "no-such-measure", says="There is no measure 'no-such-measure'")
    refused(run, url, "annotate", HH, "yesterday", "--text", "x", says="not a date")
    refused(run, url, "goals", "add", "x", "--priority", "housing", "--name", " ", says="name is required")
    res = run("measures", "set", HH, url=url)
    assert res.returncode == 1 and "nothing to change" in res.stderr


def test_narrative_with_html_is_saved_with_a_note(run, seeded_url):
    res = run("narrative", "set", HH, "2026-Q1", "--text", "<b>Up</b> [x](javascript:alert(1))", url=seeded_url)
    assert res.returncode == 0
    assert "HTML in the text is shown as plain text" in res.stdout and "javascript:" in res.stdout
    assert res.stderr == ""


def test_retire_delete_goals_and_links(run, seeded_url):
    url = seeded_url
    assert run("measures", "retire", HH, url=url).stdout.strip() == f"retired: {HH}"
    assert run("measures", "retire", HH, url=url).stdout.strip() == f"already retired: {HH}"
    assert f"{HH}," not in run("export", "--public", url=url).stdout
    assert run("measures", "add", "typo-measure", "--name", "Typo", "--kind", "output", "--frequency", "month",
               url=url).returncode == 0
    assert run("measures", "delete", "typo-measure", url=url).stdout.strip() == "deleted: typo-measure"
    assert run("goals", "add", "new-goal", "--priority", "housing", "--name", "New goal", "--target-date", "2030-12-31",
               url=url).returncode == 0
    res = run("goals", "set", "new-goal", "--public", "--owner", "Mayor", url=url)
    assert "owner: — → Mayor" in res.stdout and "is_public: False → True" in res.stdout
    goals = json.loads(run("goals", "list", "--format", "json", url=url).stdout)
    assert next(g for g in goals if g["id"] == "new-goal")["public"] is True
    assert run("links", "remove", "shelter-beds", HH, url=url).returncode in (0, 1)
    res = run("links", "remove", "shelter-beds", "no-such", url=url)
    assert res.returncode == 1 and "there is no link" in res.stderr


def test_help_documents_every_catalog_command():
    out = run_subprocess("--help").stdout
    for cmd in ("measures", "goals", "targets", "links", "narrative", "annotate"):
        assert cmd in out
    sub = run_subprocess("measures", "--help").stdout
    for action in ("list", "set", "publish", "unpublish", "retire", "delete"):
        assert action in sub
    assert "--from PERIOD" in run_subprocess("targets", "set", "--help").stdout


def test_a_refusal_from_a_real_shell_is_one_line(seeded_url):
    res = run_subprocess("measures", "publish", "no-such", url=seeded_url)
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert res.stderr.splitlines() == ["error: There is no measure 'no-such'. (nothing was written)"]
