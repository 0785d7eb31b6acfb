"""A deterministic demo city: same seed, same bytes.

The city exists so every page has something true-to-life to show on first run, and so
tests have a rich, known database. Values are random walks around a trend with
seasonality, rounded, so re-running with the same seed reproduces them exactly. The
homelessness goal is written by hand: it is the story the product exists to tell.
"""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from metrics.demo.spec import (
    DEPARTMENTS,
    DISAGGREGATED,
    DISTRICTS,
    DRAFTS,
    EXTRA,
    GOAL_TARGETS,
    GOALS,
    HOMELESS_GOAL,
    LEVEL_MEASURES,
    PRIORITIES,
    PRIVATE,
    RACES,
    STALE,
)
from metrics.domain import periods
from metrics.domain.compare import rollup_method
from metrics.store import meta, rollups, schema
from metrics.wwc import store as wwc_store

DEMO_SEED = 2017
STAMP = datetime(2026, 11, 1, 9, 0, 0)  # fixed so the demo is byte-for-byte reproducible
LAST = {"month": "2026-10", "quarter": "2026-Q3", "year": "2025", "fiscal_year": "FY2026"}
FIRST = {"month": "2016-01", "quarter": "2016-Q1", "year": "2016", "fiscal_year": "FY2016"}
RATE_UNITS = {"%", "minutes", "days", "seconds", "index", "per 1,000", "kBtu/sq ft", "% of spending",
              "per 10,000 pickups", "USD", "notches"}
HOMELESS_OUTCOME = "households-stable-housing"


def _is_rate(unit: str, name: str) -> bool:
    return unit in RATE_UNITS and not name.lower().endswith("spending")


def _calendar(grain: str, first: str | None = None, last: str | None = None) -> pd.DataFrame:
    labels = periods.period_range(first or FIRST[grain], last or LAST[grain])
    parsed = [periods.parse(x) for x in labels]
    return pd.DataFrame({"period": labels, "grain": grain,
                         "period_start": [p.start for p in parsed], "period_end": [p.end for p in parsed]})


def _years(cal: pd.DataFrame) -> np.ndarray:
    mid = pd.to_datetime(cal["period_end"])
    return ((mid - pd.Timestamp("2016-01-01")).dt.days / 365.25).to_numpy()


def _series(rng: np.random.Generator, cal: pd.DataFrame, base: float, trend: float, noise: float,
            unit: str) -> np.ndarray:
    t = _years(cal)
    months = pd.to_datetime(cal["period_end"]).dt.month.to_numpy()
    season = 0.6 * noise * np.sin(2 * math.pi * (months - 3) / 12) if cal["grain"].iloc[0] == "month" else 0
    shocks = rng.normal(0, noise, len(t))
    ar = np.zeros(len(t))
    for i in range(len(t)):  # AR(1) keeps neighbouring periods related, like real operations
        ar[i] = (0.5 * ar[i - 1] if i else 0) + shocks[i]
    # A pandemic dip/spike in 2020 for realism, scaled to the measure's noise.
    covid = np.where((t > 4.2) & (t < 5.0), rng.choice([-2.5, 2.0]) * noise, 0)
    v = base + trend * t + season + ar + covid
    v = np.clip(v, 0, 100) if unit == "%" else np.maximum(v, 0)
    return v


def _round(v: np.ndarray, unit: str, base: float) -> np.ndarray:
    if abs(base) >= 50 and unit not in {"%", "index", "minutes", "days"}:
        return np.round(v, 0)
    return np.round(v, 2)


def _homeless_frames(rng: np.random.Generator) -> tuple[list[dict], dict[str, pd.DataFrame], list[dict]]:
    """The Seattle story: outputs rise under compliance contracts while the outcome stalls,
    then outcome-based contracts (from 2017-Q3) move households into stable housing."""
    g = HOMELESS_GOAL
    dept = "Human Services Department"
    measures = [
        dict(id=HOMELESS_OUTCOME, name="Households moved into stable housing", kind="outcome", unit="households",
             direction="higher", frequency="quarter", goal_id=g[0], department=dept,
             methodology="Households exiting homeless programs to permanent housing (own lease, subsidised or "
                         "family), de-duplicated by household, counted in the quarter of move-in. Source: HMIS."),
        dict(id="shelter-beds", name="Shelter beds available per night", kind="output", unit="beds",
             direction="higher", frequency="month", goal_id=g[0], department=dept,
             methodology="Average nightly beds offered across contracted shelters."),
        dict(id="outreach-contacts", name="Outreach contacts", kind="output", unit="contacts",
             direction="higher", frequency="month", goal_id=g[0], department=dept,
             methodology="Street outreach engagements logged by contracted teams."),
        dict(id="case-management-hours", name="Case-management hours", kind="output", unit="hours",
             direction="higher", frequency="month", goal_id=g[0], department=dept,
             methodology="Billable case-management hours reported by providers."),
        dict(id="homeless-contract-spending", name="Homelessness contract spending", kind="input", unit="USD",
             direction="higher", frequency="quarter", goal_id=g[0], department=dept,
             methodology="Quarterly payments on homelessness service contracts."),
        dict(id="returns-to-homelessness", name="Households returning to homelessness within 12 months",
             kind="outcome", unit="%", direction="lower", frequency="quarter", goal_id=g[0], department=dept,
             methodology="Share of households housed 12 months earlier who re-entered a shelter."),
    ]
    q = _calendar("quarter")
    m = _calendar("month")
    tq = _years(q)
    tm = _years(m)
    switch = 1.5  # 2017-Q3: outcome-based contracts begin
    # Outcome: flat about 1,800 a quarter, then a climb to just over 3,000 by 2018-Q1.
    hh = np.where(tq < switch, 1780 + 25 * tq, 1800 + 1200 * np.clip((tq - switch) / 0.75, 0, 1) + 85 * np.maximum(tq - 2.25, 0))
    hh = hh + rng.normal(0, 35, len(tq))
    hh[q["period"] == "2017-Q1"] = 1802
    hh[q["period"] == "2018-Q1"] = 3024
    hh = np.round(hh)
    beds = np.where(tm < switch, 2400 + 420 * tm, 2400 + 420 * switch + 40 * (tm - switch)) + rng.normal(0, 40, len(tm))
    outreach = np.where(tm < switch, 5200 + 1900 * tm, 5200 + 1900 * switch - 150 * (tm - switch)) + rng.normal(0, 180, len(tm))
    cm_hours = np.where(tm < switch, 16000 + 5200 * tm, 16000 + 5200 * switch + 600 * (tm - switch)) + rng.normal(0, 400, len(tm))
    spend = 2.6e7 + 1.2e6 * tq + rng.normal(0, 6e5, len(tq))
    returns = np.where(tq < switch, 24 + rng.normal(0, 0.8, len(tq)), 24 - 6 * np.clip(tq - switch, 0, 1.5) / 1.5 + rng.normal(0, 0.8, len(tq)))
    series = {
        HOMELESS_OUTCOME: (q, hh), "shelter-beds": (m, np.round(beds)), "outreach-contacts": (m, np.round(outreach)),
        "case-management-hours": (m, np.round(cm_hours)), "homeless-contract-spending": (q, np.round(spend, -3)),
        "returns-to-homelessness": (q, np.round(returns, 1)),
    }
    frames = {mid: cal.assign(value=vals) for mid, (cal, vals) in series.items()}
    targets = [
        dict(measure_id=HOMELESS_OUTCOME, effective_from=date(2016, 1, 1), value=2000, tolerance=0.05, reason="Baseline contract goal"),
        dict(measure_id=HOMELESS_OUTCOME, effective_from=date(2017, 7, 1), value=2800, tolerance=0.05, reason="Outcome-based contracts begin"),
        dict(measure_id=HOMELESS_OUTCOME, effective_from=date(2021, 1, 1), value=3500, tolerance=0.05, reason="Council raised the goal"),
        dict(measure_id="returns-to-homelessness", effective_from=date(2016, 1, 1), value=20, tolerance=0.1, reason="Baseline"),
        dict(measure_id="returns-to-homelessness", effective_from=date(2019, 7, 1), value=18, tolerance=0.1, reason="Tightened after contract change"),
        dict(measure_id="shelter-beds", effective_from=date(2016, 1, 1), value=3000, tolerance=0.05, reason="Baseline"),
        dict(measure_id="case-management-hours", effective_from=date(2016, 1, 1), value=22000, tolerance=0.05, reason="Baseline"),
    ]
    return measures, frames, targets


def _disaggregate(rng: np.random.Generator, frame: pd.DataFrame, dimension: str, rate: bool) -> pd.DataFrame:
    members = DISTRICTS if dimension == "district" else RACES
    parts = []
    if rate:
        gaps = rng.normal(0, 0.12, len(members))
        gaps -= gaps.mean()
        for mem, gap in zip(members, gaps, strict=True):
            vals = frame["value"].to_numpy() * (1 + gap + rng.normal(0, 0.02, len(frame)))
            parts.append(frame.assign(dimension=dimension, member=mem, value=np.round(vals, 2)))
    else:
        shares = rng.dirichlet(np.full(len(members), 6.0))
        jitter = rng.normal(0, 0.01, (len(frame), len(members)))
        w = np.clip(shares + jitter, 0.001, None)
        w /= w.sum(axis=1, keepdims=True)
        for j, mem in enumerate(members):
            parts.append(frame.assign(dimension=dimension, member=mem,
                                      value=np.round(frame["value"].to_numpy() * w[:, j])))
    return pd.concat(parts, ignore_index=True)


def _targets_for(rng: np.random.Generator, mid: str, frame: pd.DataFrame, direction: str, unit: str) -> list[dict]:
    """Targets that move over time: a baseline, a 2020 reset, a 2024 stretch and, for measures
    reported since, a 2026 review (so "targets reviewed in the last year" has something to find)."""
    sign = 1 if direction == "higher" else -1
    out = []
    for start, k_lo, k_hi in ((date(2016, 1, 1), 0.0, 0.06), (date(2020, 7, 1), -0.04, 0.08),
                              (date(2024, 7, 1), -0.05, 0.09), (date(2026, 1, 1), -0.03, 0.06)):
        window = frame[pd.to_datetime(frame["period_end"]) >= pd.Timestamp(start)]
        if window.empty:
            continue
        level = float(window["value"].head(4).mean())
        k = rng.uniform(k_lo, k_hi)
        value = level * (1 + sign * k)
        if unit == "%":
            value = min(value, 100.0)
        out.append(dict(measure_id=mid, effective_from=start, value=round(value, 2 if abs(value) < 100 else 0),
                        tolerance=0.03 if unit == "%" else 0.05,
                        reason={2016: "Baseline target", 2020: "Reset after 2020 budget review",
                                2024: "Stretch target in the FY2025 plan",
                                2026: "Confirmed at the 2026 mid-term review"}[start.year]))
    return out


def _close_targets(targets: pd.DataFrame) -> pd.DataFrame:
    targets = targets.sort_values(["measure_id", "effective_from"]).reset_index(drop=True)
    nxt = targets.groupby("measure_id")["effective_from"].shift(-1)
    targets["effective_to"] = [None if pd.isna(x) else (pd.Timestamp(x) - pd.Timedelta(days=1)).date() for x in nxt]
    return targets


def _with_goal_targets(goals: pd.DataFrame) -> pd.DataFrame:
    """Each goal's own target (spec.GOAL_TARGETS); goals without one keep empty columns."""
    t = {g: dict(target_value=float(v), target_unit=u, target_kind=k, target_measure_id=m,
                 target_from=None if f is None else date.fromisoformat(f))
         for g, (v, u, k, m, f) in GOAL_TARGETS.items()}
    cols = ["target_value", "target_unit", "target_kind", "target_measure_id", "target_from"]
    return goals.assign(**{c: [t.get(g, {}).get(c) for g in goals["id"]] for c in cols})


def build_city(seed: int = DEMO_SEED) -> dict[str, pd.DataFrame]:
    """All demo tables as DataFrames; nothing touches a database here."""
    rng = np.random.default_rng(seed)
    prio = pd.DataFrame([dict(id=p, name=n, description=d, sort=i) for i, (p, n, d) in enumerate(PRIORITIES)])
    goal_rows, measure_rows, obs_frames, target_rows, link_rows = [], [], [], [], []
    hm, hframes, htargets = _homeless_frames(rng)
    g = HOMELESS_GOAL
    goal_rows.append(dict(id=g[0], priority_id=g[1], name=g[2], statement=g[3], owner=g[4],
                          target_date=date.fromisoformat(g[5]), is_public=True, narrative=(
        "Until mid-2017 the city paid providers for activity: beds, outreach contacts and case-management "
        "hours. Those outputs grew every year while the number of households moving into stable housing "
        "stayed near 1,800 a quarter. From 2017-Q3 contracts paid for results. By 2018-Q1 providers moved "
        "just over 3,000 households into stable housing, about 1,200 more than a year earlier.")))
    measure_rows += hm
    obs_frames += [f.assign(measure_id=k) for k, f in hframes.items()]
    target_rows += htargets
    link_rows += [dict(output_measure_id=o, outcome_measure_id=HOMELESS_OUTCOME, lag_periods=lag, note=n)
                  for o, lag, n in (("shelter-beds", 0, "Beds hold people while housing is found"),
                                    ("outreach-contacts", 1, "Contacts lead to housing one quarter later"),
                                    ("case-management-hours", 1, "Case management prepares moves"),
                                    ("homeless-contract-spending", 0, "Spending buys services"))]
    extras: dict[str, list] = {}
    for goal_id, tpl in EXTRA:
        extras.setdefault(goal_id, []).append(tpl)
    for gid, pid, name, statement, owner, tdate, tpls in GOALS:
        goal_rows.append(dict(id=gid, priority_id=pid, name=name, statement=statement, owner=owner,
                              target_date=date.fromisoformat(tdate), is_public=gid != "workforce",
                              narrative=f"{statement} Led by the {DEPARTMENTS[pid]}."))  # no names: public
        first_outcome = None
        for slug, mname, kind, unit, direction, freq, base, trend, noise in tpls + extras.get(gid, []):
            measure_rows.append(dict(id=slug, name=mname, kind=kind, unit=unit, direction=direction, frequency=freq,
                                     goal_id=gid, department=DEPARTMENTS[pid],
                                     methodology=f"{mname}, {freq.replace('_', ' ')}ly, as reported by {owner}."))
            cal = _calendar(freq)
            vals = _round(_series(rng, cal, base, trend, noise, unit), unit, base)
            frame = cal.assign(value=vals, measure_id=slug)
            obs_frames.append(frame)
            target_rows += _targets_for(rng, slug, frame, direction, unit)
            if kind == "outcome" and first_outcome is None:
                first_outcome = slug
        for slug, _n, kind, *_rest in tpls + extras.get(gid, []):
            if kind in ("output", "input") and first_outcome:
                link_rows.append(dict(output_measure_id=slug, outcome_measure_id=first_outcome,
                                      lag_periods=int(rng.integers(0, 3)), note=None))
    measures = pd.DataFrame(measure_rows)
    measures["owner"] = measures["department"]
    measures["data_source"] = measures["department"] + " records system"
    measures["state"] = np.where(measures["id"].isin(DRAFTS), "draft", "published")
    measures["is_public"] = ~measures["id"].isin(DRAFTS | PRIVATE)
    measures["created_at"] = STAMP
    measures["updated_at"] = STAMP
    measures["rollup"] = [rollup_method(u, k) for u, k in zip(measures["unit"], measures["kind"], strict=True)]
    measures.loc[measures["id"].isin(LEVEL_MEASURES), "rollup"] = "last"
    measures.loc[measures["id"] == "youth-disconnected", "methodology"] = None  # an inventory gap to find

    obs = pd.concat(obs_frames, ignore_index=True)
    for mid, last in STALE.items():
        end = periods.parse(last).end
        obs = obs[~((obs["measure_id"] == mid) & (obs["period_end"] > end))]
    kinds = measures.set_index("id")
    parts = [obs.assign(dimension="", member="")]
    for mid, dim in DISAGGREGATED.items():
        base = obs[obs["measure_id"] == mid]
        parts.append(_disaggregate(rng, base, dim, _is_rate(kinds.at[mid, "unit"], kinds.at[mid, "name"])))
    obs = pd.concat(parts, ignore_index=True)
    obs["numerator"] = np.nan
    obs["denominator"] = np.nan
    obs["updated_at"] = STAMP
    targets = _close_targets(pd.DataFrame(target_rows))
    targets["set_by"] = "performance-team"
    targets["set_at"] = [datetime.combine(d, datetime.min.time()) for d in targets["effective_from"]]
    return {"priorities": prio, "goals": _with_goal_targets(pd.DataFrame(goal_rows)), "measures": measures,
            "observations": obs, "targets": targets, "links": pd.DataFrame(link_rows)}


def build_scale(seed: int = DEMO_SEED, n_measures: int = 1000, years: int = 15, districts: int = 10) -> dict[str, pd.DataFrame]:
    """A large synthetic city for benchmarks: n_measures monthly over `years`, each split by district."""
    rng = np.random.default_rng(seed)
    cal = _calendar("month", f"{2026 - years}-11", "2026-10")
    n = len(cal)
    ids = [f"m{i:04d}" for i in range(n_measures)]
    kinds = np.array(["outcome", "output", "input", "efficiency"])[np.arange(n_measures) % 4]
    goal_of = [f"g{i % 40:02d}" for i in range(n_measures)]
    prio = pd.DataFrame([dict(id=f"p{i}", name=f"Priority {i + 1}", description=None, sort=i) for i in range(8)])
    goals = pd.DataFrame([dict(id=f"g{i:02d}", priority_id=f"p{i % 8}", name=f"Goal {i + 1}", statement=None,
                               owner="Performance team", target_date=date(2028, 12, 31), is_public=True,
                               narrative=None) for i in range(40)])
    measures = pd.DataFrame(dict(id=ids, name=[f"Measure {i}" for i in range(n_measures)], kind=kinds, unit="count",
                                 direction=np.where(np.arange(n_measures) % 3 == 0, "lower", "higher"),
                                 frequency="month", goal_id=goal_of, department="Department",
                                 owner="Owner", data_source="System", methodology="Synthetic", state="published",
                                 is_public=True, created_at=STAMP, updated_at=STAMP))
    base = rng.uniform(100, 10000, n_measures)
    walk = np.cumsum(rng.normal(0, 0.02, (n_measures, n)), axis=1)
    agg = np.round(base[:, None] * np.exp(walk), 2)
    share = rng.dirichlet(np.ones(districts), n_measures)
    members = [""] + [str(d + 1) for d in range(districts)]
    values = np.concatenate([agg[:, None, :], np.round(agg[:, None, :] * share[:, :, None], 2)], axis=1)
    total = n_measures * len(members) * n
    obs = pd.DataFrame({
        "measure_id": np.repeat(ids, len(members) * n),
        "period": np.tile(cal["period"].to_numpy(), n_measures * len(members)),
        "grain": "month",
        "period_start": np.tile(cal["period_start"].to_numpy(), n_measures * len(members)),
        "period_end": np.tile(cal["period_end"].to_numpy(), n_measures * len(members)),
        "dimension": np.tile(np.repeat(["" ] + ["district"] * districts, n), n_measures),
        "member": np.tile(np.repeat(members, n), n_measures),
        "value": values.reshape(total),
        "numerator": np.nan, "denominator": np.nan, "updated_at": STAMP,
    })
    targets = pd.DataFrame(dict(measure_id=ids, effective_from=date(2010, 1, 1), effective_to=None,
                                value=np.round(agg[:, -1] * rng.uniform(0.9, 1.1, n_measures), 2), tolerance=0.05,
                                set_by="bench", set_at=STAMP, reason="Synthetic"))
    links = pd.DataFrame(dict(output_measure_id=[i for i, k in zip(ids, kinds, strict=True) if k == "output"],
                              outcome_measure_id=[ids[j - 1] for j, k in enumerate(kinds) if k == "output"],
                              lag_periods=0, note=None))
    return {"priorities": prio, "goals": goals, "measures": measures, "observations": obs,
            "targets": targets, "links": links}


_LOAD_ORDER = ("priorities", "goals", "measures", "observations", "targets", "links")


def has_measures(conn: sa.Connection) -> bool:
    return conn.execute(sa.select(sa.func.count()).select_from(schema.measures)).scalar_one() > 0


def load(conn: sa.Connection, city: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Write the city inside the caller's transaction; targets get ids from their sequence."""
    counts = {}
    for name in _LOAD_ORDER:
        frame = city[name]
        table = schema.metadata.tables[name]
        cols = [c.name for c in table.columns if c.name in frame.columns]
        arrow = pa.Table.from_pandas(frame[cols], preserve_index=False,
                                     schema=_arrow_schema(table, cols))
        counts[name] = meta.bulk_insert(conn, name, arrow)
    hist = conn.execute(sa.select(schema.targets.c.id, schema.targets.c.measure_id, schema.targets.c.value,
                                  schema.targets.c.tolerance, schema.targets.c.effective_from,
                                  schema.targets.c.set_at, schema.targets.c.reason)
                        .order_by(schema.targets.c.measure_id, schema.targets.c.effective_from)).all()
    prev: dict[str, tuple] = {}
    rows = []
    for tid, mid, value, tol, eff, set_at, reason in hist:
        old = prev.get(mid)
        rows.append(dict(target_id=tid, measure_id=mid, changed_by="performance-team", changed_at=set_at,
                         reason=reason, old_value=old[0] if old else None, new_value=value,
                         old_tolerance=old[1] if old else None, new_tolerance=tol,
                         old_effective_from=old[2] if old else None, new_effective_from=eff))
        prev[mid] = (value, tol, eff)
    if rows:
        conn.execute(sa.insert(schema.target_history), rows)
    rollups.refresh(conn, city["measures"]["id"].tolist())
    return counts


def _arrow_schema(table: sa.Table, cols: list[str]) -> pa.Schema:
    def arrow_type(col: sa.Column) -> pa.DataType:
        t = col.type
        if isinstance(t, sa.Boolean):
            return pa.bool_()
        if isinstance(t, sa.Integer):
            return pa.int64()
        if isinstance(t, sa.Float):
            return pa.float64()
        if isinstance(t, sa.DateTime):
            return pa.timestamp("us")
        if isinstance(t, sa.Date):
            return pa.date32()
        return pa.string()
    return pa.schema([(c, arrow_type(table.c[c])) for c in cols])


def seed_demo(conn: sa.Connection, scale: bool = False, seed: int = DEMO_SEED) -> dict[str, int]:
    city = build_scale(seed) if scale else build_city(seed)
    counts = load(conn, city)
    if not scale:
        wwc_store.seed_demo_status(conn, seed)
    meta.bump_data_version(conn)
    meta.audit(conn, "demo", "load-demo", detail={"scale": scale, "seed": seed, **counts})
    return counts
