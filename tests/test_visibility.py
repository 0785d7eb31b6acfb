"""The visibility matrix: every named read query and every view, for every kind of reader.

The demo city gets planted secrets: a draft measure (marked public, under a public goal,
with a breakdown), a published public measure under the non-public `workforce` goal, an
output->outcome link and WWC evidence pointing at the draft, and the hidden goal linked to
a criterion. Each query in sql/ (found by listing the folder) and each view function (found
by walking metrics/views) runs for admin, editor, viewer, a portal link and a goal link,
with every id parameter probed with hidden and visible ids. The test fails if anything
outside the reader's visibility comes back: a hidden measure or goal id or name anywhere in
the result, or, for a public reader, a small count in a breakdown row. New queries and
views are covered without editing this file: parameters are filled by their names.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

import metrics.views
from metrics import access
from metrics.errors import MetricsError
from metrics.store import db, queries, rollups, schema
from tests.conftest import make_db

DRAFT, HIDDEN_GOAL_MEASURE, HIDDEN_GOAL = "planted-draft", "planted-hidden-goal", "workforce"
SECRET_NAMES = ("Planted Zq Draft", "Planted Zq Hidden")
SECRET_MARK = "Planted Zq"  # every planted staff-only text carries it: a public reader never sees it
SCOPE_GOAL = "reduce-homelessness"
ACTORS = {
    "admin": access.Actor("user", "ada", "admin"),
    "editor": access.Actor("user", "ed", "editor"),
    "viewer": access.Actor("user", "vi", "viewer"),
    "portal": access.PUBLIC_PORTAL,
    "goal-link": access.Actor("public", "public link", "public", f"goal:{SCOPE_GOAL}"),
}
THRESHOLD = 11


def plant(url: str) -> str:
    now = pd.Timestamp("2026-01-01").to_pydatetime()
    with db.writer(url) as conn:
        m = schema.measures
        for mid, name, goal, state in ((DRAFT, SECRET_NAMES[0], SCOPE_GOAL, "draft"),
                                       (HIDDEN_GOAL_MEASURE, SECRET_NAMES[1], HIDDEN_GOAL, "published")):
            conn.execute(sa.insert(m).values(id=mid, name=name, kind="outcome", unit="households", direction="higher",
                                             frequency="month", goal_id=goal, is_public=True, state=state,
                                             rollup="sum", created_at=now, updated_at=now))
            rows = []
            for month in range(1, 13):
                period = f"2025-{month:02d}"
                start = pd.Period(period, "M").start_time.date()
                end = pd.Period(period, "M").end_time.date()
                base = dict(measure_id=mid, period=period, grain="month", period_start=start, period_end=end,
                            updated_at=now)
                rows.append({**base, "dimension": "", "member": "", "value": 500.0 + month})
                for k, district in enumerate(("1", "2", "3")):
                    rows.append({**base, "dimension": "district", "member": district, "value": 3.0 + 100 * k})
            conn.execute(sa.insert(schema.observations), rows)
            conn.execute(sa.insert(schema.targets).values(measure_id=mid, effective_from=date(2025, 1, 1),
                                                          effective_to=date(2025, 12, 31), value=600.0,
                                                          set_by="t", set_at=now, reason="planted"))
            # what an editor wrote about it: only staff may read it, in any output
            conn.execute(sa.insert(schema.narratives).values(measure_id=mid, period="2025-06", body="Planted Zq why",
                                                             updated_by="ed", updated_at=now))
            conn.execute(sa.insert(schema.annotations).values(measure_id=mid, on_date=date(2025, 6, 15),
                                                              body="Planted Zq note", created_by="ed", created_at=now))
        rollups.refresh(conn, [DRAFT, HIDDEN_GOAL_MEASURE])  # as a write would: the secrets' stored scores too
        conn.execute(sa.insert(schema.links).values(output_measure_id=DRAFT, outcome_measure_id="households-stable-housing",
                                                    lag_periods=0))
        version = conn.execute(sa.select(schema.wwc_standards.c.version).where(schema.wwc_standards.c.is_current)).scalar()
        conn.execute(sa.insert(schema.goal_criteria).values(goal_id=HIDDEN_GOAL, code="DM-03"))
        # Staff-only facts: a priority whose only goal is private, an upload, a criterion's change log.
        conn.execute(sa.insert(schema.priorities).values(id="planted-priority", name="Planted Zq Priority", sort=99))
        conn.execute(sa.insert(schema.goals).values(id="planted-secret-goal", priority_id="planted-priority",
                                                    name="Planted Zq Goal", is_public=False))
        conn.execute(sa.insert(schema.uploads).values(file_name="Planted Zq upload.csv", sha256="0" * 64,
                                                      uploaded_by="ed", uploaded_at=now))
        conn.execute(sa.insert(schema.wwc_history).values(standard_version=version, code="DM-03", field="status",
                                                          old_value="not_started", new_value="met",
                                                          changed_by="Planted Zq editor", changed_at=now))
        conn.execute(sa.insert(schema.wwc_evidence).values(standard_version=version, code="DM-03", kind="measure",
                                                           ref=f"measure:{DRAFT}", note="planted", added_by="t",
                                                           added_at=now))
    return url


@pytest.fixture(scope="module", params=["duckdb", "postgresql"])
def planted(request, tmp_path_factory) -> str:
    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path_factory.mktemp('vis') / 'city.duckdb'}"
    else:
        url = request.getfixturevalue("new_pg_schema")()
    return plant(make_db(url))


def truth(url: str) -> dict:
    """What each reader may see, worked out in Python from the raw tables (not from the SQL rule)."""
    with db.reader(url) as conn:
        goals = pd.DataFrame(conn.execute(sa.select(schema.goals.c.id, schema.goals.c.is_public)).all(),
                             columns=["id", "is_public"])
        ms = pd.DataFrame(conn.execute(sa.select(schema.measures.c.id, schema.measures.c.name, schema.measures.c.goal_id,
                                                 schema.measures.c.is_public, schema.measures.c.state,
                                                 schema.measures.c.rollup)).all(),
                          columns=["id", "name", "goal_id", "is_public", "state", "rollup"])
    public_goals = set(goals.loc[goals["is_public"].astype(bool), "id"])
    public_measures = ms[ms["is_public"].astype(bool) & (ms["state"] == "published") & ms["goal_id"].isin(public_goals)]
    return {"goals": set(goals["id"]), "measures": set(ms["id"]), "names": dict(zip(ms["id"], ms["name"], strict=True)),
            "counts": set(ms.loc[ms["rollup"].fillna("sum") == "sum", "id"]),
            "portal": (public_goals, set(public_measures["id"])),
            "goal-link": ({SCOPE_GOAL} & public_goals, set(public_measures.loc[public_measures["goal_id"] == SCOPE_GOAL, "id"]))}


def allowed_sets(who: str, t: dict) -> tuple[set, set]:
    return t[who] if who in ("portal", "goal-link") else (t["goals"], t["measures"])


def strings_in(obj, seen: set | None = None):
    """Every string inside a view result: dataclass fields, frames (cells, columns, index), containers."""
    seen = seen if seen is not None else set()
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, pd.DataFrame):
        yield from (str(c) for c in obj.columns)
        yield from (str(i) for i in obj.index)
        for col in obj.columns:
            if obj[col].dtype == object or pd.api.types.is_string_dtype(obj[col]):
                yield from (v for v in obj[col].dropna() if isinstance(v, str))
    elif isinstance(obj, pd.Series):
        yield from (str(i) for i in obj.index)
        yield from (v for v in obj.dropna() if isinstance(v, str))
    elif dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            yield from strings_in(getattr(obj, f.name), seen)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from strings_in(k, seen)
            yield from strings_in(v, seen)
    elif isinstance(obj, list | tuple | set | frozenset):
        for v in obj:
            yield from strings_in(v, seen)
    elif hasattr(obj, "to_plotly_json"):
        yield str(obj.to_plotly_json())


def frames_in(obj, seen: set | None = None):
    seen = seen if seen is not None else set()
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, pd.DataFrame):
        yield obj
    elif dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            yield from frames_in(getattr(obj, f.name), seen)
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from frames_in(v, seen)
    elif isinstance(obj, list | tuple):
        for v in obj:
            yield from frames_in(v, seen)


def leaks(result, who: str, t: dict, echo: frozenset = frozenset()) -> list[str]:
    """What `result` shows that `who` may not see. `echo`: ids the reader typed in themselves
    (a "that goal does not exist or is not public" notice may repeat them; that reveals nothing)."""
    goals_ok, measures_ok = allowed_sets(who, t)
    hidden_ids = ((t["measures"] - measures_ok) | (t["goals"] - goals_ok)) - set(echo)
    hidden_names = {t["names"][m] for m in t["measures"] - measures_ok if len(t["names"][m]) > 12}
    found = []
    for s in strings_in(result):
        token_hits = {tok for tok in re.findall(r"[a-z0-9][a-z0-9-]*[a-z0-9]", s) if tok in hidden_ids}
        found += [f"id {tok!r} in {s[:80]!r}" for tok in token_hits]
        found += [f"name {n!r}" for n in hidden_names if n in s]
        if who in ("portal", "goal-link") and SECRET_MARK in s:
            found.append(f"staff-only text {s[:80]!r}")
    if who in ("portal", "goal-link"):
        for f in frames_in(result):
            if {"dimension", "value", "measure_id"} <= set(f.columns):
                part = f[(f["dimension"].fillna("") != "") & f["measure_id"].isin(t["counts"])]
                small = part[pd.to_numeric(part["value"], errors="coerce") < THRESHOLD]
                found += [f"small count {r.measure_id} {r.dimension}={r.member}: {r.value}" for r in small.itertuples()]
    return sorted(set(found))


# ---- the named queries ----------------------------------------------------------------------

def param_values(name: str, t: dict) -> list[dict]:
    """Values for every :param of a query, by name: ids are probed with hidden and visible ones."""
    sql = queries.sql_text(name)
    names = sorted(set(re.findall(r"(?<!:):([a-z_]+)", sql)) - {"vis_staff", "vis_goal", "suppress_below"})
    choices: dict[str, list] = {}
    for p in names:
        if p.endswith("_ids"):
            choices[p] = [sorted(t["goals"]) if p.startswith("goal") else sorted(t["measures"])]
        elif p in ("measure_id", "output_id", "outcome_id"):
            choices[p] = [DRAFT, HIDDEN_GOAL_MEASURE, "households-stable-housing", ""]
        elif p == "goal_id":
            choices[p] = [HIDDEN_GOAL, SCOPE_GOAL]
        elif p == "code":
            choices[p] = ["DM-03", "PA-01"]
        elif p in ("since", "as_of") or p.endswith("_date") or p.endswith("_at"):
            choices[p] = [date(2000, 1, 1), date.today()]
        elif p in ("depth", "limit"):
            choices[p] = [1000]
        elif p == "status":
            choices[p] = ["new"]
        else:
            pytest.fail(f"query {name}: no probe value for parameter :{p} — name it like the others (…_id, …_ids, "
                        "since/as_of/…_date, depth/limit)")
    combos = [{}]
    for p, values in choices.items():
        combos = [{**c, p: v} for c in combos for v in values]
    return combos


def test_every_read_query_is_listed():
    names = queries.read_names()
    assert "measures" in names and "measure_observations" in names and "export" in names
    assert not [n for n in names if n.startswith("ingest_")]


@pytest.mark.parametrize("who", list(ACTORS))
@pytest.mark.parametrize("name", queries.read_names())
def test_query_returns_only_what_the_reader_may_see(planted, name, who):
    t = truth(planted)
    vis = access.for_actor(ACTORS[who], THRESHOLD)
    problems = []
    for params in param_values(name, t):
        rows = queries.fetch(name, vis, url=planted, **params)
        problems += [f"{params}: {p}" for p in leaks(rows, who, t)]
    assert not problems, f"{name} for {who} shows what it may not:\n" + "\n".join(problems[:20])


def test_staff_see_the_planted_secrets(planted):
    """The matrix can fail: staff readers get exactly the rows the public must not."""
    staff = queries.fetch("measures", access.for_actor(ACTORS["viewer"], THRESHOLD), url=planted)
    assert {DRAFT, HIDDEN_GOAL_MEASURE} <= set(staff["id"])
    t = truth(planted)
    assert leaks(staff, "portal", t)
    raw = queries.fetch("measure_observations", access.for_actor(ACTORS["admin"], THRESHOLD), url=planted,
                        measure_id="households-stable-housing")
    assert leaks(raw.assign(measure_id=DRAFT), "portal", t)


def test_public_breakdowns_are_suppressed_with_a_complement(planted):
    """Every district value of the planted measure is 3, 103, 203: 3 is suppressed, and so is 103
    (otherwise the total minus the others would give it back); staff keep the raw numbers, flagged."""
    goal_vis = access.for_actor(ACTORS["goal-link"], THRESHOLD)
    staff_vis = access.for_actor(ACTORS["admin"], THRESHOLD)
    pub = queries.fetch("measure_observations", staff_vis, url=planted, measure_id=DRAFT)
    part = pub[pub["dimension"] == "district"]
    assert part["suppressed"].sum() == 2 * 12 and part["value"].notna().all()
    shown = queries.fetch("goal_disaggregations", goal_vis, url=planted, measure_ids=["overdose-deaths"])
    assert shown.empty  # overdose deaths are not under the scoped goal
    portal = queries.fetch("goal_disaggregations", access.for_actor(ACTORS["portal"], THRESHOLD), url=planted, measure_ids=["overdose-deaths"])
    staff = queries.fetch("goal_disaggregations", staff_vis, url=planted, measure_ids=["overdose-deaths"])
    assert len(portal) == len(staff) and portal["suppressed"].any()
    assert portal.loc[portal["suppressed"], "value"].isna().all()
    assert (portal.loc[~portal["suppressed"], "value"] >= THRESHOLD).all()


# ---- the views -------------------------------------------------------------------------------

def view_functions() -> list[tuple[str, object]]:
    found = []
    for info in pkgutil.iter_modules(metrics.views.__path__):
        if info.name == "base":
            continue
        mod = importlib.import_module(f"metrics.views.{info.name}")
        for fname, fn in inspect.getmembers(mod, inspect.isfunction):
            if fn.__module__ != mod.__name__ or fname.startswith("_"):
                continue
            params = list(inspect.signature(fn).parameters)
            if params[:2] == ["conn_or_url", "actor"]:
                found.append((f"{info.name}.{fname}", fn))
    return sorted(found, key=lambda x: x[0])


def view_probes(fn) -> list[dict]:
    sig = inspect.signature(fn)
    probes = [{}]
    for p in sig.parameters.values():
        if p.name in ("measure_id", "outcome_id"):
            probes += [{p.name: DRAFT}, {p.name: HIDDEN_GOAL_MEASURE}]
        elif p.name == "goal_id":
            probes += [{p.name: HIDDEN_GOAL}]
        elif p.name in ("code", "criterion"):
            probes += [{p.name: "DM-03"}]
    return probes


def test_views_are_found():
    names = [n for n, _ in view_functions()]
    assert "exports.canonical_rows" in names


@pytest.mark.parametrize("who", list(ACTORS))
@pytest.mark.parametrize("view", [n for n, _ in view_functions()])
def test_view_returns_only_what_the_reader_may_see(planted, view, who):
    fn = dict(view_functions())[view]
    t = truth(planted)
    problems = []
    for probe in view_probes(fn):
        try:
            result = fn(planted, ACTORS[who], **probe)
        except MetricsError:
            continue  # refusing is always allowed
        problems += [f"{probe}: {p}" for p in leaks(result, who, t, frozenset(map(str, probe.values())))]
    assert not problems, f"view {view} for {who} shows what it may not:\n" + "\n".join(problems[:20])

