"""A view is one state of the data, even while uploads land (issue 14, section 2).

A background process runs a sequence of real ingests, each setting one measure's latest
value AND its target for that period to the same new number (1000, 2000, 3000, ...), and
logs the data version each upload committed. Meanwhile the test builds the Measure view
again and again. Every result must pair one upload's value with the same upload's target
(never one upload's value beside another's target), and `result.version` must be the data
version at which exactly those rows were written, so a cache keyed on it never stores new
rows under an old version. Bounded: at most RENDERS builds in at most SECONDS, on both engines.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from metrics import access
from metrics.ingest.commit import ingest
from metrics.views import measure
from tests.conftest import REPO, make_db

M = "households-stable-housing"
UPLOADS = 25
RENDERS = 60
SECONDS = 60.0

WRITER = """
import sys
from metrics import access
from metrics.ingest.commit import ingest
from metrics.store import db, meta
url, m, period, first, count, log = sys.argv[1:]
with open(log, "w") as out:
    for k in range(int(first), int(first) + int(count)):
        n = 1000 * k
        o = ingest(f"measure_id,period,value,target\\n{m},{period},{n},{n}\\n".encode(), url,
                   actor=access.LOCAL_ADMIN, file_name=f"u{k}.csv")
        assert o.status == "committed", o.to_summary()
        with db.reader(url) as conn:
            out.write(f"{n} {meta.data_version(conn)}\\n")
        out.flush()
"""


@pytest.fixture(params=["duckdb", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "duckdb":
        return make_db(f"duckdb:///{tmp_path / 'reads.duckdb'}")
    return make_db(request.getfixturevalue("new_pg_schema")())


def test_measure_view_never_mixes_two_uploads(url, tmp_path):
    period = measure.build(url, access.LOCAL_ADMIN, measure_id=M).latest.period
    first = ingest(f"measure_id,period,value,target\n{M},{period},1000,1000\n".encode(), url,
                   actor=access.LOCAL_ADMIN, file_name="u1.csv")
    assert first.status == "committed", first.to_summary()
    warm = measure.build(url, access.LOCAL_ADMIN, measure_id=M)
    written = {1000.0: warm.version}  # value -> the data version its upload committed
    log = tmp_path / "versions.log"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, url, M, period, "2", str(UPLOADS), str(log)],
                              cwd=REPO, stderr=subprocess.PIPE, text=True)
    duck = url.startswith("duckdb")
    seen: list[tuple[float, float, float | None, int]] = []
    started = time.monotonic()
    try:
        while len(seen) < RENDERS and time.monotonic() - started < SECONDS and writer.poll() is None:
            v = measure.build(url, access.LOCAL_ADMIN, measure_id=M)
            assert v.latest.period == period
            seen.append((v.latest.actual, v.latest.target, v.lookup.target, v.version))
            assert float(v.history["value"].iloc[-1]) == v.latest.actual
            if duck:  # leave the file free between reads, as a page between reruns does
                time.sleep(0.15)
        _, err = writer.communicate(timeout=180)
        assert writer.returncode == 0, err
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    for line in log.read_text().split("\n"):
        if line:
            n, version = line.split()
            written[float(n)] = int(version)
    assert len(written) == UPLOADS + 1 and len(set(written.values())) == UPLOADS + 1
    mixed = [s for s in seen if not (s[0] == s[1] == s[2])]
    assert not mixed, f"{len(mixed)} of {len(seen)} renders mixed two uploads: {mixed[:5]}"
    wrong = [s for s in seen if written.get(s[0]) != s[3]]
    assert not wrong, f"{len(wrong)} of {len(seen)} renders carry another version than their rows: {wrong[:5]}"
    assert len(seen) >= 10 and len({s[3] for s in seen}) >= 3, seen  # the reads really overlapped the uploads
    final = measure.build(url, access.LOCAL_ADMIN, measure_id=M)
    assert final.latest.actual == final.latest.target == 1000.0 * (UPLOADS + 1)
    assert final.version == written[final.latest.actual]
