"""Bad-file corpus, generated per test: each case gives a clear message naming row and column."""

import pandas as pd
import pytest

from metrics.ingest import IngestFailed, accepted_rows, check_file, read_file, template_csv, validate
from metrics.ingest.detect import detect_encoding, detect_header

KNOWN = pd.DataFrame({"id": ["trees", "potholes", "response"], "frequency": ["month", "quarter", "month"],
                      "plausible_min": [0, 0, 0], "plausible_max": [1000, None, 60]})


def _codes(report):
    return [e.code for e in report.errors]


def test_cp1252_with_accent(tmp_path):
    path = tmp_path / "cp1252.csv"
    path.write_bytes("measure_id,period,value,note\ntrees,2019-01,5,Café opened\n".encode("cp1252"))
    df, report = read_file(path)
    assert report.valid and report.info["encoding"] != "utf-8"
    assert df.note.iloc[0] == "Café opened"


def test_binary_renamed_csv(tmp_path):
    path = tmp_path / "book.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 4)
    with pytest.raises(IngestFailed) as exc:
        detect_encoding(path.read_bytes())
    assert exc.value.error.code == "file-format-error"
    df, report = read_file(path)
    assert df.empty and _codes(report) == ["file-format-error"]
    assert "binary file" in report.errors[0].message


@pytest.mark.parametrize("content, note", [(b"", "empty"), (b"measure_id,period,value\r\n", "no data rows")])
def test_empty_and_header_only(tmp_path, content, note):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    df, report = read_file(path)
    assert df.empty and _codes(report) == ["file-empty-file"]
    assert note in report.errors[0].message


def test_too_large(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"measure_id,period,value\n" + b"trees,2019-01,1\n" * 100)
    _, report = read_file(path, options={"max_bytes": 1000})
    assert _codes(report) == ["file-too-large"]


def test_formula_cells_are_text_in_notes_and_errors_in_values():
    data = (b'measure_id,period,value,note\n'
            b'trees,2019-01,"=HYPERLINK(""http://x"",""y"")","=HYPERLINK(""http://x"",""y"")"\n'
            b'trees,2019-02,4,fine\n')
    df, report = check_file(data, KNOWN, as_of="2024-01-01")
    assert df.note.iloc[0] == '=HYPERLINK("http://x","y")'
    assert _codes(report) == ["cell-type-error"]
    err = report.errors[0]
    assert (err.row_number, err.field_name, err.field_number) == (2, "value", 3)
    assert "formula" in err.message and "row 2" in err.message
    ok, bad = accepted_rows(df, report)
    assert list(ok.period) == ["2019-02"] and list(bad.row_number) == [2]


def test_sql_looking_measure_id_is_just_an_unknown_measure():
    data = b"measure_id,period,value\n\"'); DROP TABLE observations;--\",2019-01,3\n"
    df, report = check_file(data, KNOWN, as_of="2024-01-01")
    assert df.measure_id.iloc[0] == "'); DROP TABLE observations;--"
    assert _codes(report) == ["cell-unknown-measure"]
    assert report.errors[0].field_name == "measure_id" and report.errors[0].row_number == 2


def test_mixed_frequencies_future_range_duplicates():
    data = (b"Measure ID,Period,Value\n"
            b"trees,2019-01,5\n"        # ok
            b"potholes,2019-02,5\n"     # quarterly measure, monthly period
            b"trees,2031-01,5\n"        # future
            b"response,2019-03,75\n"    # out of range (max 60)
            b"trees,2019-04,1\n"
            b"trees,2019-04,2\n"        # conflicting duplicate
            b"nope,2019-01,1\n"         # unknown
            b"trees,Spring 19,1\n")     # bad period
    df, report = check_file(data, KNOWN, as_of="2024-06-30")
    got = {(e.row_number, e.code, e.field_name) for e in report.errors}
    assert got == {(3, "cell-frequency-mismatch", "Period"), (4, "cell-future-period", "Period"),
                   (5, "cell-out-of-range", "Value"), (6, "row-duplicate-key", "Measure ID"),
                   (7, "row-duplicate-key", "Measure ID"), (8, "cell-unknown-measure", "Measure ID"),
                   (9, "cell-bad-period", "Period")}
    assert report.stats["rejected"] == 7 and report.stats["accepted"] == 1
    flat = report.flatten()
    assert list(flat.columns) == ["row_number", "field_name", "cell", "code", "message"]
    assert "Spring 19" in set(flat.cell)
    assert "INVALID" in report.to_summary() and '"valid": false' in report.to_json()


def test_fails_only_on_last_row(tmp_path):
    lines = ["measure_id,period,value"] + [f"trees,{2000 + i // 12}-{i % 12 + 1:02d},{i}" for i in range(500)]
    lines.append("trees,2050-01,oops")
    path = tmp_path / "last.csv"
    path.write_text("\r\n".join(lines))
    df, report = check_file(path, KNOWN, as_of="2060-01-01")
    assert len(df) == 501
    assert [(e.code, e.row_number, e.field_name, e.cell) for e in report.errors] == [
        ("cell-type-error", 502, "value", "oops")]


def test_messy_numbers_title_rows_blank_lines_and_totals():
    data = (b"City of Somewhere performance extract\n"
            b"Generated 2024-01-01\n"
            b"\n"
            b"Measure;Period;Value;Target\n"
            b"trees;Q1 2018;3.000;\n"
            b"trees;Q2 2018;\"$1,200.50\";1,000\n"
            b"\n"
            b"trees;Q3 2018;8.8%;N/A\n"
            b"trees;Q3 2018;8.8%;N/A\n"
            b"Total;;1208.8;\n")
    df, report = read_file(data)
    assert report.valid, report.to_summary()
    assert report.info["delimiter"] == ";" and report.info["header_row"] == 4
    assert list(df.period) == ["2018-Q1", "2018-Q2", "2018-Q3"]
    assert list(df.value) == [3.0, 1200.5, 8.8]
    assert list(df.row_number) == [5, 6, 8]
    assert df.target.iloc[1] == 1000
    codes = {(w.code, w.row_number) for w in report.warnings}
    assert {("row-blank-row", 7), ("row-duplicate-row", 9), ("row-totals-row", 10)} <= codes


def test_error_limit_marks_partial():
    rows = "\n".join(f"m{i},2019-01,x" for i in range(50))
    df, report = check_file(f"measure_id,period,value\n{rows}\n".encode(), None, options={"error_limit": 10})
    assert report.partial and len(report.errors) == 10 and report.error_count == 50
    assert len(report.rejected_index) == 50


def test_detect_header_skips_titles_and_spots_headerless():
    assert detect_header([["Report"], ["a", "b", "c"], ["1", "2", "x"], ["3", "4", "y"]]) == 1
    assert detect_header([["1000", "2012-04-23", "Library"], ["9000", "2012-04-27", "Library"]]) is None
    assert detect_header([["id", "name", "2019", "2020"], ["1", "x", "3", "4"]]) == 0


def test_template_reads_back_as_canonical():
    df, report = read_file(template_csv().encode())
    assert report.valid and list(df.member) == ["", "3"]
    assert validate(df).valid


def test_generated_200k_rows_read_and_validate(tmp_path):
    n = 200_000
    ids = pd.Series([f"m{i % 400}" for i in range(n)])
    months = pd.Series([f"{2000 + (i // 400) // 12}-{(i // 400) % 12 + 1:02d}" for i in range(n)])
    frame = pd.DataFrame({"measure_id": ids, "period": months, "value": range(n)})
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    df, report = check_file(path, pd.DataFrame({"id": [f"m{i}" for i in range(400)], "frequency": "month"}),
                            as_of="2100-01-01")
    assert report.valid, report.to_summary()
    assert len(df) == n and df.row_number.iloc[-1] == n + 1


def test_wide_fiscal_months_and_relative_years():
    data = (b"Metric,Name,OCT,NOV,SEP,CFY Target,PFY,Avg3yr\n"
            b"calls,Calls answered,10,11,12,100,90,5\n")
    df, report = read_file(data, options={"fiscal_year": 2019, "fiscal_start_month": 10})
    assert report.valid and report.info["layout"] == "wide", report.to_summary()
    got = {(p, k): (v, t) for p, k, v, t in zip(df.period, df.value_kind, df.value, df.target, strict=True)}
    assert got[("2018-10", "actual")][0] == 10 and got[("2019-09", "actual")][0] == 12
    assert got[("FY2018", "actual")][0] == 90
    assert got[("FY2019", "actual")][1] == 100  # target-only period: value NaN, target 100
    assert "Avg3yr" not in set(df.field_name)


def test_auto_mapping_synonyms_and_json_roundtrip():
    from metrics.ingest import Mapping, auto_mapping, source_key

    m = auto_mapping(["PM Code", "Performance.Measure.Name", "Budget", "Performance.Measure.Amount", "Unit/Value"],
                     sample={"Budget": ["2017-18 Adopted"]})
    assert m.columns == {"PM Code": "measure_id", "Performance.Measure.Name": "measure_name", "Budget": "period",
                         "Performance.Measure.Amount": "value", "Unit/Value": "unit"}
    assert "Budget" not in auto_mapping(["ID", "Budget", "Amount"], sample={"Budget": ["1200", "3400"]}).columns
    assert Mapping.from_json(m.to_json()) == m
    assert source_key(["PM Code", "Value"]) == source_key(["pm_code", "value"])


def test_actuals_may_start_one_cycle_ahead_targets_any_time():
    """As of 2024-06-30: next month / quarter / fiscal year is an actual filed early; the one after is
    rejected at its cell; a target-only row years ahead is fine."""
    known = pd.DataFrame({"id": ["m", "q", "f"], "frequency": ["month", "quarter", "fiscal_year"]})
    data = (b"measure_id,period,value,target\n"
            b"m,2024-07,1,\n"     # one month ahead: ok
            b"m,2024-08,1,\n"     # two months ahead: future
            b"q,2024-Q3,1,\n"     # next quarter: ok
            b"q,2024-Q4,1,\n"     # future
            b"f,FY2025,1,\n"      # FY2025 starts 2024-07: ok
            b"f,FY2026,1,\n"      # starts 2025-07: more than a year ahead
            b"m,2031-01,,500\n")  # a target only: ok
    _, report = check_file(data, known, as_of="2024-06-30")
    assert [(e.row_number, e.code, e.field_name) for e in report.errors] == [
        (3, "cell-future-period", "period"), (5, "cell-future-period", "period"), (7, "cell-future-period", "period")]
    assert "more than one month after 2024-06-30" in report.errors[0].message


@pytest.mark.parametrize("cell, why", [("inf", "not a finite number"), ("-Infinity", "not a finite number"),
                                       ("NaN", "NaN is not a value"), ("2e15", "beyond ±1,000,000,000,000,000"),
                                       ("$" + "9" * 120, "more than 100 digits"),
                                       ("0." + "0" * 120 + "1", "more than 100 digits")])
def test_hostile_numbers_are_rejected_at_their_cell(cell, why):
    df, report = check_file(f"measure_id,period,value,target\ntrees,2019-01,5,{cell}\n".encode(), KNOWN,
                            as_of="2024-01-01")
    assert [(e.code, e.row_number, e.field_name) for e in report.errors] == [("cell-absurd-value", 2, "target")]
    assert why in report.errors[0].message and len(report.errors[0].message) < 300
    assert df.target.isna().all()  # never stored as inf or a rounded giant
