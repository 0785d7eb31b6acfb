"""The council report, opened the way council staff would: the PDF's text (pypdf) and the workbook's
cells (openpyxl) hold the goal names, the Seattle figure and the period; odd input gives a
sensible document (no data, a goal with no measures, a measure without a target, a narrative
with raw HTML, a name that is a spreadsheet formula) and unusable input one line from the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from metrics import access
from metrics.catalog import notes
from metrics.publish import report
from metrics.store import db, schema
from tests.conftest import REPO

RAW_HTML = "<b>Bold claim</b> <script>alert(1)</script> & more"
STAFF = access.Actor("user", "ana", "admin")
WHY = "Exits rose after <i>coordinated entry</i> opened in January"
WHY_MONTH = "Outreach doubled in February: two new street teams"
NOTES = [("2017-07-12", "Coordinated entry launched"), ("2018-02-15", "Winter shelter surge"),
         ("2018-06-01", "After the period: not in a Q1 report")]


@pytest.fixture(scope="module")
def odd_city(tmp_path_factory, duck_city) -> str:
    """The demo city plus a goal with no measures, a narrative with raw HTML, a formula-like name."""
    import shutil

    path = tmp_path_factory.mktemp("rep") / "city.duckdb"
    shutil.copyfile(db.duckdb_path(duck_city), path)
    url = f"duckdb:///{path}"
    with db.writer(url) as conn:
        conn.execute(sa.insert(schema.goals).values(id="empty-goal", priority_id=conn.execute(
            sa.select(schema.goals.c.priority_id).where(schema.goals.c.id == "reduce-homelessness")).scalar(),
            name="Plant more street trees", statement="A goal with no measures yet.", is_public=True))
        conn.execute(sa.update(schema.goals).where(schema.goals.c.id == "reduce-homelessness")
                     .values(narrative=RAW_HTML))
        conn.execute(sa.update(schema.measures).where(schema.measures.c.id == "homes-repaired")
                     .values(name="=HYPERLINK(\"http://evil\",\"homes\")", updated_at=datetime.now(UTC)))
    notes.set_narrative(url, "households-stable-housing", "2018-Q1", WHY, actor=STAFF)
    notes.set_narrative(url, "households-stable-housing", "2017-Q1", "Last year's story: not this report", actor=STAFF)
    notes.set_narrative(url, "outreach-contacts", "2018-02", WHY_MONTH, actor=STAFF)
    for day, body in NOTES:
        notes.annotate_measure(url, "households-stable-housing", day, body, actor=STAFF)
    return url


@pytest.fixture(scope="module")
def pdf(odd_city, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf") / "report.pdf"
    made = report.write_report(out, period="2018-Q1", url=odd_city, actor=STAFF)
    text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    return made, text, out


def test_pdf_has_goals_values_and_period(pdf):
    made, text, out = pdf
    assert out.stat().st_size > 20_000 and not made.no_data
    assert "Performance report, 2018-Q1" in text and "2018-03-31" in text
    assert "Move people experiencing homelessness into stable housing" in text
    assert "Build and preserve affordable homes" in text
    assert "3,024 households" in text  # the Seattle quarter
    assert "City score" in text and "What Works Cities" in text
    assert sum(1 for g in made.goals if g.chart_png) >= 10  # charts as images


def test_pdf_odd_input_is_a_sensible_document(pdf):
    _, text, _ = pdf
    flat = " ".join(text.split())
    assert "<b>Bold claim</b> <script>alert(1)</script> & more" in flat  # shown as written, not as markup
    assert "Plant more street trees" in flat and "This goal has no published measures yet" in flat
    assert "No target" in flat  # a measure without a target
    assert '=HYPERLINK("http://evil","homes")' in flat  # text in a PDF, harmless


def test_pdf_carries_narratives_and_numbered_annotations(pdf):
    made, text, _ = pdf
    flat = " ".join(text.split())
    assert f"Households moved into stable housing, 2018-Q1. {WHY}" in flat  # raw HTML printed as text
    assert WHY_MONTH in flat and "2018-02" in flat
    assert "Last year's story" not in flat  # another period's narrative
    assert "[1] 2017-07-12 (2017-Q3): Coordinated entry launched" in flat
    assert "[2] 2018-02-15 (2018-Q1): Winter shelter surge" in flat
    assert "After the period" not in flat
    homeless = next(g for g in made.goals if g.id == "reduce-homelessness")
    assert list(homeless.marks["label"]) == ["[1]", "[2]"] and homeless.chart_png


def test_pdf_for_a_period_with_no_data(odd_city, tmp_path):
    made = report.write_report(tmp_path / "empty.pdf", period="1990-Q1", url=odd_city, actor=STAFF,
                               goal_id="reduce-homelessness")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(made.out).pages).split())
    assert made.no_data and "No figures were reported for 1990-Q1 or earlier" in text
    assert "Move people experiencing homelessness into stable housing" in text


def test_workbook_sheets_values_and_formulas(odd_city, tmp_path):
    made = report.write_report(tmp_path / "report.xlsx", period="2018-Q1", url=odd_city, actor=STAFF)
    wb = load_workbook(made.out)
    assert wb.sheetnames[0] == "Summary" and wb.sheetnames[-1] == "Raw data"
    assert len(wb.sheetnames) == len(made.goals) + 2
    summary = [[c for c in r if c is not None] for r in wb["Summary"].iter_rows(values_only=True)]
    assert any("2018-Q1" in str(r[0]) for r in summary if r)
    assert "Move people experiencing homelessness into stable housing" in {r[0] for r in summary if r}
    sheet = next(wb[n] for n in wb.sheetnames if n.startswith("Move people experiencing"))
    rows = list(sheet.iter_rows(values_only=True))
    hs = next(r for r in rows if r and r[1] == "Households moved into stable housing")
    assert hs[3] == "2018-Q1" and hs[4] == 3024 and hs[0] == "On track"
    assert any(r and r[0] == "Narrative" and r[1] == RAW_HTML for r in rows)
    head = next(r for r in rows if r and r[0] == "status")
    assert head[7] == "narrative" and hs[7] == WHY
    outreach = next(r for r in rows if r and r[1] == "Outreach contacts")
    assert outreach[7].endswith(WHY_MONTH)
    assert ("[2]", "2018-02-15", "2018-Q1", "Winter shelter surge") in [tuple(r[:4]) for r in rows if r]
    assert not any("After the period" in str(c) for r in rows for c in r if c)
    empty = next(wb[n] for n in wb.sheetnames if n.startswith("Plant more street trees"))
    assert any(r and r[0] == "Note" for r in empty.iter_rows(values_only=True))
    formulas = [c for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert not formulas
    cells = [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'=HYPERLINK(\"http://evil\",\"homes\")" in cells
    raw = list(wb["Raw data"].iter_rows(values_only=True))
    assert raw[0][:4] == ("measure_id", "measure_name", "unit", "period")
    assert {r[3] for r in raw[1:]} <= {"2018-01", "2018-02", "2018-03", "2018-Q1"} and len(raw) > 50


def _cli(*args: str, url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "metrics", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "METRICS_DB_URL": url}, timeout=600)


@pytest.mark.parametrize("args, says", [
    (["--period", "2018-Q5", "--out", "r.xlsx"], "--period must be a canonical period label"),
    (["--period", "2018-Q1", "--out", "r.docx"], "--out must end in .pdf or .xlsx"),
    (["--period", "2018-Q1", "--out", "r.xlsx", "--goal", "no-such-goal"], "there is no goal 'no-such-goal'"),
])
def test_cli_refuses_unusable_input_in_one_line(odd_city, tmp_path, args, says):
    args = [a if not a.startswith("r.") else str(tmp_path / a) for a in args]
    r = _cli("report", *args, url=odd_city)
    assert r.returncode == 1 and "Traceback" not in r.stderr and says in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())


def test_cli_writes_a_goal_workbook(odd_city, tmp_path):
    r = _cli("report", "--period", "2018-Q1", "--out", str(tmp_path / "goal.xlsx"), "--goal", "reduce-homelessness",
             url=odd_city)
    assert r.returncode == 0, r.stderr
    assert "wrote the 2018-Q1 report (1 goal)" in r.stdout
    assert len(load_workbook(tmp_path / "goal.xlsx").sheetnames) == 3


def test_staff_download_is_the_same_report_and_the_public_may_not(odd_city):
    from io import BytesIO

    from metrics.views import report as report_view

    made = report_view.council_report(odd_city, STAFF, period="2018-Q1", fmt="xlsx")
    assert made.name == "council-report-2018-Q1.xlsx" and made.mime.endswith("spreadsheetml.sheet")
    assert "Summary" in load_workbook(BytesIO(made.data)).sheetnames
    with pytest.raises(access.Forbidden):
        report_view.council_report(odd_city, access.PUBLIC_PORTAL, period="2018-Q1", fmt="xlsx")
