"""The product's words, defined once: statuses, kinds, directions, frequencies, WWC statuses.

Every page, chart, export and CLI command takes its labels and symbols from here, so the
Overview, the Certification page and the CLI can't describe the same thing differently.
Colours are from the Okabe-Ito palette (distinguishable with common colour-vision
deficiencies) and each status also has a symbol, so colour is never the only cue.
"""

from __future__ import annotations

from dataclasses import dataclass

MEASURE_KINDS = ("input", "output", "efficiency", "outcome")
KIND_LABELS = {"input": "Input", "output": "Output", "efficiency": "Efficiency", "outcome": "Outcome"}
DIRECTIONS = ("higher", "lower")
DIRECTION_LABELS = {"higher": "higher is better", "lower": "lower is better"}
FREQUENCIES = ("day", "month", "quarter", "year", "fiscal_year")
FREQUENCY_LABELS = {"day": "daily", "month": "monthly", "quarter": "quarterly", "year": "yearly",
                    "fiscal_year": "fiscal-yearly"}
MEASURE_STATES = ("draft", "published", "retired")
ROLLUPS = ("sum", "mean", "last")  # how a measure rolls up to a coarser period; 'sum' = a count


@dataclass(frozen=True)
class StatusStyle:
    label: str
    colour: str  # Okabe-Ito palette: distinguishable with the common colour-vision deficiencies
    symbol: str  # shown next to the colour so colour is never the only cue
    description: str


STATUSES: dict[str, StatusStyle] = {
    "on_track": StatusStyle("On track", "#009E73", "✓", "Meets or beats the target in force."),
    "at_risk": StatusStyle("At risk", "#E69F00", "!", "Misses the target, but within the tolerance."),
    "off_track": StatusStyle("Off track", "#D55E00", "✗", "Misses the target by more than the tolerance."),
    "no_target": StatusStyle("No target", "#56B4E9", "○", "Reported, but no target was set for this period."),
    "stale": StatusStyle("Stale data", "#CC79A7", "…", "No new data for more than a reporting cycle past due."),
    "no_data": StatusStyle("No data", "#999999", "–", "No observations have been reported."),
}
SCORED_STATUSES = ("on_track", "at_risk", "off_track")


# What Works Cities criterion statuses: the one wording (CLI, Certification page, Goal panel).
WWC_STATUSES = ("not_started", "in_progress", "met")
WWC_STATUS_LABELS = {"not_started": "Not started", "in_progress": "In progress", "met": "Met"}
WWC_STATUS_SYMBOLS = {"not_started": "○", "in_progress": "!", "met": "✓"}
WWC_STATUS_TEXT = {k: f"{WWC_STATUS_SYMBOLS[k]} {v}" for k, v in WWC_STATUS_LABELS.items()}


def status_label(status: str) -> str:
    """'✓ On track' for a measure status (the symbol keeps colour from being the only cue)."""
    style = STATUSES.get(status)
    return f"{style.symbol} {style.label}" if style else status
