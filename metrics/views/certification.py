"""What Works Cities certification: everything the Certification page and `criteria` list show.

`build()` is the page (and the CLI list): the assessment against the city's levels
(`settings.levels`), the criteria with their status, the what-if path, next steps, suggested
evidence, goal progress and the CSV rows. `detail()` is one criterion: its evidence, linked
goals and history. Both read through the visibility rule, and for the public they also drop
what is internal work: owners, due dates (so no "overdue"), notes, who changed or attached
what, and the suggested evidence (staff advice, and over the public subset of measures it would
mislead); the history query already returns nothing to the public, and evidence pointing at a
measure or goal the reader may not see is left out in SQL.

`save()` is the page's one write: it opens a write transaction and hands the page's actor
to wwc.store.set_status (which checks edit-criteria), so the page needs no store import.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import sqlalchemy as sa

from metrics import access
from metrics.domain import certification, overview, text
from metrics.domain.certification import Assessment, LevelConfig
from metrics.domain.settings import Settings
from metrics.domain.vocabulary import WWC_STATUS_TEXT
from metrics.errors import MetricsError
from metrics.store import db
from metrics.views import base
from metrics.wwc import store as wwc_store

NOTE_MAX_CHARS = certification.NOTE_MAX_CHARS
GOAL_SCOPED = "This share link covers one goal; the certification tracker is not part of it."
NO_CRITERIA = "No What Works Cities criteria are loaded yet: run `python -m metrics init`."
# Internal work on a criterion: the public sees the status, never who does the work, by when, or notes.
PRIVATE_COLUMNS = ("owner", "target_date", "notes", "updated_by", "updated_at")
EXPORT_COLUMNS = ["level_now", "standard_version", "code", "practice", "criterion", "is_core", "status", "owner",
                  "target_date", "last_reviewed", "evidence_count", "notes", "on_shortest_path", "next_step_reason"]
LIST_COLUMNS = ["code", "practice", "criterion", "is_core", "status", "owner", "target_date", "last_reviewed",
                "evidence_count"]


def _frame(columns: Iterable[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns))


@dataclass(frozen=True)
class CertificationView:
    version: int
    as_of: date
    staff: bool
    config: LevelConfig
    notice: str | None = None  # nothing to show, and why (goal link, no criteria loaded)
    standard: str = ""
    assessment: Assessment | None = None
    thresholds: tuple[tuple[str, int], ...] = ()  # (level, criteria needed) for this many criteria
    criteria: pd.DataFrame = field(default_factory=lambda: _frame(["code", "practice", "criterion", "status"]))
    path: pd.DataFrame = field(default_factory=lambda: _frame(["step", "code", "criterion", "status", "reaches"]))
    steps: pd.DataFrame = field(default_factory=lambda: _frame(["rank", "code", "criterion", "status", "reason"]))
    suggestions: pd.DataFrame = field(default_factory=lambda: _frame(
        ["code", "title", "indicator", "value", "value_text", "verdict", "detail", "suggests_met",
         "evidence_ref", "evidence_note"]))
    goal_progress: pd.DataFrame = field(default_factory=lambda: _frame(["priority_name", "measures"]))
    export_rows: pd.DataFrame = field(default_factory=lambda: _frame(EXPORT_COLUMNS))

    @property
    def empty(self) -> bool:
        return self.assessment is None

    @property
    def codes(self) -> list[str]:
        return self.criteria["code"].tolist()

    @property
    def titles(self) -> dict[str, str]:
        return dict(zip(self.criteria["code"], self.criteria["criterion"], strict=True))

    @property
    def practices(self) -> list[str]:
        return list(dict.fromkeys(self.criteria["practice"]))

    @property
    def unmet(self) -> list[str]:
        return self.criteria.loc[self.criteria["status"] != "met", "code"].tolist()

    @property
    def export_csv(self) -> str:
        return text.to_csv(self.export_rows)

    @property
    def export_name(self) -> str:
        return f"wwc-assessment-{self.as_of:%Y-%m-%d}.csv"

    def project(self, treat_as_met: Iterable[str]) -> Assessment:
        """The assessment if these criteria were met too (the what-if box); reads nothing."""
        picked = set(treat_as_met)
        crit = self.criteria.assign(status=self.criteria["status"].where(~self.criteria["code"].isin(picked), "met"))
        return certification.assess(crit, self.config)

    def table(self, practice: str | None = None, status: str | None = None) -> pd.DataFrame:
        """The "All criteria" table, narrowed to one practice and/or one status (a WWC_STATUSES key)."""
        shown = self.criteria
        if practice:
            shown = shown[shown["practice"] == practice]
        if status:
            shown = shown[shown["status"] == status]
        cols = ["code", "criterion", "practice", "status", "owner", "target_date", "last_reviewed", "evidence_count"]
        if not self.staff:
            cols = [c for c in cols if c not in PRIVATE_COLUMNS]
        out = shown.assign(status=shown["status"].map(WWC_STATUS_TEXT),
                           criterion=shown["criterion"] + shown["is_core"].map({True: " (core)", False: ""}),
                           target_date=pd.to_datetime(shown["target_date"]),
                           last_reviewed=pd.to_datetime(shown["last_reviewed"]))
        return out[cols].reset_index(drop=True)


def _public(crit: pd.DataFrame) -> pd.DataFrame:
    """The criteria as the public may read them: status and evidence counts, no internal work."""
    return crit.assign(**{c: None for c in PRIVATE_COLUMNS if c in crit.columns})


def _suggestions(sugg: pd.DataFrame, titles: dict[str, str], as_of: date) -> pd.DataFrame:
    out = sugg.copy()
    def col(values: list) -> pd.Series:
        return pd.Series(values, index=out.index, dtype=object)

    out["title"] = col([titles.get(c, "") for c in out["code"]])
    out["value_text"] = col([text.MISSING if pd.isna(v) else f"{v:.0%}" for v in out["value"]])
    out["verdict"] = col(["suggests met" if bool(m) else "gap to close" for m in out["suggests_met"]])
    out["evidence_ref"] = col([f"Dashboard indicator {as_of:%Y-%m-%d}: {d}"[:wwc_store.DOCUMENT_MAX_CHARS]
                               for d in out["detail"]])
    out["evidence_note"] = col([f"{i}: {v} ({w})" for i, v, w in zip(out["indicator"], out["value_text"],
                                                                     out["verdict"], strict=True)])
    return out.reset_index(drop=True)


def build(conn_or_url: sa.Connection | str | None, actor: access.Actor | None, settings: Settings | None = None, *,
          as_of: date | None = None) -> CertificationView:
    """The certification tracker as `actor` may see it, with next steps as of `as_of` (today)."""
    as_of = as_of or date.today()
    with base.read(conn_or_url, actor, settings) as r:
        common = dict(version=r.version, as_of=as_of, staff=r.vis.staff, config=r.settings.levels)
        if r.actor.goal_scope:
            return CertificationView(**common, notice=GOAL_SCOPED)
        crit = r.frame("wwc_criteria_status")
        if crit.empty:
            return CertificationView(**common, notice=NO_CRITERIA)
        measures = r.frame("measures")
        recent = r.frame("recent_aggregates", depth=overview.RECENT_DEPTH)
        targets = r.frame("targets")
        goals = r.frame("goals")
        obs = r.frame("wwc_observations_summary")
        cfg = r.settings
    if not common["staff"]:
        crit = _public(crit)
    config = cfg.levels
    a = certification.assess(crit, config)
    path = certification.what_if(crit, config)
    sugg = certification.suggest_evidence(measures, goals, obs, targets, as_of,
                                          fiscal_start_month=cfg.fiscal_start_month, grace_days=cfg.grace_days)
    if not common["staff"]:  # worked out over the public subset they would mislead ("all measures public")
        sugg = sugg.iloc[0:0]
    steps = certification.next_steps(crit, config, n=10, as_of=as_of, suggestions=sugg)
    status = overview.measure_status(measures, recent, targets, as_of, cap=cfg.composite_cap,
                                     grace_days=cfg.grace_days)
    titles = dict(zip(crit["code"], crit["criterion"], strict=True))

    path_cols = ["step", "code", "criterion", "status", "owner", "target_date", "reaches"]
    step_cols = ["rank", "code", "criterion", "status", "owner", "reason"]
    if not common["staff"]:
        path_cols = [c for c in path_cols if c not in PRIVATE_COLUMNS]
        step_cols = [c for c in step_cols if c not in PRIVATE_COLUMNS]
    path_shown = path.assign(status=path["status"].map(WWC_STATUS_TEXT))[path_cols]
    steps_shown = steps.assign(status_text=steps["status"].map(WWC_STATUS_TEXT).fillna(steps["status"]))[
        [*step_cols, "status_text"]]

    full = crit.merge(steps[["code", "reason"]].rename(columns={"reason": "next_step_reason"}), on="code",
                      how="left")
    full["on_shortest_path"] = full["code"].isin(set(path["code"]))
    full.insert(0, "level_now", a.level or "Not certified")
    export_cols = EXPORT_COLUMNS if common["staff"] else [c for c in EXPORT_COLUMNS if c not in PRIVATE_COLUMNS]

    return CertificationView(
        **common, standard=str(crit["standard_version"].iloc[0]), assessment=a,
        thresholds=tuple((name, config.needed(name, a.total)) for name, _ in config.levels),
        criteria=crit.reset_index(drop=True), path=path_shown, steps=steps_shown,
        suggestions=_suggestions(sugg, titles, as_of), goal_progress=certification.goal_progress_by_priority(status),
        export_rows=full[export_cols].reset_index(drop=True))


# --- one criterion ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CriterionView:
    version: int
    staff: bool
    code: str | None = None
    notice: str | None = None  # the code asked for is not in the current standard (or not readable here)
    title: str = ""
    practice: str = ""
    description: str = ""
    is_core: bool = False
    status: str = "not_started"
    owner: str | None = None  # staff only, like target_date and notes
    target_date: date | None = None
    last_reviewed: date | None = None
    notes: str | None = None
    facts: tuple[tuple[str, str], ...] = ()  # ("Status", "✓ Met"), ("Owner", ...) as the reader may see them
    evidence: pd.DataFrame = field(default_factory=lambda: _frame(["kind", "ref", "link", "note", "added_at"]))
    goals: pd.DataFrame = field(default_factory=lambda: _frame(["id", "name", "priority_name"]))
    history: pd.DataFrame = field(default_factory=lambda: _frame(
        ["changed_at", "changed_by", "field", "old_value", "new_value", "standard_version"]))


def _date(value: object) -> date | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def detail(conn_or_url: sa.Connection | str | None, actor: access.Actor | None, settings: Settings | None = None, *,
           criterion: str | None = None) -> CriterionView:
    """One criterion of the current standard: its facts, evidence, linked goals and history."""
    with base.read(conn_or_url, actor, settings) as r:
        common = dict(version=r.version, staff=r.vis.staff)
        if r.actor.goal_scope:
            return CriterionView(**common, notice=GOAL_SCOPED)
        if not criterion:
            return CriterionView(**common)
        crit = r.frame("wwc_criteria_status")
        if criterion not in set(crit["code"]):
            return CriterionView(**common, notice=f"No criterion {criterion} in the current standard.")
        evidence = r.frame("wwc_evidence", code=criterion)
        goals = r.frame("wwc_criterion_goals", code=criterion)
        history = r.frame("wwc_history", code=criterion)
    staff = common["staff"]
    row = crit.set_index("code").loc[criterion]
    status = str(row["status"])
    facts = [("Status", WWC_STATUS_TEXT.get(status, status))]
    if staff:
        facts += [("Owner", text.shown(row["owner"])), ("Due", text.shown(_date(row["target_date"])))]
    facts.append(("Last reviewed", text.shown(_date(row["last_reviewed"]))))
    evidence = evidence.assign(link=evidence["ref"].map(certification.evidence_link))
    ev_cols = ["kind", "ref", "link", "note", "added_by", "added_at"] if staff else ["kind", "ref", "link", "note",
                                                                                      "added_at"]
    goal_cols = ["id", "name", "priority_name", "owner", "target_date"] if staff else ["id", "name", "priority_name"]
    return CriterionView(
        **common, code=criterion, title=str(row["criterion"]), practice=str(row["practice"]),
        description=str(row["description"] or ""), is_core=bool(row["is_core"]), status=status,
        owner=_str(row["owner"]) if staff else None, target_date=_date(row["target_date"]) if staff else None,
        last_reviewed=_date(row["last_reviewed"]), notes=_str(row["notes"]) if staff else None, facts=tuple(facts),
        evidence=evidence[ev_cols].reset_index(drop=True), goals=goals[goal_cols].reset_index(drop=True),
        history=history if staff else history.iloc[0:0])


# --- the page's one write ------------------------------------------------------------------------------

def can_edit(actor: access.Actor | None) -> bool:
    """May this reader change criteria? Asked per reader, never cached with a view: views are
    cached by visibility, and a viewer and an editor see the same data but may not do the same."""
    return actor is not None and access.allowed(actor, "edit-criteria")


@dataclass(frozen=True)
class Saved:
    ok: bool
    message: str = ""  # what changed, for the page's success line
    errors: tuple[str, ...] = ()  # every problem; nothing was written


def save(url: str | None, actor: access.Actor, code: str, *, status: str | None = None, owner: str | None = None,
         target_date: date | str | None = None, notes: str | None = None, evidence: object = ()) -> Saved:
    """Update one criterion (and attach evidence) as `actor`, in one write transaction.

    wwc.store.set_status checks `edit-criteria` and validates everything first; a refusal comes
    back as `Saved(ok=False, errors=...)` with nothing written, never as an exception.
    """
    try:
        with db.writer(url) as conn:
            result = wwc_store.set_status(conn, code, status=status, owner=owner, target_date=target_date,
                                          notes=notes, evidence=evidence, actor=actor)
    except wwc_store.CertificationError as exc:
        return Saved(ok=False, errors=tuple(exc.errors))
    except MetricsError as exc:  # Forbidden, a busy or unreachable database
        return Saved(ok=False, errors=(str(exc),))
    parts = [f"{f.replace('_', ' ')} changed" for f in result["changed"]]
    if result["evidence"]:
        parts.append(f"{result['evidence']} evidence item(s) attached")
    return Saved(ok=True, message=f"{code} saved: " + (", ".join(parts) if parts else "marked as reviewed"))
