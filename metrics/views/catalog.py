"""Views for the catalog editors (Goals & priorities, Measures, Targets, Links) and `measures list`.

Every read goes through the visibility rule (sql/catalog_*.sql, narratives, annotations,
target_history select from the visible_* CTEs), so a public reader who reached one of these
would get the public subset only; the editor pages also require editor rights. Each editable
row carries `version`, the token a form sends back (`based_on=`) so a save can tell whether
someone else changed the row meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import sqlalchemy as sa

from metrics.access import Actor
from metrics.catalog import version_of
from metrics.domain import periods, text
from metrics.domain.settings import Settings
from metrics.domain.vocabulary import FREQUENCY_LABELS
from metrics.views import base

LIST_FIELDS = ["id", "name", "kind", "unit", "direction", "frequency", "department", "owner", "goal_id", "state",
               "public"]
REFERENCE_TABLES = ("observations", "targets", "links", "narratives", "annotations")


def _versioned(frame: pd.DataFrame, col: str = "updated_at") -> pd.DataFrame:
    out = frame.copy()
    out["version"] = [version_of(v) for v in out[col]] if col in out and not out.empty else pd.Series(dtype=object)
    return out


@dataclass(frozen=True)
class MeasureList:
    version: int
    rows: pd.DataFrame  # LIST_FIELDS


def measure_list(conn_or_url: sa.Connection | str | None, actor: Actor | None, settings: Settings | None = None
                 ) -> MeasureList:
    """Every measure the reader may see with its catalog fields (what `measures list` prints)."""
    with base.read(conn_or_url, actor, settings) as r:
        m = r.frame("catalog_measures")
    rows = m.rename(columns={"is_public": "public"})
    rows["public"] = rows["public"].fillna(False).astype(bool)
    return MeasureList(version=r.version, rows=rows[LIST_FIELDS].reset_index(drop=True))


@dataclass(frozen=True)
class GoalsEditor:
    version: int
    priorities: pd.DataFrame  # id, name, description, sort
    goals: pd.DataFrame  # id, priority_id, name, statement, narrative, owner, target_date, is_public, sort, n_measures, version


def goals_editor(conn_or_url: sa.Connection | str | None, actor: Actor | None, settings: Settings | None = None
                 ) -> GoalsEditor:
    """Priorities and their goals in order, each goal with its edit version."""
    with base.read(conn_or_url, actor, settings) as r:
        prios = r.frame("priorities")
        goals = r.frame("catalog_goals")
    return GoalsEditor(version=r.version, priorities=prios.reset_index(drop=True), goals=_versioned(goals))


@dataclass(frozen=True)
class Preview:
    """What the public will see of a measure once published, and why they may not."""

    visible: bool  # published (or about to be), public, under a public goal
    blockers: tuple[str, ...]  # sentences: why the public would not see it
    periods: int
    latest_period: str | None
    latest_value: str
    suppressed_cells: int  # breakdown cells the public sees as "suppressed"
    narrative: str  # the latest narrative, rendered safe (Markdown)


@dataclass(frozen=True)
class MeasureEditor:
    version: int
    measures: pd.DataFrame  # catalog_measures rows + version
    goals: pd.DataFrame  # id, name, is_public (the goal choices)
    measure: dict | None  # the chosen measure's fields, with "version"
    period_labels: tuple[str, ...]  # observed periods, latest first (narrative choices)
    narratives: pd.DataFrame  # period, body, shown (safe Markdown), updated_by, updated_at, version
    annotations: pd.DataFrame  # id, on_date, body, created_by
    references: dict[str, int] = field(default_factory=dict)  # rows that stop a delete
    preview: Preview | None = None


def _preview(m: pd.Series, goals: pd.DataFrame, obs: pd.DataFrame, narratives: pd.DataFrame,
             suppress_below: int) -> Preview:
    blockers = []
    if m["state"] == "retired":
        blockers.append("It is retired: retired measures never appear publicly.")
    if not bool(m["is_public"]):
        blockers.append("It is not marked public: tick Public to show it on public links.")
    gid = m["goal_id"]
    if gid is None or (not isinstance(gid, str) and pd.isna(gid)):
        blockers.append("It has no goal: publishing needs one.")
    else:
        g = goals[goals["id"] == gid]
        if g.empty or not bool(g["is_public"].iloc[0]):
            blockers.append(f"Its goal ({gid}) is not public: publish the goal too.")
    agg = obs[obs["dimension"] == ""].sort_values("period_end")
    parts = obs[obs["dimension"] != ""]
    latest = agg.iloc[-1] if not agg.empty else None
    story = narratives["shown"].iloc[0] if not narratives.empty else ""
    return Preview(visible=not blockers, blockers=tuple(blockers), periods=len(agg),
                   latest_period=None if latest is None else str(latest["period"]),
                   latest_value="—" if latest is None else text.number(latest["value"], m["unit"]),
                   suppressed_cells=int(parts["suppressed"].fillna(False).astype(bool).sum()) if not parts.empty else 0,
                   narrative=story)


def measure_editor(conn_or_url: sa.Connection | str | None, actor: Actor | None, settings: Settings | None = None, *,
                   measure_id: str | None = None) -> MeasureEditor:
    """Every measure (for the picker) and the chosen one with narratives, annotations, a public preview."""
    with base.read(conn_or_url, actor, settings) as r:
        ms = _versioned(r.frame("catalog_measures"))
        goals = r.frame("catalog_goals")[["id", "name", "is_public"]]
        ids = [str(i) for i in ms["id"]]
        chosen = measure_id if measure_id in ids else (ids[0] if ids else None)
        empty = pd.DataFrame()
        if chosen is None:
            return MeasureEditor(version=r.version, measures=ms, goals=goals, measure=None, period_labels=(),
                                 narratives=empty, annotations=empty)
        obs = r.frame("measure_observations", measure_id=chosen)
        narr = _versioned(r.frame("narratives", measure_id=chosen))
        notes = r.frame("annotations", measure_id=chosen)
        refs = {"observations": int((obs["dimension"] == "").sum()) if not obs.empty else 0}
        links = r.frame("links")
        refs["links"] = int(((links["output_measure_id"] == chosen) | (links["outcome_measure_id"] == chosen)).sum())
        refs["targets"] = int((r.frame("targets")["measure_id"] == chosen).sum())
        suppress = r.vis.suppress_below
    narr["shown"] = [text.markdown(b) for b in narr["body"]] if not narr.empty else pd.Series(dtype=object)
    refs["narratives"], refs["annotations"] = len(narr), len(notes)
    m = ms[ms["id"] == chosen].iloc[0]
    labels = tuple(obs.loc[obs["dimension"] == "", "period"].astype(str).tolist()[::-1]) if not obs.empty else ()
    return MeasureEditor(version=r.version, measures=ms, goals=goals, measure=m.to_dict(), period_labels=labels,
                         narratives=narr, annotations=notes, references={k: v for k, v in refs.items() if v},
                         preview=_preview(m, goals, obs, narr, suppress))


@dataclass(frozen=True)
class TargetsEditor:
    version: int
    measures: pd.DataFrame  # id, name, frequency
    measure: dict | None  # id, name, unit, frequency, frequency_label, example_period
    targets: pd.DataFrame  # effective_from, effective_to, value, tolerance, set_by, set_at, reason
    history: pd.DataFrame  # changed_at, changed_by, reason, old_value, new_value, ...
    targets_version: str  # what the form sends back as based_on


def targets_editor(conn_or_url: sa.Connection | str | None, actor: Actor | None, settings: Settings | None = None, *,
                   measure_id: str | None = None, today: date | None = None) -> TargetsEditor:
    """One measure's targets over time and every change to them (who, when, why, old → new)."""
    with base.read(conn_or_url, actor, settings) as r:
        ms = r.frame("catalog_measures")
        ids = [str(i) for i in ms["id"]]
        chosen = measure_id if measure_id in ids else (ids[0] if ids else None)
        targets = r.frame("targets")
        hist = r.frame("target_history", measure_id=chosen or "")
        fsm = r.settings.fiscal_start_month
    pick = ms[["id", "name", "frequency"]].reset_index(drop=True)
    if chosen is None:
        return TargetsEditor(r.version, pick, None, pd.DataFrame(), hist, "")
    t = targets[targets["measure_id"] == chosen].sort_values("effective_from", ascending=False).reset_index(drop=True)
    m = ms[ms["id"] == chosen].iloc[0]
    freq = str(m["frequency"])
    info = {"id": chosen, "name": str(m["name"]), "unit": None if pd.isna(m["unit"]) else str(m["unit"]),
            "frequency": freq, "frequency_label": FREQUENCY_LABELS.get(freq, freq),
            "example_period": periods.label_of(today or date.today(), freq, fsm)}
    stamp = t["set_at"].max() if not t.empty else None
    return TargetsEditor(r.version, pick, info, t, hist, version_of(stamp))


@dataclass(frozen=True)
class LinksEditor:
    version: int
    links: pd.DataFrame  # output_measure_id, output_name, outcome_measure_id, outcome_name, lag_periods, note
    outputs: pd.DataFrame  # id, name, kind (every measure but outcomes: what can feed an outcome)
    outcomes: pd.DataFrame  # id, name


def links_editor(conn_or_url: sa.Connection | str | None, actor: Actor | None, settings: Settings | None = None
                 ) -> LinksEditor:
    """Every output → outcome link with both names, and the measures either end may be."""
    with base.read(conn_or_url, actor, settings) as r:
        ms = r.frame("catalog_measures")
        links = r.frame("links")
    names = dict(zip(ms["id"], ms["name"], strict=True))
    out = links.assign(output_name=links["output_measure_id"].map(names),
                       outcome_name=links["outcome_measure_id"].map(names))
    cols = ["output_measure_id", "output_name", "outcome_measure_id", "outcome_name", "lag_periods", "note"]
    live = ms[ms["state"] != "retired"]
    return LinksEditor(r.version, out[cols].reset_index(drop=True),
                       live.loc[live["kind"] != "outcome", ["id", "name", "kind"]].reset_index(drop=True),
                       live.loc[live["kind"] == "outcome", ["id", "name"]].reset_index(drop=True))
