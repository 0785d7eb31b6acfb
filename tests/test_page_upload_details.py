"""AppTest of the Upload page's mapping step with the shared real samples: the measure details it
detects (name, direction, department, target ...) are shown, each can be changed with a widget, the
preview says what they set on which drafts; and the Measure page of a draft made from a sample never
shows "nan" (missing is "—")."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from metrics.ingest.commit import ingest
from tests.conftest import REPO, make_db, sql_frame
from tests.ingest.conftest import SAMPLES, who

NAN = re.compile(r"\bnan\b", re.I)


def plain(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def all_text(at: AppTest) -> str:
    """Everything a reader sees as text on the page: headings, prose, alerts, metrics and table cells."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                                  "success", "error") for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [d.value.astype(str).to_csv(index=False) for d in at.dataframe]
    return plain("\n".join(str(p) for p in parts))


@pytest.fixture
def empty_url(tmp_path, monkeypatch):
    if not SAMPLES.is_dir():
        pytest.skip("samples folder not found")
    url = make_db(f"duckdb:///{tmp_path / 'up.duckdb'}", seeded=False)
    monkeypatch.setenv("METRICS_DB_URL", url)
    monkeypatch.chdir(REPO)
    return url


def _upload(name: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.run()
    at.switch_page("app_pages/upload.py")
    at.session_state["upload"] = (name, (SAMPLES / name).read_bytes())
    at.run()
    return at.checkbox(key="create_measures").check().run()


def _picker(at: AppTest, prefix: str):
    return next(s for s in at.selectbox if s.key and s.key.startswith(prefix))


def test_mapping_step_shows_the_detected_details_and_the_preview_says_what_they_set(empty_url):
    at = _upload("nyc_mmr_indicators_wide.csv")
    assert not at.exception and not at.error
    picked = {role: _picker(at, f"detail-{role}-").value
              for role in ("measure_name", "direction", "department", "target", "unit", "owner")}
    assert picked == {"measure_name": "Indicator", "direction": "Desired.Direction",
                      "department": "Agency.Full.Name.y", "target": "Target.MMR", "unit": "(none)", "owner": "(none)"}
    said = " ".join(plain(c.value) for c in at.caption)
    assert "The 299 new draft measures get from the file" in said
    assert "direction for 299 (from “Desired.Direction”)" in said
    assert "department for 292 (from “Agency.Full.Name.y”)" in said
    table = next(d.value for d in at.dataframe if "department" in d.value.columns)
    row = table[table["id"] == "119"].iloc[0]
    assert (row["direction"], row["department"], row["owner"]) == ("lower is better", "Department of Buildings", "—")
    assert table[table["id"] == "114"].iloc[0]["unit"] == "%"
    assert not NAN.search(all_text(at))
    assert "frequency from the periods found: yearly (299)" in said
    _picker(at, "grain-").select("fiscal_year")  # NYC's bare years are fiscal years
    at = next(b for b in at.button if b.label == "Apply mapping").click().run()
    assert not at.exception and not at.error
    said = " ".join(plain(c.value) for c in at.caption)
    assert "frequency from the periods found: fiscal-yearly (299)" in said
    assert sql_frame("SELECT COUNT(*) AS n FROM measures", empty_url).n.iloc[0] == 0  # a preview writes nothing


def test_changing_a_detail_and_what_budget_values_are_changes_what_loads(empty_url):
    at = _upload("la_performance_fy18_19_long.csv")
    assert not at.exception and not at.error
    assert _picker(at, "detail-department-").value == "Department.Name"
    assert _picker(at, "kind-budget-").value == "target"  # Adopted/Proposed load as targets by default
    assert any("292 targets" in plain(c.value) for c in at.caption)
    _picker(at, "detail-department-").select("(none)")
    _picker(at, "kind-budget-").select("held_out")
    at = next(b for b in at.button if b.label == "Apply mapping").click().run()
    assert not at.exception and not at.error
    table = next(d.value for d in at.dataframe if "department" in d.value.columns)
    assert set(table["department"]) == {"—"}
    assert not any("targets" in plain(c.value) for c in at.caption if c.value.startswith("Also"))
    assert any("292 budget values were not loaded" in plain(w.value) for w in at.warning)
    at = next(b for b in at.button if b.label == "Accept and load").click().run()
    assert not at.exception and not at.error
    stored = sql_frame("SELECT COUNT(*) AS n, COUNT(department) AS d FROM measures", empty_url).iloc[0]
    assert (stored.n, stored.d) == (189, 0)
    assert sql_frame("SELECT COUNT(*) AS n FROM targets", empty_url).n.iloc[0] == 0


@pytest.fixture
def sample_drafts(seeded_url, monkeypatch):
    if not SAMPLES.is_dir():
        pytest.skip("samples folder not found")
    for name, opts in (("nyc_mmr_indicators_wide.csv", {"grain": "fiscal_year"}),
                       ("la_performance_fy18_19_long.csv", {}), ("boston_budget_health_fy19.json", {}),
                       ("cityscore_toolkit_values_fixture.json", {})):
        out = ingest(SAMPLES / name, seeded_url, options=opts, create_measures=True, actor=who())
        assert out.status == "committed", out.to_summary()
    monkeypatch.setenv("METRICS_DB_URL", seeded_url)
    monkeypatch.chdir(REPO)
    return seeded_url


@pytest.mark.parametrize("measure_id, shows", [
    ("119", ["lower is better", "Department of Buildings", "unit: —", "goal: —", "No methodology recorded yet.",
             "Owner: —"]),
    ("114", ["higher is better", "unit: %"]),
    ("14CITYRECORDS", ["City Clerk", "unit: —"]),
    ("of-babies-who-are-low-birthweight", ["Public Health Commission", "Owner: Monica Valdes Lupi, Executive Director"]),
    ("1", ["CityScore metric 1", "daily"]),
])
def test_measure_page_of_a_sample_draft_never_shows_nan(sample_drafts, measure_id, shows):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.query_params["measure"] = measure_id
    at.run()
    at = at.switch_page("app_pages/measure.py").run()
    assert not at.exception and not at.error
    assert "DRAFT" in plain(at.caption[0].value)
    seen = all_text(at)
    for words in shows:
        assert words in seen, (measure_id, words)
    assert not NAN.search(seen), NAN.search(seen)
