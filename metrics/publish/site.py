"""The static public site: `python -m metrics publish --out DIR [--base-url URL]`.

What a portal link may see, as plain files any web server, object store or CDN can serve with
no Python behind it: an overview, a page per goal and per measure, an open-data page, the
open-data files and the `data.json` catalog. Everything is read as the public portal
(access.PUBLIC_PORTAL) through the views, in one snapshot, so a draft, a private goal's
measure or a small count can't reach a file. Charts are interactive plotly with a local copy
of plotly.js (no CDN: the site works offline), each with a sentence describing it, "data as
of" and its figures as a table. Statistics are said in plain words ("within normal variation").

The build is atomic: it writes a new folder beside DIR and swaps it in with one rename
(Linux renameat2 RENAME_EXCHANGE where available), so a reader never sees half a site. DIR
must be absent, empty, or a previous site (it has the MARKER file); anything else is refused.
"""

from __future__ import annotations

import ctypes
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import plotly
import sqlalchemy as sa

from metrics import access
from metrics.charts import dashboards as charts
from metrics.domain import periods, spc, text
from metrics.domain.vocabulary import DIRECTION_LABELS, KIND_LABELS, STATUSES
from metrics.errors import InputError
from metrics.publish import html, images, opendata
from metrics.views import base
from metrics.views import goal as goal_view
from metrics.views import notes as notes_view
from metrics.views import opendata as opendata_view
from metrics.views import overview as overview_view

MARKER = ".metrics-site"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
CHART_CONFIG = {"displayModeBar": False, "responsive": True}
PUBLIC = access.PUBLIC_PORTAL


class PublishError(InputError):
    """The output folder or base URL can't be used; one sentence, nothing written."""


@dataclass(frozen=True)
class SiteReport:
    out: Path
    pages: int
    files: int
    bytes: int
    seconds: float
    version: int
    charts_exported: int = 0  # chart images drawn in this build
    charts_reused: int = 0  # taken unchanged from the previous site

    def summary(self) -> str:
        return (f"published {self.pages:,} pages and {self.files - self.pages:,} other files "
                f"({self.bytes / 1e6:,.1f} MB) to {self.out} in {self.seconds:.1f}s (data version {self.version}; "
                f"chart images: {self.charts_exported:,} drawn, {self.charts_reused:,} reused)")


def check_base_url(base_url: str | None) -> str | None:
    """An http(s) URL with a host, without a trailing slash; None/'' means relative links only."""
    if not base_url:
        return None
    parsed = urlparse(base_url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise PublishError(f"--base-url must be an http:// or https:// address such as https://data.example.gov/"
                           f"performance, not '{base_url}'")
    return base_url.strip().rstrip("/")


def check_out(out: Path) -> None:
    """Refuse an output folder that exists and is not a previous site (or empty)."""
    if out.exists() and not out.is_dir():
        raise PublishError(f"{out} exists and is a file, not a folder: choose another --out")
    if out.is_dir() and not (out / MARKER).is_file() and any(out.iterdir()):
        raise PublishError(f"{out} exists and is not a site this command wrote (no {MARKER} file): refusing to "
                           "replace it; choose an empty or new folder")


# ---------------------------------------------------------------------------------------- pages

def _num(value: object, unit: str | None = None) -> str:
    return html.esc(text.number(None if value is None or pd.isna(value) else float(value), unit))


def _fig_html(fig, div_id: str) -> str:
    fig.update_layout(title=None, margin={"l": 10, "r": 10, "t": 30, "b": 10}, height=None, autosize=True)
    return fig.to_html(full_html=False, include_plotlyjs=False, config=CHART_CONFIG, div_id=div_id,
                       default_height="22rem", default_width="100%")


def _chart_block(fig, div_id: str, pics: images.SiteImages | None, root: str, marks: pd.DataFrame, **kw) -> str:
    """The interactive chart with its static SVG (named before the page's layout changes) and notes."""
    image = root + pics.name_for(fig) if pics is not None else None
    return html.chart(_fig_html(fig, div_id), image=image, notes=html.marks(marks), **kw)


def _numbered(notes: notes_view.Notes | None, measure_id: str, history: pd.DataFrame, frequency: str | None,
              fsm: int) -> pd.DataFrame:
    if notes is None or history.empty:
        return pd.DataFrame(columns=notes_view.MARK_COLUMNS)
    grain = frequency or periods.grain_of(str(history["period"].iloc[0]))
    return notes_view.numbered(notes.annotations_of(measure_id), history["period"], grain, fsm)


def _on_chart(marks: pd.DataFrame) -> pd.DataFrame | None:
    """The chart carries the short [n] markers; the list under it has the text."""
    return None if marks.empty else marks.assign(body=marks["label"])


def _why(notes: notes_view.Notes | None, measure_id: str, most: int = 4) -> str:
    """The measure's latest narratives ("why it moved"), as text, newest first."""
    if notes is None:
        return ""
    said = notes.narratives_of(measure_id).iloc[::-1].head(most)
    if said.empty:
        return ""
    return "<h2>Why it moved</h2>" + "".join(f"<p><strong>{html.esc(n.period)}.</strong> {html.esc(n.body)}</p>"
                                             for n in said.itertuples(index=False))


def _history_table(history: pd.DataFrame, targets: pd.DataFrame, unit: str, caption: str) -> str:
    steps = charts.target_steps(history, targets) if not targets.empty else None
    rows = []
    for i, (p, v) in enumerate(zip(history["period"], history["value"], strict=True)):
        t = steps["target"].iloc[i] if steps is not None and len(steps) > i else None
        rows.append((html.esc(p), _num(v, unit), _num(t, unit)))
    return html.table([("Period", ""), ("Actual", "num"), ("Target", "num")], reversed(rows), caption=caption,
                      numeric=(1, 2))


def _history_summary(name: str, unit: str, direction: str, history: pd.DataFrame, target: float | None,
                     status: str | None) -> str:
    if history.empty:
        return f"{name}: no figures reported yet."
    first, last = str(history["period"].iloc[0]), str(history["period"].iloc[-1])
    latest = text.number(float(history["value"].iloc[-1]), unit)
    out = (f"Line chart of {name} ({DIRECTION_LABELS.get(direction, direction)}) from {first} to {last}. "
           f"Latest: {latest} in {last}")
    if target is not None and not pd.isna(target):
        out += f", against a target of {text.number(float(target), unit)}"
    if status in STATUSES:
        out += f" ({STATUSES[status].label.lower()})"
    return out + "."


def _goal_rows(frame: pd.DataFrame, root: str) -> list[tuple[str, ...]]:
    rows = []
    for m in frame.itertuples(index=False):
        rows.append((html.status_badge(str(m.status)),
                     f'<a href="{root}measures/{html.esc(m.measure_id)}.html">{html.esc(m.name)}</a>',
                     _num(m.actual, m.unit), _num(m.target, m.unit), html.esc(m.period)))
    return rows


GOAL_COLUMNS = [("Status", ""), ("Measure", ""), ("Latest", "num"), ("Target", "num"), ("Period", "")]


def overview_page(ov: overview_view.OverviewView, built: str) -> str:
    comp = ov.composite
    score = "—" if comp.n_scored == 0 else f"{comp.score:.0%}"
    counts = "".join(f'<li>{html.status_badge(k)}: {n:,}</li>' for k, n in ov.counts.items() if n)
    parts = [f"<h1>{html.esc(ov.city_name)}: how are we doing?</h1>",
             f'<p class="asof">Data as of {html.esc(ov.data_as_of)}. Each measure is judged against the target '
             "the city set for that period.</p>",
             '<div class="cards">',
             f'<div class="card"><div>City score</div><div class="big">{score}</div>'
             f'<div class="note">The average of each measure\'s result as a share of its target '
             f"({comp.n_scored:,} measures with a target and recent data).</div></div>",
             f'<div class="card"><div>Measures published</div><div class="big">{ov.n_measures:,}</div>'
             f'<ul class="note">{counts}</ul></div></div>']
    if not ov.sections:
        parts.append("<p>There are no public goals to show yet.</p>")
    for section in ov.sections:
        parts.append(f"<h2>{html.esc(section.name)}</h2>")
        for card in section.goals:
            parts.append(f'<h3><a href="goals/{html.esc(card.id)}.html">{html.esc(card.name)}</a></h3>')
            if card.statement:
                parts.append(f"<p>{html.esc(card.statement)}</p>")
            parts.append(html.table(GOAL_COLUMNS, _goal_rows(card.measures, ""), caption=f"Measures of "
                                    f"“{card.name}”, status first", stack=True))
    return html.page("Overview", "\n".join(parts), root="", city=ov.city_name, built=built)


def goals_index(goals: list[tuple[goal_view.GoalView, pd.DataFrame]], city: str, built: str) -> str:
    rows = []
    for g, measures in goals:
        counts = measures["status"].value_counts() if not measures.empty else pd.Series(dtype=int)
        n = ", ".join(f"{int(counts[s])} {st.label.lower()}" for s, st in STATUSES.items() if s in counts)
        rows.append((f'<a href="{html.esc(g.goal.id)}.html">{html.esc(g.goal.name)}</a>', html.esc(g.goal.priority),
                     html.esc(n or "no published measures yet")))
    body = ("<h1>Goals</h1>" + html.table([("Goal", ""), ("Priority", ""), ("Measures by status", "")], rows,
                                          caption="Every public goal", stack=True))
    return html.page("Goals", body, root="../", city=city, built=built)


def goal_page(g: goal_view.GoalView, card_rows: pd.DataFrame, city: str, as_of: str, built: str,
              notes: notes_view.Notes | None = None, pics: images.SiteImages | None = None, fsm: int = 7) -> str:
    goal = g.goal
    parts = [f"<h1>{html.esc(goal.name)}</h1>"]
    if goal.priority:
        parts.append(f'<p class="note">Priority: {html.esc(goal.priority)}</p>')
    if goal.statement:
        parts.append(f"<p>{html.esc(goal.statement)}</p>")
    if goal.target_date:
        parts.append(f"<p>Target date: {html.esc(goal.target_date)}</p>")
    if g.key_number:
        parts.append(f"<p><strong>{html.esc(g.key_number)}</strong></p>")
    if g.projection is not None:
        parts.append(f"<p>{html.esc(g.projection.sentence)}</p>")
    if g.outcome is not None and not g.outcome.history.empty:
        s = g.outcome
        marks = _numbered(notes, s.id, s.history, s.frequency, fsm)
        fig = charts.history_chart(s.history, s.targets, s.name, s.unit, s.direction, annotations=_on_chart(marks))
        latest_t = charts.target_steps(s.history, s.targets)["target"].iloc[-1] if not s.targets.empty else None
        status = None
        if not card_rows.empty and s.id in set(card_rows["measure_id"]):
            status = str(card_rows.loc[card_rows["measure_id"] == s.id, "status"].iloc[0])
        parts.append("<h2>The outcome</h2>")
        parts.append(_chart_block(fig, f"chart-{s.id}", pics, "../", marks, title=f"{s.name} ({s.unit})",
                                  summary=_history_summary(s.name, s.unit, s.direction, s.history, latest_t, status),
                                  as_of=as_of, table_html=_history_table(s.history, s.targets, s.unit,
                                                                         f"{s.name} by period")))
    elif g.no_outcome:
        parts.append("<p>This goal has no outcome measure yet: it reports activity, not results for residents.</p>")
    parts.append("<h2>Measures</h2>")
    if card_rows.empty:
        parts.append("<p>This goal has no published measures yet.</p>")
    else:
        parts.append(html.table(GOAL_COLUMNS, _goal_rows(card_rows, "../"), caption=f"Measures of “{goal.name}”, "
                                "status first", stack=True))
    return html.page(goal.name, "\n".join(parts), root="../", city=city, plotly=g.outcome is not None,
                     built=built)


def measure_page(m, obs: pd.DataFrame, targets: pd.DataFrame, status_row: pd.Series | None,
                 city: str, as_of: str, suppress_below: int, built: str, notes: notes_view.Notes | None = None,
                 pics: images.SiteImages | None = None, fsm: int = 7) -> str:
    """One measure from the open data (dictionary row `m`, its rows, its targets): the same figures
    a resident can download, so the page and the files can't disagree."""
    unit = "" if not isinstance(m.unit, str) else m.unit
    history = obs[obs["dimension"] == ""].dropna(subset=["value"])[["period", "period_end", "value"]]
    history = history.reset_index(drop=True)
    parts = [f"<h1>{html.esc(m.name)}</h1>",
             f'<p class="note">Goal: <a href="../goals/{html.esc(m.goal_id)}.html">{html.esc(m.goal)}</a></p>']
    status = str(status_row["status"]) if status_row is not None else "no_data"
    target = status_row["target"] if status_row is not None else None
    if not history.empty:
        last = history.iloc[-1]
        parts.append(f"<p>{html.status_badge(status)} Latest: <strong>{_num(last['value'], unit)}</strong> in "
                     f"{html.esc(last['period'])}; target {_num(target, unit)}.</p>")
        verdict = (spc.is_real_change(history["value"].astype(float)) if len(history) >= spc.MIN_SPC_POINTS
                   else None)
        parts.append(f"<p>{html.esc(spc.plain_sentence(verdict))}</p>")
        direction = "lower" if str(m.direction).startswith("lower") else "higher"
        marks = _numbered(notes, m.measure_id, history, None, fsm)
        fig = charts.history_chart(history, targets, m.name, unit, direction,  # no control limits for the public
                                   annotations=_on_chart(marks))
        parts.append(_chart_block(fig, "chart-history", pics, "../", marks,
                                  title=f"{m.name} ({unit})" if unit else m.name,
                                  summary=_history_summary(m.name, unit, direction, history, target, status),
                                  as_of=as_of, table_html=_history_table(history, targets, unit,
                                                                         f"{m.name} by period")))
        parts.append(_why(notes, m.measure_id))
    else:
        parts.append("<p>No figures have been reported for this measure yet.</p>")
    parts_of = obs[obs["dimension"] != ""]
    if not parts_of.empty:
        last_period = str(parts_of["period"].iloc[-1])
        latest = parts_of[parts_of["period"] == last_period]
        for dim, part in latest.groupby("dimension", sort=True):
            rows = [(html.esc(r.member), "suppressed" if r.suppressed else _num(r.value, unit))
                    for r in part.itertuples(index=False)]
            parts.append(f"<h2>By {html.esc(dim)}, {html.esc(last_period)}</h2>")
            parts.append(html.table([(str(dim).capitalize(), ""), ("Value", "num")], rows,
                                    caption=f"{m.name} by {dim} in {last_period}"))
        if parts_of["suppressed"].any():
            parts.append(f'<p class="note">Counts below {suppress_below} are shown as “suppressed” (with a cell '
                         "that would reveal them) to protect privacy.</p>")
    parts.append("<h2>About this measure</h2><dl class=\"meta\">"
                 + "".join(f"<dt>{html.esc(k)}</dt><dd>{html.esc(val)}</dd>" for k, val in (
                     ("Unit", unit), ("Which way is better", m.direction), ("Reported", m.frequency),
                     ("Kind", KIND_LABELS.get(m.kind, m.kind)), ("Department", m.department),
                     ("Source", m.data_source), ("How it is counted", m.methodology),
                     ("Last updated", m.last_updated), ("Next figure due", m.next_due)))
                 + "</dl>")
    parts.append(f'<p><a href="../data/measures/{html.esc(m.measure_id)}.csv">Download this measure’s figures '
                 "(CSV)</a></p>")
    return html.page(m.name, "\n".join(parts), root="../", city=city, plotly=not history.empty, built=built)


def data_page(data: opendata_view.OpenData, base_url: str | None, built: str) -> str:
    d = data.dictionary
    files = [("measures.csv", "CSV"), ("measures.json", "JSON"), ("measures.parquet", "Parquet"),
             ("dictionary.csv", "CSV"), ("dictionary.json", "JSON")]
    links = "".join(f'<li><a href="data/{f}">{f}</a> ({kind})</li>' for f, kind in files)
    rows = [(f'<a href="measures/{html.esc(r.measure_id)}.html">{html.esc(r.name)}</a>', html.esc(r.unit),
             html.esc(r.frequency), html.esc(r.last_period), html.esc(r.next_due), html.esc(r.department))
            for r in d.itertuples(index=False)]
    body = (f"<h1>Open data</h1><p>Every published figure, citywide and by breakdown, {len(data.rows):,} rows. "
            f"Data as of {html.esc(data.data_as_of)}. {html.esc(len(d))} measures.</p>"
            f"<ul>{links}</ul><p>The <a href=\"data.json\">data.json</a> catalog (DCAT-US) lists every dataset for "
            "open-data portals.</p>"
            f"<p class=\"note\">Counts below {data.suppress_below} in a breakdown, and the cell that would reveal "
            "them, are withheld: their value is empty and “suppressed” is true.</p>"
            "<h2>Data dictionary</h2>"
            + html.table([("Measure", ""), ("Unit", ""), ("Reported", ""), ("Latest period", ""), ("Next due", ""),
                          ("Department", "")], rows, caption="Published measures", stack=True))
    return html.page("Open data", body, root="", city=data.city_name, built=built,
                     canonical=opendata.url_of(base_url, "data.html") if base_url else None)


# ---------------------------------------------------------------------------------------- build

def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")


@dataclass
class _Content:
    """Everything the site shows, read in one snapshot before a file is written (so the database
    connection is held for the reads only, not while pages render: DuckDB writers wait on it)."""
    settings: object
    version: int
    overview: overview_view.OverviewView
    data: opendata_view.OpenData
    goals: list[tuple[goal_view.GoalView, pd.DataFrame]]
    notes: notes_view.Notes | None = None


def read_content(url: str | sa.Connection | None, today: date | None = None) -> _Content:
    day = today or date.today()
    with base.read(url, PUBLIC) as r:
        conn, cfg = r.conn, r.settings
        ov = overview_view.build(conn, PUBLIC, cfg, today=day)
        data = opendata_view.build(conn, PUBLIC, cfg)
        first = goal_view.build(conn, PUBLIC, cfg)
        cards = {c.id: c.measures for s in ov.sections for c in s.goals}
        empty = pd.DataFrame(columns=overview_view.MEASURE_COLUMNS)
        goals = [(goal_view.build(conn, PUBLIC, cfg, goal_id=gid), cards.get(gid, empty)) for gid in first.goals]
        return _Content(settings=cfg, version=r.version, overview=ov, data=data, goals=goals,
                        notes=notes_view.read(r))


def render(content: _Content, folder: Path, base_url: str | None = None,
           previous: Path | None = None) -> images.SiteImages:
    """Write every page and file into `folder` (new, empty); chart images of `previous` (the site being
    replaced) are reused where the chart did not change. Returns the build's images (what was drawn)."""
    cfg, version, ov, data = content.settings, content.version, content.overview, content.data
    pics = images.SiteImages(folder, previous)
    fsm = cfg.fiscal_start_month
    as_of = str(ov.data_as_of or "—")
    built = f"Built {datetime.now(UTC).strftime('%Y-%m-%d %H:%M')} UTC from data version {version}."
    (folder / "assets").mkdir(parents=True)
    shutil.copyfile(PLOTLY_JS, folder / "assets" / "plotly.min.js")
    (folder / "assets" / "site.css").write_text(html.CSS, encoding="utf-8")
    opendata.write(folder, data, base_url)
    _write(folder / "index.html", overview_page(ov, built))
    _write(folder / "goals" / "index.html", goals_index(content.goals, ov.city_name, built))
    _write(folder / "data.html", data_page(data, base_url, built))
    status = ov.status.set_index("measure_id") if not ov.status.empty else pd.DataFrame()
    for g, rows in content.goals:
        _write(folder / "goals" / f"{g.goal.id}.html", goal_page(g, rows, cfg.city_name, as_of, built, content.notes,
                                                                  pics, fsm))
    by_measure = dict(tuple(data.rows.groupby("measure_id", sort=False)))
    targets_of = dict(tuple(data.targets.groupby("measure_id", sort=False)))
    empty_obs, empty_t = data.rows.iloc[0:0], data.targets.iloc[0:0]
    for m in data.dictionary.itertuples(index=False):
        row = status.loc[m.measure_id] if m.measure_id in status.index else None
        _write(folder / "measures" / f"{m.measure_id}.html",
               measure_page(m, by_measure.get(m.measure_id, empty_obs), targets_of.get(m.measure_id, empty_t), row,
                            cfg.city_name, as_of, data.suppress_below, built, content.notes, pics, fsm))
    pics.export()
    (folder / MARKER).write_text(json.dumps({"version": version, "built_at": datetime.now(UTC).isoformat(),
                                             "base_url": base_url}), encoding="utf-8")
    return pics


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2); False where the system can't."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    rc = fn(_AT_FDCWD, os.fsencode(str(a)), _AT_FDCWD, os.fsencode(str(b)), _RENAME_EXCHANGE)
    return rc == 0


def swap_in(new: Path, out: Path) -> None:
    """Make `new` the site at `out`: one exchange (or two renames) and the old one removed."""
    if out.is_dir() and _exchange(new, out):
        shutil.rmtree(new, ignore_errors=True)  # `new` now holds the previous site
        return
    old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
    if out.exists():
        out.rename(old)
    new.rename(out)
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    with out.with_name(f".{out.name}.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def publish(out: str | Path, url: str | None = None, base_url: str | None = None,
            today: date | None = None) -> SiteReport:
    """Build the public site into `out` atomically; raises PublishError for an unusable folder or URL."""
    started = time.perf_counter()
    base_url = check_base_url(base_url)
    out = Path(out).absolute()
    check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    new = out.with_name(f".{out.name}.new-{uuid.uuid4().hex[:8]}")
    with _locked(out):  # rebuilds queue: the last one to finish shows the latest data
        new.mkdir()
        try:
            content = read_content(url, today)
            if base_url is None and content.settings.public_base_url:
                base_url = check_base_url(content.settings.public_base_url)
            pics = render(content, new, base_url, previous=out if (out / MARKER).is_file() else None)
            swap_in(new, out)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
    files = [p for p in out.rglob("*") if p.is_file()]
    return SiteReport(out=out, pages=sum(1 for p in files if p.suffix == ".html"), files=len(files),
                      bytes=sum(p.stat().st_size for p in files), seconds=time.perf_counter() - started,
                      version=content.version, charts_exported=pics.exported, charts_reused=pics.reused)
