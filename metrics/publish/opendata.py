"""Open-data files: observations as CSV, JSON and Parquet, a data dictionary, a DCAT-US catalog.

The content is views.opendata (the one visibility rule, small counts suppressed); this module
only writes it. CSV goes through domain.text.to_csv (a cell a spreadsheet would run as a
formula gets a leading apostrophe). `data.json` follows the DCAT-US (Project Open Data 1.1)
catalog shape that Socrata, CKAN and data.gov harvesters read: one dataset for all measures
and one per measure, each with its download URLs, periodicity, temporal range and the
dictionary as `describedBy`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from metrics.domain import text
from metrics.views.opendata import FIELDS, OpenData

DATA_DIR = "data"
OBSERVATIONS = "measures"  # data/measures.csv|json|parquet
DICTIONARY = "dictionary"  # data/dictionary.csv|json
PERIODICITY = {"day": "R/P1D", "daily": "R/P1D", "month": "R/P1M", "monthly": "R/P1M", "quarter": "R/P3M",
               "quarterly": "R/P3M", "year": "R/P1Y", "yearly": "R/P1Y", "fiscal_year": "R/P1Y",
               "fiscal-yearly": "R/P1Y"}
MEDIA = {"csv": "text/csv", "json": "application/json", "parquet": "application/vnd.apache.parquet"}


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: NaN -> null, numpy scalars -> Python."""
    return json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))


def _write_frame(folder: Path, stem: str, frame: pd.DataFrame, parquet: bool = True) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.csv").write_text(text.to_csv(frame), encoding="utf-8")
    (folder / f"{stem}.json").write_text(json.dumps(_records(frame), ensure_ascii=False), encoding="utf-8")
    made = [f"{stem}.csv", f"{stem}.json"]
    if parquet:
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / f"{stem}.parquet")
        made.append(f"{stem}.parquet")
    return made


def url_of(base_url: str | None, path: str) -> str:
    """An absolute URL under the site's base URL, or the site-relative path when there is none."""
    return f"{base_url.rstrip('/')}/{path}" if base_url else path


def write(site: Path, data: OpenData, base_url: str | None = None, per_measure: bool = True) -> list[str]:
    """Write the open-data files under `site`/data and the catalog at `site`/data.json; the paths made."""
    folder = site / DATA_DIR
    made = [f"{DATA_DIR}/{n}" for n in _write_frame(folder, OBSERVATIONS, data.rows)]
    dictionary = {"title": f"{data.city_name} performance measures: data dictionary",
                  "suppression": f"Counts below {data.suppress_below} in a breakdown (and the cell that would "
                                 "reveal them) are withheld: `value` is empty and `suppressed` is true.",
                  "fields": FIELDS, "measures": _records(data.dictionary)}
    (folder / f"{DICTIONARY}.json").write_text(json.dumps(dictionary, ensure_ascii=False, indent=1), encoding="utf-8")
    (folder / f"{DICTIONARY}.csv").write_text(text.to_csv(data.dictionary), encoding="utf-8")
    made += [f"{DATA_DIR}/{DICTIONARY}.json", f"{DATA_DIR}/{DICTIONARY}.csv"]
    if per_measure:
        sub = folder / "measures"
        sub.mkdir(parents=True, exist_ok=True)
        for mid, part in data.rows.groupby("measure_id", sort=False):
            (sub / f"{mid}.csv").write_text(text.to_csv(part), encoding="utf-8")
            made.append(f"{DATA_DIR}/measures/{mid}.csv")
    (site / "data.json").write_text(json.dumps(catalog(data, base_url, per_measure), ensure_ascii=False, indent=1),
                                    encoding="utf-8")
    made.append("data.json")
    return made


def _distribution(base_url: str | None, path: str, fmt: str, title: str) -> dict:
    return {"@type": "dcat:Distribution", "title": title, "downloadURL": url_of(base_url, path),
            "mediaType": MEDIA[fmt], "format": fmt.upper()}


def _temporal(first: object, last_end: object) -> str | None:
    return f"{first}/{last_end}" if first and last_end else None


def catalog(data: OpenData, base_url: str | None = None, per_measure: bool = True) -> dict:
    """The DCAT-US (Project Open Data v1.1) catalog of what `write` produces."""
    publisher = {"@type": "org:Organization", "name": data.city_name}
    contact = {"@type": "vcard:Contact", "fn": f"{data.city_name} performance team"}
    modified = data.updated_at or (data.data_as_of.isoformat() if data.data_as_of else None)
    described = url_of(base_url, f"{DATA_DIR}/{DICTIONARY}.json")
    d = data.dictionary
    whole = {
        "@type": "dcat:Dataset", "identifier": url_of(base_url, "data.json#all-measures"),
        "title": f"{data.city_name}: all published performance measures",
        "description": ("Every published measure of the city's strategic goals, citywide and by breakdown, one row "
                        "per measure, period and group. Small counts are suppressed to protect privacy."),
        "keyword": ["performance", "open data", *sorted({str(p) for p in d["priority"].dropna()})],
        "modified": modified, "publisher": publisher, "contactPoint": contact, "accessLevel": "public",
        "landingPage": url_of(base_url, "data.html"), "describedBy": described,
        "describedByType": "application/json",
        "distribution": [_distribution(base_url, f"{DATA_DIR}/{OBSERVATIONS}.{f}", f, f"All measures ({f.upper()})")
                         for f in ("csv", "json", "parquet")]
        + [_distribution(base_url, f"{DATA_DIR}/{DICTIONARY}.csv", "csv", "Data dictionary (CSV)")],
    }
    datasets = [whole]
    if per_measure:
        for m in d.itertuples(index=False):
            ds = {"@type": "dcat:Dataset", "identifier": url_of(base_url, f"measures/{m.measure_id}.html"),
                  "title": str(m.name), "description": str(m.methodology or m.name),
                  "keyword": [k for k in (m.priority, m.goal, m.kind) if isinstance(k, str) and k],
                  "modified": m.last_updated or modified, "publisher": publisher, "contactPoint": contact,
                  "accessLevel": "public", "landingPage": url_of(base_url, f"measures/{m.measure_id}.html"),
                  "describedBy": described, "describedByType": "application/json",
                  "distribution": [_distribution(base_url, f"{DATA_DIR}/measures/{m.measure_id}.csv", "csv",
                                                 f"{m.name} (CSV)")]}
            if PERIODICITY.get(str(m.frequency)):
                ds["accrualPeriodicity"] = PERIODICITY[str(m.frequency)]
            span = _temporal(m.covers_from, m.covers_to)
            if span:
                ds["temporal"] = span
            datasets.append({k: v for k, v in ds.items() if v is not None})
    return {"@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld", "@type": "dcat:Catalog",
            "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
            "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json", "dataset": datasets}

