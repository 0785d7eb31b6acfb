"""Charts as static images (plotly's export through kaleido and Debian's chromium).

The council report embeds PNGs; the static site gives every interactive chart an SVG fallback
(shown when scripts are off, and linked for download). Exporting is the slow part of a site
build, so site images are named by a hash of the figure: a rebuild takes the image of an
unchanged chart from the previous site instead of drawing it again, and only charts whose
data, targets or notes changed are exported. With `METRICS_CHART_CACHE` set to a folder, drawn
images are kept there too, so a build into a fresh folder (a CI job publishing from a new checkout,
a second site from the same data) reuses them as well.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import plotly.graph_objects as go

BROWSER = "/usr/bin/chromium"
SITE_FOLDER = "assets/charts"
SVG_SIZE = {"width": 900, "height": 420}


@contextmanager
def exporter() -> Iterator[None]:
    """One kaleido browser for a batch of figures (starting it costs more than a chart)."""
    import kaleido

    if not os.environ.get("BROWSER_PATH") and Path(BROWSER).exists():
        os.environ["BROWSER_PATH"] = BROWSER
    kaleido.start_sync_server(silence_warnings=True)
    try:
        with warnings.catch_warnings():  # plotly notes that per-call options go unused with a shared server
            warnings.simplefilter("ignore", UserWarning)
            yield
    finally:
        kaleido.stop_sync_server(silence_warnings=True)


def _spec(fig: go.Figure) -> tuple[str, dict]:
    """The figure at the image's size as plain JSON (copying a plotly Figure re-validates it, which
    cost more than the export), and its name: the same figure always gets the same name."""
    spec = json.loads(fig.to_json(engine="json"))
    spec.setdefault("layout", {}).update(SVG_SIZE, autosize=False)
    body = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()[:20], spec


class SiteImages:
    """The SVGs of one site build: reused from `previous` (the site being replaced) by name, the rest
    exported in one batch by `export()` once every page has named its charts."""

    def __init__(self, folder: Path, previous: Path | None, cache: Path | None = None) -> None:
        self.folder = folder / SITE_FOLDER
        self.previous = previous / SITE_FOLDER if previous is not None else None
        if cache is None and os.environ.get("METRICS_CHART_CACHE"):
            cache = Path(os.environ["METRICS_CHART_CACHE"])
        self.cache = cache
        self.pending: dict[str, dict] = {}
        self.reused = 0
        self.exported = 0

    def name_for(self, fig: go.Figure) -> str:
        """The site-relative path of the figure's SVG (taken from the previous site now, or queued)."""
        key, spec = _spec(fig)
        rel = f"{SITE_FOLDER}/{key}.svg"
        target = self.folder / f"{key}.svg"
        if target.exists() or key in self.pending:
            return rel
        self.folder.mkdir(parents=True, exist_ok=True)
        for where in (self.previous, self.cache):
            old = where / f"{key}.svg" if where is not None else None
            if old is not None and old.is_file():
                _link(old, target)  # the old site is removed after the swap; the link keeps the file
                self.reused += 1
                break
        else:
            self.pending[key] = spec
        return rel

    def export(self) -> None:
        if not self.pending:
            return
        import plotly.io as pio

        with exporter():
            for key, spec in self.pending.items():
                tmp = self.folder / f".{key}.svg.tmp"
                tmp.write_bytes(pio.to_image(spec, format="svg", validate=False, **SVG_SIZE))
                tmp.replace(self.folder / f"{key}.svg")
                self.exported += 1
                if self.cache is not None:
                    self.cache.mkdir(parents=True, exist_ok=True)
                    part = self.cache / f".{key}.{os.getpid()}.tmp"  # builds may share the cache
                    _link(self.folder / f"{key}.svg", part)
                    part.replace(self.cache / f"{key}.svg")
        self.pending.clear()


def _link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)
