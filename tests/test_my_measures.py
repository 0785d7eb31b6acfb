"""My measures: due and overdue periods per owner, a typed value loaded like an upload (and rolled back like
one) with its narrative, the reminder list as CSV and as e-mail through a local SMTP server."""

from __future__ import annotations

import email
import email.policy
import io
import re
import socketserver
import threading
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from metrics import access, catalog
from metrics.catalog import reminders
from metrics.domain import text
from metrics.ingest.rollback import rollback
from metrics.views import measure as measure_view
from metrics.views import my_measures
from tests.conftest import REPO, sql_frame
from tests.test_catalog import snapshot

ED = access.Actor("user", "ed", "editor")
HH = "households-stable-housing"
OWNER = "Human Services Department"


def test_due_and_overdue_follow_the_stale_rule(seeded_url):
    v = my_measures.build(seeded_url, ED, owner=OWNER, today=date(2026, 12, 2))
    assert v.owner == OWNER and set(v.measures["owner"]) == {OWNER}
    hh = v.measures.set_index("measure_id").loc[HH]
    assert hh["next_period"] == "2026-Q4" and hh["status"] == "ok"  # the quarter has not ended yet
    later = my_measures.build(seeded_url, ED, owner=OWNER, today=date(2027, 1, 15)).measures.set_index("measure_id")
    assert later.at[HH, "status"] == "due"
    much_later = my_measures.build(seeded_url, ED, owner=OWNER, today=date(2027, 6, 1)).measures.set_index("measure_id")
    assert much_later.at[HH, "status"] == "overdue"
    assert str(much_later.at[HH, "due"]) == "2027-02-14"  # the stale rule: Q3's end + one quarter + 45 days' grace
    assert set(my_measures.build(seeded_url, ED, today=date(2027, 6, 1)).reminders["status"]) <= {"due", "overdue"}


def test_a_typed_value_is_an_upload_with_its_narrative_and_rolls_back(seeded_url):
    before = measure_view.build(seeded_url, ED, measure_id=HH).latest
    assert before.period == "2026-Q3"
    out = catalog.enter_value(seeded_url, HH, "2026-Q3", "3,750", narrative="Winter **push**.", actor=ED)
    assert out["upload_id"] is not None and out["narrative"]["changed"]
    v = measure_view.build(seeded_url, ED, measure_id=HH)
    assert v.latest.period == "2026-Q3" and v.latest.actual == 3750
    assert v.narratives.iloc[0]["period"] == "2026-Q3" and "Winter **push**." in v.narratives.iloc[0]["shown"]
    up = sql_frame("SELECT file_name, uploaded_by, rows_changed FROM uploads WHERE id = :i", seeded_url,
                   i=out["upload_id"])
    assert up.iloc[0].to_dict() == {"file_name": f"typed {HH} 2026-Q3.csv", "uploaded_by": "ed", "rows_changed": 1}
    assert "rolled back" in rollback(out["upload_id"], seeded_url, actor=ED)
    assert measure_view.build(seeded_url, ED, measure_id=HH).latest.actual == before.actual


def test_a_rejected_value_writes_nothing_not_even_the_narrative(seeded_url):
    before = snapshot(seeded_url)
    with pytest.raises(catalog.CatalogError, match="does not fit the measure's frequency"):
        catalog.enter_value(seeded_url, HH, "2026-12", "3", narrative="x", actor=ED)
    with pytest.raises(catalog.CatalogError, match="not a number"):
        catalog.enter_value(seeded_url, HH, "2026-Q4", "lots", actor=ED)
    assert snapshot(seeded_url) == before


def test_value_and_narrative_are_one_change_a_failed_narrative_leaves_no_value(seeded_url):
    """The narrative is written in the value's transaction: when it cannot be written (here its table is
    gone from this private copy), the value is not loaded either, and the owner is not left with half a step."""
    from metrics.errors import MetricsError
    from metrics.store import db

    with db.writer(seeded_url) as conn:
        conn.exec_driver_sql("ALTER TABLE narratives RENAME TO narratives_gone")
    count = "SELECT COUNT(*) AS n FROM {}"
    before = {t: sql_frame(count.format(t), seeded_url).iloc[0]["n"] for t in ("observations", "uploads")}
    with pytest.raises(MetricsError):
        catalog.enter_value(seeded_url, HH, "2026-Q4", "3,900", narrative="Winter push.", actor=ED)
    assert {t: sql_frame(count.format(t), seeded_url).iloc[0]["n"] for t in before} == before
    with db.writer(seeded_url) as conn:
        conn.exec_driver_sql("ALTER TABLE narratives_gone RENAME TO narratives")
    assert measure_view.build(seeded_url, ED, measure_id=HH).latest.period == "2026-Q3"


class _SMTP(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: every message received is kept on the server."""

    def handle(self) -> None:
        self.wfile.write(b"220 test\r\n")
        rcpt, data = [], None
        while line := self.rfile.readline():
            cmd = line.decode().strip()
            if data is not None:
                if cmd == ".":
                    self.server.messages.append((rcpt, "\n".join(data)))
                    rcpt, data = [], None
                    self.wfile.write(b"250 queued\r\n")
                else:
                    data.append(line.decode().rstrip("\r\n"))
                continue
            verb = cmd.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250 test\r\n")
            elif verb == "RCPT":
                rcpt.append(re.search(r"<(.*)>", cmd)[1])
                self.wfile.write(b"250 ok\r\n")
            elif verb == "DATA":
                data = []
                self.wfile.write(b"354 go\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTP)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_reminders_are_e_mailed_to_owners_with_an_address(seeded_url, smtp_server):
    catalog.edit_measure(seeded_url, HH, {"owner": "housing.lead@city.example"}, actor=ED)
    rem = my_measures.build(seeded_url, ED, today=date(2027, 6, 1)).reminders
    assert "housing.lead@city.example" in set(rem["owner"])
    cfg = {"host": "127.0.0.1", "port": smtp_server.server_address[1], "sender": "perf@city.example"}
    out = reminders.send_reminders(seeded_url, rem, actor=ED, smtp=cfg, addresses={"Police Department": "pd@city.example"})
    assert sorted(out["sent"]) == ["housing.lead@city.example", "pd@city.example"]
    assert "Human Services Department" in out["no_address"]
    raw = next(body for rcpt, body in smtp_server.messages if rcpt == ["housing.lead@city.example"])
    to_housing = email.message_from_string(raw, policy=email.policy.default).get_content()
    assert "Households moved into stable housing (households-stable-housing): 2026-Q4, overdue" in to_housing
    audit = sql_frame("SELECT actor, action FROM audit_log ORDER BY id DESC LIMIT 1", seeded_url).iloc[0]
    assert (audit["actor"], audit["action"]) == ("ed", "reminders-send")
    csv = pd.read_csv(io.StringIO(text.to_csv(rem)))
    assert list(csv.columns) == my_measures.REMINDER_COLUMNS


def test_an_unreachable_mail_server_is_one_sentence(seeded_url):
    rem = my_measures.build(seeded_url, ED, today=date(2027, 6, 1)).reminders
    with pytest.raises(catalog.CatalogError, match="refused or did not answer"):
        reminders.send_reminders(seeded_url, rem, actor=ED, smtp={"host": "127.0.0.1", "port": 1, "sender": "x@y.z"})
    with pytest.raises(access.Forbidden):
        reminders.send_reminders(seeded_url, rem, actor=access.Actor("user", "vi", "viewer"))


def test_my_measures_page_enters_a_value_and_the_measure_moves(seeded_url, monkeypatch):
    monkeypatch.setenv("METRICS_DB_URL", seeded_url)
    monkeypatch.chdir(REPO)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.run()
    at.query_params["owner"] = OWNER
    at.switch_page("app_pages/my_measures.py").run()
    assert not at.exception and not at.error and at.title[0].value == "My measures"
    next(s for s in at.selectbox if s.label == "Measure").set_value(HH)
    at.run()
    next(t for t in at.text_input if t.label == "Period").input("2026-Q3")
    next(t for t in at.text_input if t.label.startswith("Value")).input("3800")  # the latest quarter, corrected
    next(t for t in at.text_area if t.label.startswith("Why it moved")).input("New intake centre.")
    next(b for b in at.button if b.label == "Save value and narrative").click()
    at.run()
    assert not at.exception and not at.error
    shown = [re.sub(r"\\(.)", r"\1", s.value) for s in at.success]  # md-escaped text, as a reader sees it
    assert any("loaded as upload" in s and "Narrative saved." in s for s in shown), shown
    v = measure_view.build(seeded_url, ED, measure_id=HH)
    assert v.latest.period == "2026-Q3" and v.latest.actual == 3800
    assert any(b.label == "Download the reminder list (CSV)" for b in at.get("download_button"))
