"""Plotly figure builders: data in, figure out, no Streamlit.

Every chart has a title, axis titles with units, the target drawn as a line and the
tolerance as a band, hover text with exact values, and colours from the Okabe-Ito
palette, which stays distinguishable with the common colour-vision deficiencies.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from metrics import scoring

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
ACTUAL = "#0072B2"
TARGET = "#000000"
BAND = "rgba(0,158,115,0.15)"


def fmt(value: float | None, unit: str | None = None) -> str:
    """A number as a person reads it: thousands separators, unit where it helps."""
    if value is None or pd.isna(value):
        return "—"
    unit = unit or ""
    digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    text = f"{value:,.{digits}f}"
    if unit == "USD":
        return f"${text}"
    if unit.startswith("%"):
        return f"{text}%"
    return f"{text} {unit}".strip()


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
        for period, end in zip(history["period"], history["period_end"], strict=True):
            t = scoring.target_for(targets, targets["measure_id"].iloc[0], end)
            rows.append((period, end, t.value if t else None, t.tolerance if t else None))
    out = pd.DataFrame(rows, columns=["period", "period_end", "target", "tolerance"]).astype(
        {"target": float, "tolerance": float})
    out["low"] = out["target"] - out["target"].abs() * out["tolerance"]
    out["high"] = out["target"] + out["target"].abs() * out["tolerance"]
    return out


def history_chart(history: pd.DataFrame, targets: pd.DataFrame, name: str, unit: str | None,
                  direction: str = "higher", limits: tuple[float, float, float] | None = None) -> go.Figure:
    """A measure over time against the target in force, with the tolerance band.

    `limits` = (mean, lcl, ucl) draws statistical control limits so a reader can tell
    normal variation from a real change.
    """
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
    return _layout(fig, f"{name} — {better}", axis_title(name, unit))


def breakdown_chart(frame: pd.DataFrame, name: str, unit: str | None, dimension: str) -> go.Figure:
    """One line per group (district, race…) so gaps over time are visible."""
    fig = go.Figure()
    for i, (member, g) in enumerate(frame.groupby("member", sort=True)):
        fig.add_trace(go.Scatter(x=g["period"], y=g["value"], mode="lines", name=str(member),
                                 line={"color": OKABE_ITO[i % len(OKABE_ITO)], "width": 2},
                                 hovertemplate=f"{member}: " + "%{y:,.2f}<extra></extra>"))
    fig.update_xaxes(type="category", nticks=12)
    return _layout(fig, f"{name} by {dimension}", axis_title(name, unit))
