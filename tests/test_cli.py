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
    assert res.returncode == 5  # unreachable: its own exit code (db.DatabaseUnreachable)
    assert "hunter2" not in res.stderr and "***" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr


def test_unparsable_url():
    res = run("init", url="this is not a url")
    assert res.returncode == 2 and "not a database URL" in res.stderr


WORKFORCE = {"staff-turnover", "training-hours", "vacancy-rate", "workforce-representation"}
COUNT_BREAKDOWN = "overdose-deaths,2016-01,race,Other,"


def _csv(out: subprocess.CompletedProcess):
    import io

    import pandas as pd

    assert out.returncode == 0, out.stderr
    return pd.read_csv(io.StringIO(out.stdout), dtype={"period": str, "dimension": str, "member": str},
                       keep_default_na=False, na_values={"value": [""]})


def test_export_public_hides_what_the_public_may_not_see(duck_city):
    from metrics.views import base
    from tests.conftest import sql_frame

    threshold = base.status(duck_city).settings.suppress_below
    drafts = set(sql_frame("SELECT id FROM measures WHERE state <> 'published'", duck_city).id)
    counts = set(sql_frame("SELECT id FROM measures WHERE COALESCE(rollup, 'sum') = 'sum'", duck_city).id)
    out = run("export", "--public", url=duck_city)
    rows = _csv(out)
    ids = set(rows.measure_id)
    assert drafts and not ids & drafts
    assert not ids & WORKFORCE and "overdose-deaths" in ids
    part = rows[(rows.dimension != "") & rows.measure_id.isin(counts)]
    assert part.value.isna().sum() > 0 and not (part.value.dropna() < threshold).any()
    assert COUNT_BREAKDOWN in out.stdout.splitlines()  # suppressed: the cell is there, its value empty
    staff = run("export", url=duck_city)
    raw = _csv(staff)
    assert WORKFORCE <= set(raw.measure_id) and drafts <= set(raw.measure_id)
    assert f"{COUNT_BREAKDOWN}2" in staff.stdout.splitlines()  # staff get the raw number


def test_export_public_json_has_null_for_suppressed(duck_city):
    import json

    out = run("export", "--public", "--measure", "overdose-deaths", "--format", "json", url=duck_city)
    assert out.returncode == 0, out.stderr
    records = json.loads(out.stdout)
    cell = next(r for r in records if (r["period"], r["dimension"], r["member"]) == ("2016-01", "race", "Other"))
    assert cell["value"] is None
    hidden = run("export", "--public", "--measure", "staff-turnover", url=duck_city)
    assert hidden.returncode == 1 and "no observations" in hidden.stderr and "staff-turnover," not in hidden.stdout


def test_export_neutralises_formulas_in_csv(seeded_url):
    from metrics import access
    from metrics.ingest.commit import ingest

    raw = b"measure_id,period,dimension,member,value\nhouseholds-stable-housing,2018-Q1,district,=1+1,500\n"
    assert ingest(raw, url=seeded_url, file_name="f.csv", actor=access.LOCAL_ADMIN).status == "committed"
    out = run("export", "--measure", "households-stable-housing", url=seeded_url)
    assert out.returncode == 0
    assert "households-stable-housing,2018-Q1,district,'=1+1,500" in out.stdout.splitlines()
    assert ",=1+1," not in out.stdout
