"""The open data and the static public site: what a resident downloads and reads.

Built from the demo city with the visibility matrix's planted secrets (a draft measure, a
published measure of a non-public goal, small counts in a breakdown, a private goal and a
priority whose only goal is private; every planted name carries "Planted Zq"): no file of the
site may hold any of them, the open-data files round-trip through pandas, and bad input
(a base URL that is not http(s), an output folder that is not a previous site) is one clear
message from the CLI, never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from metrics import access
from metrics.catalog import notes
from metrics.publish import images, site
from tests.conftest import REPO, make_db
from tests.test_visibility import (
    DRAFT,
    HIDDEN_GOAL,
    HIDDEN_GOAL_MEASURE,
    SECRET_MARK,
    THRESHOLD,
    plant,
    truth,
)

ADMIN = access.Actor("user", "ada", "admin")
WHY = "Exits rose after <b>coordinated entry</b> opened"
NOTES = [("2017-07-12", "Coordinated entry launched"), ("2018-02-15", "Winter shelter surge")]


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def planted_url(request, tmp_path_factory) -> str:
    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path_factory.mktemp('pub') / 'city.duckdb'}"
    else:
        url = request.getfixturevalue("new_pg_schema")()
    url = plant(make_db(url))
    notes.set_narrative(url, "households-stable-housing", "2018-Q1", WHY, actor=ADMIN)
    for day, body in NOTES:
        notes.annotate_measure(url, "households-stable-housing", day, body, actor=ADMIN)
    return url


@pytest.fixture(scope="module")
def built(planted_url, tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "public"
    report = site.publish(out, planted_url, base_url="https://data.example.gov/performance")
    return out, report


def test_no_planted_secret_in_any_file(built):
    out, report = built
    assert report.pages > 100 and (out / site.MARKER).is_file()
    hidden = {DRAFT, HIDDEN_GOAL_MEASURE, "planted-secret-goal", "planted-priority"}
    problems = []
    for path in out.rglob("*"):
        if not path.is_file() or path.suffix in (".js", ".parquet"):
            continue
        body = path.read_text(encoding="utf-8")
        problems += [f"{path.relative_to(out)}: {SECRET_MARK}" for _ in [1] if SECRET_MARK in body]
        problems += [f"{path.relative_to(out)}: {h}" for h in hidden if h in body]
        problems += [f"{path.relative_to(out)}: /{HIDDEN_GOAL}." for _ in [1] if f"/{HIDDEN_GOAL}." in body]
    assert not problems, problems[:10]
    assert not (out / "measures" / f"{DRAFT}.html").exists()
    assert not (out / "goals" / f"{HIDDEN_GOAL}.html").exists()


def test_charts_carry_numbered_notes_and_an_svg_fallback(built):
    out, report = built
    for rel in ("goals/reduce-homelessness.html", "measures/households-stable-housing.html"):
        page = (out / rel).read_text()
        assert "<strong>[1]</strong> 2017-07-12 (2017-Q3): Coordinated entry launched" in page, rel
        assert "<strong>[2]</strong> 2018-02-15 (2018-Q1): Winter shelter surge" in page, rel
        assert '"text":"[1]"' in page.replace(" ", "")  # the marker on the interactive chart
        svg = page.split('<img src="../', 1)[1].split('"', 1)[0]
        assert svg.startswith(images.SITE_FOLDER) and svg.endswith(".svg"), rel
        drawn = (out / svg).read_text()
        assert drawn.lstrip().startswith("<svg") and "[2]" in drawn and "Households moved into stable" in drawn
    measure = (out / "measures" / "households-stable-housing.html").read_text()
    assert "Why it moved" in measure and "Exits rose after &lt;b&gt;coordinated entry&lt;/b&gt; opened" in measure
    charts = list((out / images.SITE_FOLDER).glob("*.svg"))
    # each chart once: drawn, or (the second engine's identical site) taken from the run's chart cache
    assert report.charts_exported + report.charts_reused == len(charts) > 100


def test_a_fresh_folder_reuses_the_chart_cache(built, planted_url, tmp_path):
    out, first = built
    other = site.publish(tmp_path / "second-site", planted_url)  # a new folder: no previous site to take from
    assert other.charts_exported == 0 and other.charts_reused == first.charts_exported + first.charts_reused
    names = sorted(p.name for p in (tmp_path / "second-site" / images.SITE_FOLDER).glob("*.svg"))
    assert names == sorted(p.name for p in (out / images.SITE_FOLDER).glob("*.svg"))


def test_open_data_round_trips_and_suppresses_small_counts(built, planted_url):
    out, _ = built
    counts_ids = truth(planted_url)["counts"]
    text_cols = {c: str for c in ("measure_id", "measure_name", "unit", "period", "period_end", "dimension", "member")}
    csv = pd.read_csv(out / "data" / "measures.csv", dtype=text_cols, keep_default_na=False)
    csv["value"] = pd.to_numeric(csv["value"].replace("", None))
    csv["suppressed"] = csv["suppressed"].map({"True": True, "False": False, True: True, False: False})
    js = pd.read_json(out / "data" / "measures.json", dtype=text_cols)
    pq = pd.read_parquet(out / "data" / "measures.parquet")
    assert len(csv) == len(js) == len(pq) > 10_000
    assert list(pq.columns) == list(csv.columns) == list(js.columns)
    for frame in (csv, js, pq):
        assert not frame["measure_id"].isin([DRAFT, HIDDEN_GOAL_MEASURE]).any()
        parts = frame[frame["dimension"].fillna("") != ""]
        assert parts["suppressed"].astype(bool).any()
        assert parts.loc[parts["suppressed"].astype(bool), "value"].isna().all()
        counts = parts[~parts["suppressed"].astype(bool) & parts["measure_id"].isin(counts_ids)]
        assert not counts.empty and (counts["value"] >= THRESHOLD).all()
    # the same figures in every format
    a = csv.sort_values(["measure_id", "period", "dimension", "member"]).reset_index(drop=True)
    b = pq.sort_values(["measure_id", "period", "dimension", "member"]).reset_index(drop=True)
    pd.testing.assert_series_equal(a["value"], b["value"].astype(float), check_names=False)
    hs = a[(a["measure_id"] == "households-stable-housing") & (a["period"] == "2018-Q1") & (a["dimension"] == "")]
    assert float(hs["value"].iloc[0]) > 3000  # the Seattle story's quarter


def test_dictionary_and_catalog(built):
    out, _ = built
    d = json.loads((out / "data" / "dictionary.json").read_text())
    ids = {m["measure_id"] for m in d["measures"]}
    assert "households-stable-housing" in ids and not ids & {DRAFT, HIDDEN_GOAL_MEASURE}
    m = next(m for m in d["measures"] if m["measure_id"] == "households-stable-housing")
    assert m["unit"] and m["direction"] == "higher is better" and m["frequency"] == "quarterly"
    assert m["methodology"] and m["last_updated"] and m["next_due"] and "owner" not in m
    assert {f["name"] for f in d["fields"]} >= {"measure_id", "period", "value", "suppressed"}
    cat = json.loads((out / "data.json").read_text())
    assert cat["@type"] == "dcat:Catalog" and cat["conformsTo"].endswith("/v1.1/schema")
    first = cat["dataset"][0]
    for key in ("title", "description", "keyword", "modified", "publisher", "contactPoint", "identifier",
                "accessLevel", "distribution"):
        assert key in first, key
    urls = [x["downloadURL"] for x in first["distribution"]]
    assert "https://data.example.gov/performance/data/measures.parquet" in urls
    per = {x["landingPage"] for x in cat["dataset"][1:]}
    assert "https://data.example.gov/performance/measures/households-stable-housing.html" in per
    assert len(cat["dataset"]) == len(ids) + 1


def test_csv_is_formula_safe(tmp_path, seeded_url):
    import sqlalchemy as sa

    from metrics.store import db, schema

    with db.writer(seeded_url) as conn:
        conn.execute(sa.update(schema.measures).where(schema.measures.c.id == "households-stable-housing")
                     .values(name="=HYPERLINK(\"http://x\")", methodology="<script>alert(1)</script>"))
    out = tmp_path / "site"
    site.publish(out, seeded_url)
    csv = (out / "data" / "measures.csv").read_text()
    assert "'=HYPERLINK" in csv and "\n=HYPERLINK" not in csv and ",=HYPERLINK" not in csv
    page = (out / "measures" / "households-stable-housing.html").read_text()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_rebuild_replaces_a_previous_site(built, planted_url):
    out, first = built
    (out / "stale-page.html").write_text("old")
    again = site.publish(out, planted_url)
    assert (out / "index.html").is_file() and not (out / "stale-page.html").exists()
    assert again.pages == first.pages
    # nothing changed: every chart image comes from the previous site, none is drawn again
    assert again.charts_exported == 0 and again.charts_reused == first.charts_exported + first.charts_reused
    assert len(list((out / images.SITE_FOLDER).glob("*.svg"))) == first.charts_exported + first.charts_reused
    left = [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.") and p.suffix not in (".lock", ".log")]
    assert not left  # no build folders left


def _cli(*args: str, url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "metrics", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "METRICS_DB_URL": url}, timeout=600)


def test_refuses_a_folder_that_is_not_a_site(tmp_path, duck_city):
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.docx").write_text("precious")
    r = _cli("publish", "--out", str(mine), url=duck_city)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "is not a site this command wrote" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert (mine / "thesis.docx").read_text() == "precious" and len(list(mine.iterdir())) == 1


@pytest.mark.parametrize("bad", ["ftp://example.gov/site", "javascript:alert(1)", "example.gov", "https://"])
def test_refuses_a_base_url_that_is_not_http(tmp_path, duck_city, bad):
    r = _cli("publish", "--out", str(tmp_path / "s"), "--base-url", bad, url=duck_city)
    assert r.returncode == 1 and "Traceback" not in r.stderr and "--base-url must be an http" in r.stderr
    assert not (tmp_path / "s").exists()
