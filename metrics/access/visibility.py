"""The one visibility rule, as SQL: what an actor may see, small-count suppression included.

Modelled on datasette's `allowed_resources_sql()`: the rule is written once, here, as a
set of common table expressions, and every named read query in sql/ selects from them
instead of from the raw tables. No SQL file carries its own "is it public" condition, so
the rule cannot drift between queries, and a new query that forgets it returns nothing
visible-only rather than leaking (tests/test_visibility.py walks every query and view).

- `visible_goals`: public goals (within a goal-scoped share link's scope) for the public;
  every goal for staff.
- `visible_measures`: published, public measures under a visible public goal for the
  public; every measure for staff (drafts included: staff must see what they publish).
- `visible_totals`: aggregate observations (no breakdown) of visible measures.
- `visible_breakdowns`: disaggregated observations of visible measures with small-count
  suppression: a count below the city's `suppress_below`, and, when exactly one cell of
  a (measure, period, dimension) group is suppressed, the next smallest too (all of them on a tie), so it can't
  be recovered from the city total. For the public the value (and numerator and
  denominator) of a suppressed cell is NULL; staff keep the raw value and see the flag.
- `visible_observations`: both of the above, for queries that need every row.
Whether a measure is a count comes from its `rollup` column (sum = a count); a measure
whose rollup is unknown is treated as a count, so the rule errs towards hiding.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from metrics.access.policy import Actor, allowed

CTE_PATH = Path(__file__).resolve().parents[2] / "sql" / "_visibility.sql"
CTE_SQL = "\n".join(line for line in CTE_PATH.read_text().splitlines() if not line.startswith("--"))


@dataclass(frozen=True)
class Visibility:
    """What one actor may see; hashable, so caches key on it (two staff share one entry)."""

    staff: bool
    goal: str | None = None
    suppress_below: int = 11

    @property
    def public(self) -> bool:
        return not self.staff

    def params(self) -> dict[str, object]:
        return {"vis_goal": "" if self.staff else (self.goal or ""), "suppress_below": int(self.suppress_below)}

    def apply(self, sql: str) -> str:
        """The query with the rule's CTEs in front and :vis_staff written as a literal.

        A literal, not a bound parameter, so the planner can fold the rule for the reader: for
        staff the suppression window disappears from queries that don't ask for the flag, and
        for the public the "staff sees everything" branch does. It is a boolean we produce, never
        user input; the scope and threshold stay bound parameters.
        """
        return with_visibility(sql).replace(":vis_staff", "TRUE" if self.staff else "FALSE")


STAFF = Visibility(staff=True)  # what the CLI's staff commands and write-path checks read as
PUBLIC = Visibility(staff=False)  # the whole public portal, default suppression threshold


def for_actor(actor: Actor | None, suppress_below: int) -> Visibility:
    """Staff (viewer and up) see drafts and private goals; anyone else sees the public rule.

    No actor at all is the public portal: the safe reading of "we don't know who this is".
    """
    if actor is not None and allowed(actor, "view-draft"):
        return Visibility(staff=True, goal=None, suppress_below=suppress_below)
    return Visibility(staff=False, goal=actor.goal_scope if actor is not None else None,
                      suppress_below=suppress_below)


def with_visibility(sql: str) -> str:
    """Prefix a named query with the visibility CTEs (merged into its own WITH, if any)."""
    body = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--")).lstrip()
    if body[:4].upper() == "WITH" and body[4:5].isspace():
        return f"WITH {CTE_SQL},\n{body[5:]}"
    return f"WITH {CTE_SQL}\n{body}"
