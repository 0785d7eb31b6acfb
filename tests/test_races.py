"""Writers racing each other on both engines end in a state some serial order explains.

Each race starts two real `python -m metrics` processes at the same moment. Writers are
serialised (an advisory lock on PostgreSQL, the file lock on DuckDB) and compute their diff
and conflict checks inside it, so: a rollback racing an ingest of the same keys either runs
first or is refused naming the later upload; two uploads with the same header both land;
the same new keys uploaded twice land once and then read as unchanged. A loser exits
non-zero with one line, never a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from metrics.store import db
from tests.conftest import REPO, make_db

KEYS = [("households-stable-housing", f"20{y}-Q{q}") for y in (16, 17) for q in (1, 2, 3, 4)]


@pytest.fixture(params=["duckdb", "postgresql"])
def race_url(request, tmp_path) -> str:
    if request.param == "duckdb":
        return make_db(f"duckdb:///{tmp_path / 'race.duckdb'}")
    return make_db(request.getfixturevalue("new_pg_schema")())


def values(url: str, measure: str = "households-stable-housing") -> dict[str, float]:
    with db.reader(url) as conn:
        rows = conn.execute(sa.text("SELECT period, value FROM observations WHERE measure_id = :m AND dimension = ''"),
                            {"m": measure}).all()
    return {p: v for p, v in rows}


def csv(tmp_path: Path, name: str, rows: dict[str, float], measure: str = "households-stable-housing") -> Path:
    f = tmp_path / name
    f.write_text("measure_id,period,value\n" + "".join(f"{measure},{p},{v:g}\n" for p, v in rows.items()))
    return f


def start(url: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "METRICS_DB_URL": url, "METRICS_WRITE_WAIT": "60"}
    return subprocess.Popen([sys.executable, "-m", "metrics", *args], cwd=REPO, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(*procs: subprocess.Popen) -> list[tuple[int, str, str]]:
    out = []
    for p in procs:
        so, se = p.communicate(timeout=180)
        out.append((p.returncode, so, se))
    return out


def one_line_failure(code: int, err: str) -> None:
    assert code != 0 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err


def cli(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "METRICS_DB_URL": url}
    return subprocess.run([sys.executable, "-m", "metrics", *args], cwd=REPO, env=env, text=True,
                          capture_output=True, timeout=180)


def upload_ids(url: str) -> list[tuple[int, str]]:
    with db.reader(url) as conn:
        return [tuple(r) for r in conn.execute(sa.text("SELECT id, status FROM uploads ORDER BY id")).all()]


@pytest.mark.parametrize("trial", range(2))
def test_rollback_racing_an_ingest_of_the_same_keys(race_url, tmp_path, trial):
    original = values(race_url)
    s1 = {p: original[p] + 1000 for _, p in KEYS}
    s2 = {p: original[p] + 2000 for _, p in KEYS}
    r = cli(race_url, "ingest", str(csv(tmp_path, "s1.csv", s1)))
    assert r.returncode == 0, r.stderr
    first = upload_ids(race_url)[-1][0]
    (rb_code, _, rb_err), (in_code, _, in_err) = finish(
        start(race_url, "rollback", str(first)), start(race_url, "ingest", str(csv(tmp_path, "s2.csv", s2))))
    assert in_code == 0, in_err
    now = values(race_url)
    assert all(now[p] == s2[p] for _, p in KEYS), "the ingest that reported success must be what is stored"
    second = upload_ids(race_url)[-1][0]
    r = cli(race_url, "rollback", str(second))
    assert r.returncode == 0, r.stderr
    after = values(race_url)
    if rb_code == 0:  # the rollback ran first: undoing #2 brings back the original values
        assert all(after[p] == original[p] for _, p in KEYS)
        assert dict(upload_ids(race_url))[first] == "rolled_back"
    else:  # the ingest ran first: the rollback was refused, naming the later upload; #1's values return
        one_line_failure(rb_code, rb_err)
        assert str(second) in rb_err
        assert all(after[p] == s1[p] for _, p in KEYS)


def test_two_uploads_with_the_same_header_both_land(race_url, tmp_path):
    a = csv(tmp_path, "a.csv", {p: 111.0 + i for i, (_, p) in enumerate(KEYS[:4])})
    b = csv(tmp_path, "b.csv", {p: 222.0 + i for i, (_, p) in enumerate(KEYS[4:])})
    results = finish(start(race_url, "ingest", str(a)), start(race_url, "ingest", str(b)))
    assert all(code == 0 for code, _, _ in results), [e for _, _, e in results]
    now = values(race_url)
    assert [now[p] for _, p in KEYS[:4]] == [111.0, 112.0, 113.0, 114.0]
    assert [now[p] for _, p in KEYS[4:]] == [222.0, 223.0, 224.0, 225.0]


def test_the_same_new_keys_twice(race_url, tmp_path):
    rows = {f"2010-Q{q}": 10.0 * q for q in (1, 2, 3, 4)}  # before the demo city begins: new keys
    f = csv(tmp_path, "new.csv", rows, measure="affordable-units-completed")
    results = finish(start(race_url, "ingest", str(f)), start(race_url, "ingest", str(f)))
    codes = [c for c, _, _ in results]
    assert codes.count(0) >= 1, [e for _, _, e in results]
    for code, _, err in results:
        if code != 0:
            one_line_failure(code, err)
    stored = values(race_url, "affordable-units-completed")
    assert all(stored[p] == v for p, v in rows.items())
    committed = [i for i, s in upload_ids(race_url) if s == "committed"]
    assert len(committed) == 1  # the second saw the first's rows: the same file twice changes nothing
