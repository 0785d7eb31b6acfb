"""HTML pieces for the static public site: one page shell, tables, status badges, chart blocks.

Every piece of data text goes through domain.text.html_text. The shell is written for WCAG 2.1
AA: `lang`, a skip link, one h1 per page, landmarks (header/nav/main/footer), text colours
at 4.5:1 or better on their background, visible keyboard focus, and tables with captions and
header cells. Goal tables put the status first and stack into labelled cards on a phone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from metrics.domain import text
from metrics.domain.vocabulary import STATUSES

CSS = """
:root { --ink: #1a1a1a; --muted: #4a4a4a; --line: #c8c8c8; --link: #0b5394; --bg: #ffffff; --band: #f3f5f7; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       background: var(--bg); }
a { color: var(--link); }
a:focus-visible, button:focus-visible, [tabindex]:focus-visible { outline: 3px solid #b35900; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem; }
.skip:focus { left: .5rem; }
header.site { background: #0b3d6b; color: #fff; padding: .75rem 1rem; }
header.site a { color: #fff; }
header.site nav ul { list-style: none; margin: .25rem 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 1rem; }
header.site .city { font-weight: 700; font-size: 1.1rem; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
footer { max-width: 72rem; margin: 2rem auto; padding: 1rem; border-top: 1px solid var(--line); color: var(--muted); }
h1 { font-size: 1.7rem; line-height: 1.25; margin: .5rem 0 .75rem; }
h2 { font-size: 1.35rem; margin: 1.75rem 0 .5rem; }
h3 { font-size: 1.1rem; margin: 1.25rem 0 .4rem; }
.note, .asof, figcaption { color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: .75rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .75rem; background: var(--band); }
.card .big { font-size: 1.8rem; font-weight: 700; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.status { display: inline-block; padding: 0 .4rem; border-left: .4rem solid; font-weight: 600; white-space: nowrap; }
figure { margin: 1rem 0; }
.chart { width: 100%; min-height: 22rem; }
img.fallback { max-width: 100%; height: auto; }
.marks ul { list-style: none; padding: 0; margin: .25rem 0 1rem; }
details { margin: .5rem 0 1rem; }
summary { cursor: pointer; color: var(--link); }
.scroll { overflow-x: auto; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
@media (max-width: 40rem) {
  main { padding: .75rem; }
  h1 { font-size: 1.4rem; }
  table.stack thead { position: absolute; left: -9999px; }
  table.stack tr { display: block; border: 1px solid var(--line); border-radius: 6px; margin: 0 0 .6rem;
                   padding: .4rem .6rem; }
  table.stack td { display: block; border: 0; padding: .1rem 0; text-align: left; }
  table.stack td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
  table.stack td.first::before { content: none; }
  .chart { min-height: 18rem; }
  dl.meta { grid-template-columns: 1fr; }
}
"""


def esc(value: object) -> str:
    """User or data text as inert HTML ('—' when missing)."""
    return text.html_text(text.shown(value))


def status_badge(status: str) -> str:
    style = STATUSES.get(status)
    if style is None:
        return esc(status)
    return (f'<span class="status" style="border-color:{style.colour}" title="{esc(style.description)}">'
            f'<span aria-hidden="true">{style.symbol}</span> {esc(style.label)}</span>')


def page(title: str, body: str, *, root: str, city: str, plotly: bool = False, canonical: str | None = None,
         built: str = "") -> str:
    """A whole page. `root` is the relative path to the site root ('' or '../')."""
    head_extra = f'<link rel="canonical" href="{esc(canonical)}">' if canonical else ""
    script = (f'<script src="{root}assets/plotly.min.js"></script>'
              '<noscript><style>.chart-wrap { display: none; }</style></noscript>') if plotly else ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} · {esc(city)}</title>
<link rel="stylesheet" href="{root}assets/site.css">
{head_extra}
{script}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site">
<div class="city">{esc(city)} performance</div>
<nav aria-label="Site"><ul>
<li><a href="{root}index.html">Overview</a></li>
<li><a href="{root}goals/index.html">Goals</a></li>
<li><a href="{root}data.html">Open data</a></li>
</ul></nav>
</header>
<main id="main">
{body}
</main>
<footer><p>Published figures only: draft measures and goals the city has not made public are not included, and
small counts in breakdowns are withheld to protect privacy. {esc(built)}</p>
<p><a href="{root}data.json">Data catalog (data.json)</a> · <a href="{root}data.html">Download the data</a></p></footer>
</body>
</html>
"""


def table(columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[str]], *, caption: str,
          stack: bool = False, numeric: Sequence[int] = ()) -> str:
    """A table. `columns` = (header, css-class); cells are already-escaped HTML. With `stack`
    each row becomes a labelled card on a phone (the first column as its heading)."""
    head = "".join(f'<th scope="col" class="{cls}">{esc(h)}</th>' for h, cls in columns)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            label = esc(columns[i][0])
            cls = " ".join(c for c in (columns[i][1], "first" if i == 0 and stack else "") if c)
            tag = "th" if i == 0 else "td"
            scope = ' scope="row"' if tag == "th" else ""
            if stack and tag == "th":
                tag, scope = "td", ""
            cells.append(f'<{tag}{scope} class="{cls}" data-label="{label}">{cell}</{tag}>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    cls = ' class="stack"' if stack else ""
    return (f'<div class="scroll"><table{cls}><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def chart(fig_html: str, *, title: str, summary: str, as_of: str, table_html: str, image: str | None = None,
          notes: str = "") -> str:
    """A chart block: the interactive chart, its text alternative, "data as of", its numbered notes,
    the static image (shown without scripts, and linked), and the data table."""
    picture = (f'<img src="{esc(image)}" alt="{esc(summary)}" width="900" height="420" class="fallback">'
               if image else "")
    link = f' <a href="{esc(image)}">The chart as an image (SVG)</a>.' if image else ""
    return (f'<figure><figcaption><strong>{esc(title)}</strong><br><span class="asof">Data as of {esc(as_of)}'
            f'</span></figcaption>'
            f'<div class="chart-wrap">{fig_html}</div>'
            f'<noscript>{picture}<p>The interactive chart needs JavaScript; the table below has the same figures.'
            f'</p></noscript>'
            f'<p class="note">{esc(summary)}{link}</p>{notes}'
            f'<details><summary>Show the figures as a table</summary>{table_html}</details></figure>')


def marks(numbered) -> str:
    """A chart's numbered annotations spelled out under it ([1] date (period): text)."""
    if numbered is None or numbered.empty:
        return ""
    items = "".join(f'<li><strong>{esc(m.label)}</strong> {esc(m.on_date)} ({esc(m.period)}): {esc(m.body)}</li>'
                    for m in numbered.itertuples(index=False))
    return f'<div class="marks"><p class="note">Notes on the chart</p><ul>{items}</ul></div>'
