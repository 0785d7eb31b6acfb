"""Bad files against a real database: each gets a clear message and the database is row-for-row unchanged."""

from __future__ import annotations

import tomllib

import numpy as np
import pandas as pd
import pytest

from metrics.ingest import settings
from metrics.ingest.commit import ingest
from tests.conftest import REPO
from tests.ingest.conftest import who
from tests.ingest.test_commit import snapshot, value

HH = "households-stable-housing"

BAD = {
    "wrong-encoding": ("measure_id,period,value\n" + f"{HH},2018-Q1,3100\n" + "caf\u00e9,2018-Q1,1\n").encode("utf-16-le"),
    "binary": b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)) * 4,
    "empty": b"",
    "header-only": b"measure_id,period,value\n",
    "formula": f"measure_id,period,value\n{HH},2018-Q1,\"=HYPERLINK(\"\"http://x\"\",\"\"1\"\")\"\n".encode(),
    "sql-text": f"measure_id,period,value\n{HH},2018-Q1,3100\n\"x'); DROP TABLE observations;--\",2018-Q1,1\n".encode(),
    "unknown-measure": f"measure_id,period,value\n{HH},2018-Q1,3100\nno-such-measure,2018-Q1,1\n".encode(),
    "mixed-frequency": f"measure_id,period,value\n{HH},2018-Q1,3100\n{HH},2018-05,1000\n".encode(),
    "last-row-bad": ("measure_id,period,value\n" + "".join(f"{HH},{y}-Q{q},{1000 + y}\n" for y in range(2010, 2019)
                                                        for q in range(1, 5)) + f"{HH},2019-Q1,lots\n").encode(),
    # hostile values: each names its row and column (or the file) and changes nothing
    "future-period": f"measure_id,period,value\n{HH},2018-Q1,3100\n{HH},2099-Q1,5\n".encode(),
    "inf": f"measure_id,period,value\n{HH},2018-Q1,inf\n{HH},2018-Q2,NaN\n{HH},2018-Q3,{'9' * 100_000}\n".encode(),
    "giant-field": f"measure_id,period,value,note\n\n{HH},2018-Q1,3100,\"{'x' * 200_000}\"\n".encode(),
    "nested-json": b"[" * 100_000 + b"]" * 100_000,
    "huge-integer": f"measure_id,period,value\n{HH},2018-Q1,{'1' * 5000}\n".encode(),
    "huge-integer-json": ('[{"model": "cityscore.value", "fields": {"metric": "' + HH + '", "entry_date": '
                          '"2018-01-01", "val": ' + "1" * 5000 + "}}]").encode(),
}
EXPECT = {
    "wrong-encoding": None, "binary": "file-format-error", "empty": "file-empty-file",
    "header-only": None, "formula": "cell-type-error", "sql-text": "cell-unknown-measure",
    "unknown-measure": "cell-unknown-measure", "mixed-frequency": "cell-frequency-mismatch",
    "last-row-bad": "cell-type-error", "future-period": "cell-future-period", "inf": "cell-absurd-value",
    "giant-field": "file-format-error", "nested-json": "file-format-error", "huge-integer": "cell-absurd-value",
    "huge-integer-json": "cell-absurd-value",
}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from tests.conftest import make_db
    return make_db(f"duckdb:///{tmp_path_factory.mktemp('bad') / 'city.duckdb'}")


@pytest.mark.parametrize("name", list(BAD))
def test_bad_file_changes_nothing(city, name):
    before = snapshot(city)
    out = ingest(BAD[name], city, file_name=f"{name}.csv", actor=who("t"))
    assert out.status == "rejected", out.to_summary()
    assert out.report.errors and all(e.message for e in out.report.errors)
    if EXPECT[name]:
        assert EXPECT[name] in {e.code for e in out.report.errors}, out.to_summary()
    assert "rejected" in out.message
    assert snapshot(city) == before


def test_hostile_values_name_row_and_column_and_say_why(city):
    """inf, NaN, 100,000 nines, 2099-Q1 and a 5,000-digit integer: one error each, at its cell."""
    got = {(e.row_number, e.field_name, e.code) for e in ingest(BAD["inf"], city, actor=who()).report.errors}
    assert got == {(2, "value", "cell-absurd-value"), (3, "value", "cell-absurd-value"),
                   (4, "value", "cell-absurd-value")}
    err = ingest(BAD["future-period"], city, actor=who()).report.errors
    assert [(e.row_number, e.field_name, e.code) for e in err] == [(3, "period", "cell-future-period")]
    assert "only targets may be in the future" in err[0].message
    err = ingest(BAD["huge-integer"], city, actor=who()).report.errors[0]
    assert "more than 100 digits" in err.message and len(err.message) < 300  # the cell is not echoed whole
    assert "nested too deeply" in ingest(BAD["nested-json"], city, actor=who()).report.errors[0].message
    assert "128 KB" in ingest(BAD["giant-field"], city, actor=who()).report.errors[0].message


def test_future_targets_and_next_period_actuals_are_accepted(city):
    """One reporting cycle ahead is an actual filed early; a target may be years ahead."""
    today = pd.Timestamp.today()
    data = (f"measure_id,period,value,target\n{HH},{today.year}-Q{today.quarter},1,\n"
            f"{HH},{(today + pd.DateOffset(months=3)).year}-Q{(today + pd.DateOffset(months=3)).quarter},2,\n"
            f"{HH},2040-Q1,,5000\n").encode()
    out = ingest(data, city, actor=who(), dry_run=True)
    assert out.status == "preview", out.to_summary()
    assert out.counts["observations"] == 2 and out.counts["targets"] == 1


def test_formula_and_sql_text_are_only_data(city):
    out = ingest(BAD["formula"], city, actor=who())
    err = out.report.errors[0]
    assert err.row_number == 2 and err.field_name == "value" and "formula" in err.message
    assert err.cell.startswith("=HYPERLINK")
    out = ingest(BAD["sql-text"], city, actor=who())
    assert any("DROP TABLE" in (e.cell or "") for e in out.report.errors)


def test_last_row_bad_rejects_the_whole_file(city):
    out = ingest(BAD["last-row-bad"], city, actor=who())
    assert [e.row_number for e in out.report.errors] == [38]
    assert out.rejected["row_number"].tolist() == [38]
    assert value(city, HH, "2010-Q1") != 3010


def test_size_limit_matches_streamlit_config():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert settings.MAX_FILE_BYTES == config["server"]["maxUploadSize"] * 1024 * 1024


def test_over_the_limit_is_refused_before_reading(city, tmp_path):
    before = snapshot(city)
    small = tmp_path / "small.csv"
    small.write_text("measure_id,period,value\n" + f"{HH},2018-Q1,3100\n" * 100)
    out = ingest(small, city, options={"max_bytes": 1000}, actor=who())
    assert out.status == "rejected" and out.report.errors[0].code == "file-too-large"
    # a real file over the default limit (sparse: the size check fires before any byte is read)
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as f:
        f.write(b"measure_id,period,value\n")
        f.truncate(settings.MAX_FILE_BYTES + 1024 * 1024)
    out = ingest(huge, city, actor=who())
    assert out.status == "rejected" and out.report.errors[0].code == "file-too-large"
    assert "limit" in out.report.errors[0].message
    assert snapshot(city) == before


def test_a_million_rows_load(tmp_path):
    from tests.conftest import make_db
    url = make_db(f"duckdb:///{tmp_path / 'm.duckdb'}", seeded=False)
    reg = "measure_id,name,kind,unit,direction,frequency,department,owner,public\n" + "".join(
        f"m{i:03d},Measure {i},output,,higher,month,,,false\n" for i in range(100))
    assert ingest(reg.encode(), url, actor=who()).status == "committed"
    months = pd.period_range("1990-01", periods=400, freq="M").strftime("%Y-%m").to_numpy()
    n = 1_000_000
    ids = np.repeat([f"m{i:03d}" for i in range(100)], n // 100)
    frame = pd.DataFrame({"measure_id": ids, "period": np.tile(months, n // 400),
                          "dimension": "district", "member": np.tile(np.repeat(np.arange(25).astype(str), 400),
                                                                     n // 10_000),
                          "value": np.arange(n, dtype="float64")})
    path = tmp_path / "million.csv"
    frame.to_csv(path, index=False)
    out = ingest(path, url, actor=who())
    assert out.status == "committed", out.to_summary()
    assert out.counts["new"] == n
    assert value(url, "m042", "1999-12", "district", "7") is not None
