"""Plotly figure builders: data in, figure out, no Streamlit.

Every chart has a title, axis titles with units, the target drawn as a line and the
tolerance as a band, hover text with exact values, and colours from the Okabe-Ito
palette, which stays distinguishable with the common colour-vision deficiencies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from metrics.domain import scoring, text

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
ACTUAL = "#0072B2"
TARGET = "#000000"
ANNOTATION = "#CC79A7"  # annotations (catalog notes): Okabe-Ito reddish purple
BAND = "rgba(0,158,115,0.15)"


def fmt(value: float | None, unit: str | None = None) -> str:
    """Numbers on charts and cards: the one formatter (domain.text.number)."""
    return text.number(value, unit)


def axis_title(name: str, unit: str | None) -> str:
    return f"{name} ({unit})" if unit else name


def _layout(fig: go.Figure, title: str, y_title: str, x_title: str = "Period") -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        xaxis_title=x_title, yaxis_title=y_title, hovermode="x unified",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"l": 10, "r": 10, "t": 70, "b": 10}, template="plotly_white",
        font={"size": 13},
    )
    fig.update_yaxes(rangemode="tozero", separatethousands=True)
    return fig


def target_steps(history: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """The target in force at each observed period (by period end), with its band."""
    rows = []
    if targets is not None and not targets.empty:
        mid = targets["measure_id"].iloc[0]
        lookup = scoring.target_lookup(targets[targets["measure_id"] == mid])  # prepared once, not per period
        for period, end in zip(history["period"], history["period_end"], strict=True):
            t = lookup(mid, pd.Timestamp(end).normalize())
            rows.append((period, end, t.value if t else None, t.tolerance if t else None))
    out = pd.DataFrame(rows, columns=["period", "period_end", "target", "tolerance"]).astype(
        {"target": float, "tolerance": float})
    out["low"] = out["target"] - out["target"].abs() * out["tolerance"]
    out["high"] = out["target"] + out["target"].abs() * out["tolerance"]
    return out


def annotate(fig: go.Figure, marks: pd.DataFrame | None, periods_shown: pd.Series | None = None) -> go.Figure:
    """Draw a measure's dated annotations (on_date, period, body) as labelled markers at their periods.

    Only periods on the chart's axis get a marker (a category axis can't place one elsewhere); the
    text is user text, escaped by _vmark. Several notes in one period share one marker.
    """
    if marks is None or marks.empty:
        return fig
    shown = set(map(str, periods_shown)) if periods_shown is not None else None
    for period, group in marks.groupby("period", sort=True):
        if shown is not None and str(period) not in shown:
            continue
        _vmark(fig, str(period), "; ".join(group["body"].astype(str)), colour=ANNOTATION)
    return fig


def history_chart(history: pd.DataFrame, targets: pd.DataFrame, name: str, unit: str | None,
                  direction: str = "higher", limits: tuple[float, float, float] | None = None,
                  annotations: pd.DataFrame | None = None) -> go.Figure:
    """A measure over time against the target in force, with the tolerance band.

    `limits` = (mean, lcl, ucl) draws statistical control limits so a reader can tell
    normal variation from a real change. The name and unit are user text: escaped here.
    """
    name, unit = text.html_text(name), text.html_text(unit) or None
    fig = go.Figure()
    steps = target_steps(history, targets)
    if not steps.empty and steps["target"].notna().any():
        fig.add_trace(go.Scatter(x=steps["period"], y=steps["high"], mode="lines", line={"width": 0, "shape": "hv"},
                                 hoverinfo="skip", showlegend=False))
        fig.add_trace(go.Scatter(x=steps["period"], y=steps["low"], mode="lines", line={"width": 0, "shape": "hv"},
                                 fill="tonexty", fillcolor=BAND, name="Tolerance band", hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=steps["period"], y=steps["target"], mode="lines", name="Target",
                                 line={"color": TARGET, "dash": "dash", "shape": "hv", "width": 2},
                                 hovertemplate="Target: %{y:,.2f}<extra></extra>"))
    if limits is not None:
        mean, lcl, ucl = limits
        for y, label in ((ucl, "Upper control limit"), (lcl, "Lower control limit")):
            fig.add_hline(y=y, line={"color": "#999999", "dash": "dot", "width": 1},
                          annotation_text=label, annotation_position="top left")
    fig.add_trace(go.Scatter(x=history["period"], y=history["value"], mode="lines+markers", name="Actual",
                             line={"color": ACTUAL, "width": 3}, marker={"size": 5},
                             hovertemplate="%{x}: %{y:,.2f}" + (f" {unit}" if unit else "") + "<extra></extra>"))
    better = "higher is better" if direction == "higher" else "lower is better"
    fig.update_xaxes(type="category", nticks=12)
    annotate(fig, annotations, history["period"])
    return _layout(fig, f"{name} — {better}", axis_title(name, unit))


def breakdown_chart(frame: pd.DataFrame, name: str, unit: str | None, dimension: str,
                    annotations: pd.DataFrame | None = None) -> go.Figure:
    """One line per group (district, race…) so gaps over time are visible.

    With a `shown` column (the value as the reader may see it: 'suppressed', '3 (below 11)')
    the hover text is that column. Names, units, dimensions and members are escaped here.
    """
    name, dimension, unit = text.html_text(name), text.html_text(dimension), text.html_text(unit) or None
    fig = go.Figure()
    for i, (member, g) in enumerate(frame.groupby("member", sort=True)):
        label = text.html_text(member)
        shown = "shown" in g
        fig.add_trace(go.Scatter(x=g["period"], y=g["value"], mode="lines", name=label,
                                 line={"color": OKABE_ITO[i % len(OKABE_ITO)], "width": 2},
                                 customdata=g["shown"].map(text.html_text).to_numpy() if shown else None,
                                 hovertemplate=f"{label}: " + ("%{customdata}" if shown else "%{y:,.2f}")
                                 + "<extra></extra>"))
    fig.update_xaxes(type="category", nticks=12)
    annotate(fig, annotations, frame["period"] if "period" in frame else None)
    return _layout(fig, f"{name} by {dimension}", axis_title(name, unit))


# --------------------------------------------------------------------------- dashboards (issue 6)

def _hover(unit: str | None, fmt_spec: str = ",.0f") -> str:
    unit = text.html_text(unit) or None
    return "%{y:" + fmt_spec + "}" + (f" {unit}" if unit and unit not in ("%", "USD") else "") + \
        ("%" if unit == "%" else "")


def _vmark(fig: go.Figure, x: str, label: str, colour: str = "#555555") -> None:
    """A labelled vertical marker on a category x axis (add_vline can't anchor text there).
    The label may be user text (a target change's reason): escaped here."""
    fig.add_shape(type="line", x0=x, x1=x, yref="paper", y0=0, y1=1,
                  line={"color": colour, "dash": "dot", "width": 2})
    fig.add_annotation(x=x, y=1, yref="paper", text=text.html_text(label), showarrow=False, xanchor="left", yanchor="top",
                       font={"size": 12, "color": colour}, bgcolor="rgba(255,255,255,0.8)")


def composite_chart(movement: pd.DataFrame, height: int = 220) -> go.Figure:
    """The city score over the last months, on an axis from 0 so half a point looks like half a point;
    100% (= on target) is the reference line and each point says how many measures it averages."""
    fig = go.Figure()
    fig.add_hline(y=100, line={"color": TARGET, "dash": "dash", "width": 1}, annotation_text="on target",
                  annotation_position="bottom right")
    fig.add_trace(go.Scatter(x=movement["label"].astype(str), y=100 * movement["score"], mode="lines+markers",
                             name="City score", line={"color": ACTUAL, "width": 3},
                             customdata=movement["n_scored"],
                             hovertemplate="As of %{x}: %{y:.1f}% (%{customdata} measures scored)<extra></extra>"))
    fig.update_xaxes(type="category", nticks=4, tickangle=0)
    latest = movement["n_scored"].dropna()
    n = f"<br><sup>{int(latest.iloc[-1])} measures · 100% = on target</sup>" if not latest.empty else ""
    _layout(fig, f"City score, last 12 months{n}", "% of target", x_title="")
    top = float(np.nanmax(100 * movement["score"].to_numpy(float))) if movement["score"].notna().any() else 100
    fig.update_yaxes(range=[0, max(120.0, top * 1.05)], ticksuffix="%")
    fig.update_layout(height=height, showlegend=False, margin={"l": 10, "r": 10, "t": 50, "b": 10},
                      font={"size": 12})
    return fig


def projection_chart(history: pd.DataFrame, targets: pd.DataFrame, proj: scoring.Projection,
                     future: list[str], name: str, unit: str | None, direction: str = "higher",
                     goal_label: str | None = None) -> go.Figure:
    """History against the target path, then the straight-line projection and its ~95% band.

    `future` = period labels from the last observed period to the goal's target period;
    the projection is drawn from the last actual value along the fitted slope.
    """
    fig = history_chart(history, targets, name, unit, direction)
    if future and not pd.isna(proj.slope_per_period):
        last = float(history["value"].iloc[-1])
        xs = [str(history["period"].iloc[-1]), *future]
        steps = range(len(xs))
        ys = [last + proj.slope_per_period * k for k in steps]
        half = 0.0 if pd.isna(proj.uncertainty) else proj.uncertainty
        band = [half * k / max(len(xs) - 1, 1) for k in steps]  # widens toward the target date
        fig.add_trace(go.Scatter(x=xs, y=[y + b for y, b in zip(ys, band, strict=True)], mode="lines",
                                 line={"width": 0}, hoverinfo="skip", showlegend=False))
        fig.add_trace(go.Scatter(x=xs, y=[y - b for y, b in zip(ys, band, strict=True)], mode="lines",
                                 line={"width": 0}, fill="tonexty", fillcolor="rgba(230,159,0,0.2)",
                                 name="Projection range (~95%)", hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="Projection at current pace",
                                 line={"color": OKABE_ITO[1], "dash": "dot", "width": 3},
                                 hovertemplate="Projected %{x}: " + _hover(unit) + "<extra></extra>"))
        fig.add_trace(go.Scatter(x=[xs[-1]], y=[proj.target_value], mode="markers", name="Goal",
                                 marker={"symbol": "star", "size": 16, "color": OKABE_ITO[3]},
                                 hovertemplate=f"Goal {text.html_text(goal_label)}: " + _hover(unit)
                                 + "<extra></extra>"))
    fig.update_layout(title={"text": f"{text.html_text(name)}: history, target and projection"})
    return narrow_legend(fig)


def small_multiples(frame: pd.DataFrame, meta: pd.DataFrame, cols: int = 3, title: str = "Linked outputs"
                    ) -> go.Figure:
    """One small chart per measure (columns of a wide frame indexed by period), own y axis and unit.
    Measure names, units and the title are user text: escaped here."""
    from plotly.subplots import make_subplots

    ids = list(frame.columns)
    rows = max(1, -(-len(ids) // cols))
    names = meta.set_index("id")
    fig = make_subplots(rows=rows, cols=min(cols, max(len(ids), 1)), shared_xaxes=False,
                        subplot_titles=[axis_title(text.html_text(names.at[i, "name"]),
                                                   text.html_text(names.at[i, "unit"])) for i in ids],
                        vertical_spacing=0.18, horizontal_spacing=0.07)
    for k, mid in enumerate(ids):
        s = frame[mid]
        unit = names.at[mid, "unit"]
        fig.add_trace(go.Scatter(x=[str(x) for x in s.index], y=s.to_numpy(), mode="lines",
                                 name=text.html_text(names.at[mid, "name"]), showlegend=False,
                                 line={"color": OKABE_ITO[k % len(OKABE_ITO)], "width": 2},
                                 hovertemplate="%{x}: " + _hover(unit) + "<extra></extra>"),
                      row=k // cols + 1, col=k % cols + 1)
    fig.update_xaxes(type="category", nticks=5)
    fig.update_yaxes(separatethousands=True, rangemode="tozero")
    fig.update_layout(title={"text": text.html_text(title), "x": 0}, template="plotly_white", height=260 * rows + 60,
                      margin={"l": 10, "r": 10, "t": 80, "b": 10}, font={"size": 12})
    fig.update_annotations(font={"size": 12})
    return fig


def indexed_chart(indexed: pd.DataFrame, meta: pd.DataFrame, outcome_id: str, base: str,
                  marks: list[tuple[str, str]] | None = None) -> go.Figure:
    """Outputs and the outcome indexed to 100 at `base`, so beds, hours and households share an axis.
    Measure names and marker labels are user text: escaped here."""
    names = meta.set_index("id")
    base = text.html_text(base)
    fig = go.Figure()
    fig.add_hline(y=100, line={"color": "#999999", "width": 1})
    k = 0
    for mid in indexed.columns:
        is_outcome = mid == outcome_id
        colour = TARGET if is_outcome else OKABE_ITO[k % len(OKABE_ITO)]
        k += 0 if is_outcome else 1
        mname = text.html_text(names.at[mid, "name"])
        label = f"{mname} ({'outcome' if is_outcome else 'output'})"
        fig.add_trace(go.Scatter(
            x=[str(x) for x in indexed.index], y=indexed[mid], mode="lines+markers" if is_outcome else "lines",
            name=label, line={"color": colour, "width": 4 if is_outcome else 2, "dash": "solid" if is_outcome else "dash"},
            hovertemplate=f"{mname}: " + "%{y:.0f}<extra></extra>"))
    for x, label in marks or []:
        _vmark(fig, x, label, OKABE_ITO[3])
    fig.update_xaxes(type="category", nticks=12)
    _layout(fig, f"Outputs and the outcome, indexed ({base} = 100)", f"Index ({base} = 100)")
    fig.update_yaxes(rangemode="normal")
    return narrow_legend(fig, per_row=1)  # long measure names: one per row, never overlapping


def ratio_lines(frame: pd.DataFrame, title: str, y_title: str, hover_unit: str = "",
                marks: list[tuple[str, str]] | None = None, fmt_spec: str = ",.2f") -> go.Figure:
    """Several ratio series (columns = series names) over the same periods.
    Series names, titles and units are user text (measure names): escaped here."""
    fig = go.Figure()
    title, y_title, hover_unit = text.html_text(title), text.html_text(y_title), text.html_text(hover_unit)
    for k, col in enumerate(frame.columns):
        label = text.html_text(col)
        fig.add_trace(go.Scatter(x=[str(x) for x in frame.index], y=frame[col], mode="lines+markers", name=label,
                                 line={"color": OKABE_ITO[k % len(OKABE_ITO)], "width": 2}, marker={"size": 4},
                                 hovertemplate=f"{label}: " + "%{y:" + fmt_spec + "}" + hover_unit + "<extra></extra>"))
    for x, label in marks or []:
        _vmark(fig, x, label, OKABE_ITO[3])
    fig.update_xaxes(type="category", nticks=12)
    _layout(fig, title, y_title)
    return narrow_legend(fig)


def gap_chart(gaps: pd.DataFrame, name: str, unit: str | None, dimension: str) -> go.Figure:
    """The gap between the best and worst group each period (max - min of groups not suppressed).

    Names, units, dimensions and members are user text: escaped here for plotly's HTML labels."""
    name, dimension = text.html_text(name), text.html_text(dimension)
    unit = text.html_text(unit) or None
    members = "high_member" in gaps
    fig = go.Figure(go.Scatter(x=gaps["period"].astype(str), y=gaps["value"], mode="lines+markers",
                               name=f"Gap between {dimension} groups", line={"color": OKABE_ITO[3], "width": 3},
                               customdata=gaps[["high_member", "low_member"]].map(text.html_text).to_numpy()
                               if members else None,
                               hovertemplate="%{x}: gap %{y:,.2f}" + (f" {unit}" if unit else "")
                               + ("<br>highest %{customdata[0]}, lowest %{customdata[1]}" if members
                                  else "") + "<extra></extra>"))
    fig.update_xaxes(type="category", nticks=12)
    _layout(fig, f"{name}: gap between highest and lowest {dimension} (max − min)", axis_title("Gap", unit))
    return narrow_legend(fig)


def vs_city_chart(frame: pd.DataFrame, name: str, y_title: str, dimension: str, hover_unit: str = "",
                  reference: float | None = 0.0) -> go.Figure:
    """Each group against the city figure (difference, or share of the city total for counts).

    Names, titles, dimensions and members are user text: escaped here for plotly's HTML labels."""
    fig = go.Figure()
    if reference is not None:
        fig.add_hline(y=reference, line={"color": TARGET, "width": 1})
    hover_unit = text.html_text(hover_unit)
    for k, (member, g) in enumerate(frame.groupby("member", sort=True)):
        label = text.html_text(member)
        fig.add_trace(go.Scatter(x=g["period"].astype(str), y=g["vs_city"], mode="lines", name=label,
                                 line={"color": OKABE_ITO[k % len(OKABE_ITO)], "width": 2},
                                 hovertemplate=f"{label}: " + "%{y:,.2f}" + hover_unit + "<extra></extra>"))
    fig.update_xaxes(type="category", nticks=12)
    _layout(fig, f"{text.html_text(name)}: each {text.html_text(dimension)} against the city figure",
            text.html_text(y_title))
    fig.update_yaxes(rangemode="normal")
    return narrow_legend(fig, per_row=3)


TITLE_WRAP = 50  # characters: longer chart titles are split over two lines so a phone shows them whole


def narrow_legend(fig: go.Figure, per_row: int = 2) -> go.Figure:
    """A top legend that can't run into the title on a phone.

    Plotly wraps a horizontal legend as the screen narrows, and the extra rows grow up into
    the title. Fixing the entries per row (entrywidth as a fraction of the width) makes the
    legend's height known here, so the top margin is sized for it at any width.
    """
    n = sum(1 for t in fig.data if t.showlegend is not False and (t.name or "") != "")
    rows = 0 if n < 2 and fig.layout.showlegend is not True else max(1, -(-n // per_row))  # 1 trace: no legend
    title = fig.layout.title.text or ""
    extra = 0
    if len(title) > TITLE_WRAP and "<br>" not in title:  # plotly never wraps titles: break long ones in two
        words, first = title.split(" "), ""
        while words and len(first) + len(words[0]) < len(title) / 2 + 4:
            first += ("" if not first else " ") + words.pop(0)
        title, extra = f"{first}<br>{' '.join(words)}", 20
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "xanchor": "left",
                "entrywidthmode": "fraction", "entrywidth": 1 / per_row - 0.01, "font": {"size": 12}},
        title={"text": title, "yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 14}},
        margin={"t": 44 + extra + 22 * rows},
    )
    return fig
