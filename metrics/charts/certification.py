"""Plotly builders for the certification page: data in, figure out, no Streamlit, no database.

Colours come from the Okabe-Ito palette (distinguishable with the common colour-vision
deficiencies); every bar carries its count as text, so colour is never the only cue.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from metrics.domain import text
from metrics.domain.certification import GOAL_STATUS_ORDER
from metrics.domain.vocabulary import STATUSES, WWC_STATUS_LABELS

# status -> (label, fill, text colour); text colour chosen for contrast on the fill
CRITERIA_STYLE = {
    "met": (WWC_STATUS_LABELS["met"], "#0072B2", "#FFFFFF"),
    "in_progress": (WWC_STATUS_LABELS["in_progress"], "#E69F00", "#000000"),
    "not_started": (WWC_STATUS_LABELS["not_started"], "#DDDDDD", "#000000"),
}
_DARK_FILLS = {"#0072B2", "#D55E00", "#009E73"}


def _bar_layout(fig: go.Figure, title: str, x_title: str, n_rows: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "xref": "container", "y": 0.98, "yanchor": "top",
               "pad": {"l": 8}},
        barmode="stack",
        height=150 + 52 * n_rows,
        margin={"l": 10, "r": 10, "t": 50, "b": 110},
        legend={"orientation": "h", "xref": "container", "yref": "container", "x": 0.01, "y": 0.01,
                "xanchor": "left", "yanchor": "bottom", "title": None, "traceorder": "normal"},
        xaxis={"title": x_title, "rangemode": "tozero", "gridcolor": "#E5E5E5"},
        yaxis={"autorange": "reversed", "automargin": True},
        plot_bgcolor="white",
        font={"size": 13},
        uniformtext={"minsize": 11, "mode": "hide"},
    )
    fig.update_traces(textangle=0)
    return fig


def practice_progress_figure(by_practice: pd.DataFrame) -> go.Figure:
    """Horizontal stacked bars per practice: criteria met / in progress / not started, with counts.

    `by_practice` is certification.assess(...).by_practice (practice, met, in_progress, not_started, total).
    """
    labels = [f"{text.html_text(p)}<br><span style=\"font-size:11px\">{int(m)} of {int(t)} met</span>" for p, m, t in
              zip(by_practice["practice"], by_practice["met"], by_practice["total"], strict=True)]
    fig = go.Figure()
    for status, (label, fill, text_colour) in CRITERIA_STYLE.items():
        counts = by_practice[status].astype(int)
        fig.add_bar(
            y=labels, x=counts, orientation="h", name=label, marker={"color": fill, "line": {"color": "#666666",
                                                                                             "width": 0.5}},
            text=[str(c) if c else "" for c in counts], textposition="inside", insidetextanchor="middle",
            textfont={"color": text_colour}, cliponaxis=False,
            hovertemplate="%{y}<br>" + label + ": %{x} criteria<extra></extra>")
    met, total = int(by_practice["met"].sum()), int(by_practice["total"].sum())
    return _bar_layout(fig, f"WWC criteria by practice: {met} of {total} met", "Criteria", len(labels))


def goal_progress_figure(progress: pd.DataFrame) -> go.Figure:
    """Horizontal stacked bars per priority: share of its measures in each status, counts as text."""
    labels = [f"{text.html_text(p)}<br><span style=\"font-size:11px\">{int(o)} of {int(n)} on track</span>" for p, o, n in
              zip(progress["priority_name"], progress["on_track"], progress["measures"], strict=True)]
    fig = go.Figure()
    for status in GOAL_STATUS_ORDER:
        style = STATUSES[status]
        counts = progress[status].astype(int)
        if not counts.any():
            continue
        shares = counts / progress["measures"].where(progress["measures"] > 0)
        fig.add_bar(
            y=labels, x=shares, orientation="h", name=f"{style.symbol} {style.label}",
            marker={"color": style.colour, "line": {"color": "#666666", "width": 0.5}},
            text=[str(c) if c else "" for c in counts], textposition="inside", insidetextanchor="middle",
            textfont={"color": "#FFFFFF" if style.colour in _DARK_FILLS else "#000000"},
            customdata=counts, cliponaxis=False,
            hovertemplate="%{y}<br>" + style.label + ": %{customdata} measures (%{x:.0%})<extra></extra>")
    on, n = int(progress["on_track"].sum()), int(progress["measures"].sum())
    fig = _bar_layout(fig, f"Strategic goals: {on} of {n} measures on track", "Share of measures", len(labels))
    fig.update_xaxes(tickformat=".0%", range=[0, 1], dtick=0.25)
    return fig
