"""Upload: a department extract -> detected layout and mapping -> preview -> accept -> history/rollback.

Thin: the writes are metrics.ingest calls made with the page's actor (ingest with dry_run for
the preview, through ui.uploads, which keeps each dry run's outcome for the session so a rerun
does not check the file again; ingest to commit; rollback), which check the actor's rights themselves; the
history is the uploads view (metrics.views.uploads). The commit bumps the data version, so
every dashboard page shows the new values on its next rerun. User text (file names, column
names, messages that quote them) goes through text.md.
"""

import re

import pandas as pd
import streamlit as st

from metrics.domain import text
from metrics.errors import MetricsError
from metrics.ingest import Mapping, metadata, settings, template_csv
from metrics.ingest.commit import ingest
from metrics.ingest.mapping import META_ROLES, ROLES
from metrics.ingest.rollback import rollback
from metrics.views import uploads
from ui import uploads as dry_runs
from ui import views

IGNORE = "(ignore)"
HISTORY_ROWS = 20
NUMBERS = {c: st.column_config.NumberColumn(c.replace("_", " "), format="localized") for c in ("old_value", "new_value")}
who = views.require("upload-csv")

st.title("Upload data")
st.caption(f"CSV or JSON extracts up to {settings.MAX_FILE_BYTES // (1024 * 1024)} MB: long (one row per measure "
           "and period), wide (periods as columns), CityScore, or a measure registry. A file with any error is "
           "rejected whole and changes nothing.")
st.download_button("Download the long-format template", template_csv(), file_name="metrics-template.csv",
                   mime="text/csv", icon=":material/download:")

for kind, message in st.session_state.pop("flash", []):
    {"ok": st.success, "info": st.info}.get(kind, st.error)(text.md(message))

up = st.file_uploader("Extract to load", type=["csv", "json", "txt", "tsv"], key="file")
if up is not None:
    if st.session_state.get("upload", ("",))[0] != up.name or st.session_state.get("_upload_id") != up.file_id:
        st.session_state["upload"] = (up.name, up.getvalue())
        st.session_state["_upload_id"] = up.file_id
    st.session_state["_from_widget"] = True
elif st.session_state.pop("_from_widget", False):
    st.session_state.pop("upload", None)


class _Waiting:
    """Progress while the database is held by another change: the status box's label says what we
    wait for and for how long (updated about once a second), instead of the page looking frozen."""

    def __init__(self) -> None:
        self.box, self.doing, self.seconds, self._shown = None, "", 0.0, -1

    def into(self, box, doing: str) -> "_Waiting":
        self.box, self.doing, self._shown = box, doing, -1
        return self

    def __call__(self, seconds: float, why: str) -> None:  # db.writer / db.reader on_wait(seconds, why)
        self.seconds = max(self.seconds, seconds)
        if self.box is not None and int(seconds) != self._shown:
            self._shown = int(seconds)
            self.box.update(label=text.md(f"{self.doing}: waiting {seconds:.0f} s because {why}…"), state="running")


waiting = _Waiting()


def _run(raw: bytes, name: str, mapping: Mapping | None, options: dict, create: bool, dry_run: bool):
    try:
        return ingest(raw, views.database_url(), file_name=name, mapping=mapping, options=options, create_measures=create,
                      dry_run=dry_run, actor=who, on_wait=waiting)
    except MetricsError as exc:  # one line for the person; the transaction was rolled back
        st.error(text.md(f"Nothing was loaded: {exc}"))
    return None


DETAIL_LABELS = {"measure_name": "Name", "unit": "Unit", "direction": "Direction (which is better)",
                 "department": "Department / agency", "owner": "Owner", "methodology": "Methodology",
                 "target": "Target"}
KIND_LABELS = {"budget": "Adopted / Proposed / Budget values", "estimate": "Estimate / projected values"}
USES = {"target": "load as targets", "actual": "load as actuals", "held_out": "hold out"}
NO_COLUMN = "(none)"
YEARS = {"year": "calendar years", "fiscal_year": "fiscal years"}


def _mapping_editor(out, key: str) -> None:
    """Data columns in a table; measure details (name, unit, direction, department, owner,
    methodology, target) and what to do with each value kind as one widget each."""
    info = out.report.info
    used = Mapping.from_json(info["mapping"])
    cols = info.get("columns") or []
    details = {c: r for c, r in used.columns.items() if r in META_ROLES}
    table = pd.DataFrame({"column": cols,
                          "role": [IGNORE if c in details else used.columns.get(c, IGNORE) for c in cols],
                          "measure detail": [DETAIL_LABELS.get(details.get(c), "") for c in cols]})
    st.caption("Column mapping: detected" + (" (remembered for this header)" if info.get("mapping_from") else "")
               + ". Change a role or a detail and apply; the mapping is remembered for files with this header.")
    edited = st.data_editor(table, hide_index=True, disabled=["column", "measure detail"], key=f"map-{key}",
                            column_config={"role": st.column_config.SelectboxColumn(
                                "role", options=[IGNORE, *[r for r in ROLES if r not in META_ROLES]],
                                required=True)})
    st.markdown("**Measure details from the file**")
    st.caption("Columns that describe each measure rather than one value. They fill the draft measures this upload "
               "creates; a measure that already exists is never changed by a data file (use a measure registry "
               "upload or `measures set`).")
    picks, grid = {}, st.columns(3)
    for i, role in enumerate(META_ROLES):
        options = [NO_COLUMN, *cols]
        current = used.role(role)
        picks[role] = grid[i % 3].selectbox(DETAIL_LABELS[role], options, key=f"detail-{role}-{key}",
                                            index=options.index(current) if current in cols else 0)
    kinds = [k for k in info.get("value_kinds") or [] if k not in ("actual", "target")]
    uses = {}
    for col, kind in zip(st.columns(max(len(kinds), 1)), kinds, strict=False):
        options = list(USES)
        uses[kind] = col.selectbox(KIND_LABELS.get(kind, f"{kind} values"), options, format_func=USES.get,
                                   index=options.index(used.loads_as(kind)), key=f"kind-{kind}-{key}")
    grain = used.grain
    if used.grain in YEARS or any(re.fullmatch(r"(19|20)\d{2}", str(c).strip()) for c in cols):
        options = list(YEARS)  # NYC's 2016..2023 columns are fiscal years; the draft's frequency follows
        grain = st.selectbox("Bare years (2019) are", options, format_func=YEARS.get, key=f"grain-{key}",
                             index=options.index(used.grain) if used.grain in YEARS else 0)
        grain = None if grain == "year" and used.grain is None else grain
    if st.button("Apply mapping", key=f"apply-{key}"):
        roles = {c: r for c, r in zip(edited["column"], edited["role"], strict=True) if r != IGNORE}
        roles.update({c: role for role, c in picks.items() if c != NO_COLUMN})  # a detail pick names its column
        used.columns, used.grain = roles, grain
        if uses:
            used.actual_kinds = [k for k, u in uses.items() if u == "actual"]
            used.target_kinds = [k for k, u in uses.items() if u == "target"]
        st.session_state.setdefault("mappings", {})[key] = used.to_json()
        st.rerun()


def _details_preview(out) -> None:
    """What the file's details will set on which measures (drafts it creates), and what it won't change."""
    lines = out.report.info.get("measure_details") or []
    if out.drafts.empty and not lines:
        return
    st.markdown("**Measure details from the file**")
    for line in lines:
        st.caption(text.md(line))
    if not out.drafts.empty:
        st.dataframe(metadata.shown_table(out.drafts), hide_index=True, width="stretch")


if "upload" in st.session_state:
    name, raw = st.session_state["upload"]
    c1, c2 = st.columns(2)
    create = c1.checkbox("Create unknown measures as drafts", key="create_measures")
    as_actual = c2.multiselect("Also load these value kinds as actuals", ["budget", "estimate"], key="as_actual",
                               help="By default only actual values become observations; Adopted/Proposed budget "
                                    "values become targets and estimates are held out with a warning (the column "
                                    "mapping chooses per kind).")
    options = {"actual_kinds": as_actual} if as_actual else {}
    chosen = st.session_state.get("mappings", {})
    out, key = None, "none"
    with st.status(f"Checking {text.md(name)}…", expanded=False) as status:
        waiting.into(status, f"Checking {name}")
        step = dry_runs.Progress(len(raw))  # a bar inside the box, for files over 10 MB that are checked now
        try:  # the same file, mapping, options and data version: the kept outcome, not a new dry run
            out = dry_runs.dry_run(raw, name, None, options, create, actor=who, url=views.database_url(),
                                   on_wait=waiting, on_progress=step)
            key = out.report.info.get("source_key") or "none"
            if key in chosen:
                out = dry_runs.dry_run(raw, name, Mapping.from_json(chosen[key]), options, create, actor=who,
                                       url=views.database_url(), on_wait=waiting, on_progress=step)
        except MetricsError as exc:  # the database failed: say so, open, in red; never "complete"
            out = None
            st.error(text.md(f"Nothing was checked: {exc}"))
            status.update(label=text.md(f"Could not check {name}: {exc}"), state="error", expanded=True)
        else:
            status.update(label=f"Checked {text.md(name)} ({len(raw) / 1e6:,.1f} MB)", state="complete")
        step.close()
    if out is not None:
        info = out.report.info
        st.subheader(text.md(name))
        st.caption(" · ".join(f"{k}: {text.md(info[k])}" for k in ("layout", "format", "encoding", "delimiter", "header_row")
                              if info.get(k) is not None))
        if info.get("mapping") and info.get("layout") != "registry":
            with st.expander("Column mapping", expanded=not out.ok):
                _mapping_editor(out, key)
        counts = out.counts
        m1, m2, m3, m4 = st.columns(4)
        m1.metric("New", f"{counts.get('new', counts.get('measures_new', 0)):,}")
        m2.metric("Changed", f"{counts.get('changed', counts.get('measures_changed', 0)):,}")
        m3.metric("Unchanged", f"{counts.get('unchanged', counts.get('measures_unchanged', 0)):,}")
        m4.metric("Rejected", f"{out.report.stats.get('rejected', 0) if not out.ok else 0:,}")
        if out.status == "duplicate":
            st.info(text.md(out.message))
        elif not out.ok:
            st.error(text.md(out.message))
            errors = out.report.flatten()
            st.dataframe(errors.rename(columns={"row_number": "row", "field_name": "column", "cell": "value",
                                                "message": "reason"}), hide_index=True, width="stretch")
            if out.report.partial:
                st.caption(text.md(info.get("limit_note", "")))
            st.download_button("Download rejected rows (CSV)", text.to_csv(errors), file_name=f"rejected-{name}",
                               mime="text/csv", icon=":material/download:")
        else:
            if counts.get("held_out") or out.report.warnings:
                for w in out.report.warnings[:5]:
                    st.warning(text.md(w.message))
            pre = out.preview
            if pre is not None and not pre.changed.empty:
                st.markdown("**Changed values (old → new)**")
                st.dataframe(pre.changed[["measure_id", "period", "dimension", "member", "old_value", "new_value"]],
                             hide_index=True, width="stretch", column_config=NUMBERS)
            if pre is not None and not pre.new.empty:
                st.markdown(f"**New values** (first {len(pre.new):,} of {counts.get('new', 0):,})")
                st.dataframe(pre.new[["measure_id", "period", "dimension", "member", "new_value"]],
                             hide_index=True, width="stretch", column_config=NUMBERS)
            extra = [f"{counts[k]:,} {label}" for k, label in
                     (("targets", "targets"), ("measures_created", "new draft measures"),
                      ("held_out", "budget/estimate values held out")) if counts.get(k)]
            if extra:
                st.caption("Also: " + ", ".join(extra))
            if drafts := counts.get("measures_created"):
                st.info(text.md(f"Loading {name} will create {drafts:,} draft measure{'s' if drafts != 1 else ''} for the "
                                "ids the database does not know. Drafts stay out of the dashboards (score, status "
                                "counts, movers, what is stale) until someone publishes them."))
            _details_preview(out)
            if st.button("Accept and load", type="primary", icon=":material/check:"):
                with st.status(f"Loading {text.md(name)}…") as status:
                    waiting.into(status, f"Loading {name}")
                    done = _run(raw, name, Mapping.from_json(info["mapping"]), options, create, dry_run=False)
                    status.update(label="Loaded" if done and done.ok else "Not loaded",
                                  state="complete" if done and done.ok else "error")
                if done is not None:
                    dry_runs.forget()
                    st.session_state["flash"] = [("ok" if done.ok else "err", done.message)]
                    if waiting.seconds >= 1:
                        st.session_state["flash"].append(
                            ("info", f"Waited {waiting.seconds:.0f} s for another change to the database to finish."))
                    st.session_state.pop("upload", None)
                    st.rerun()

st.subheader("Upload history")
hist = views.fresh(uploads.history, limit=HISTORY_ROWS)  # uncached: an upload of unchanged values adds a row
if hist.empty:
    st.caption(text.md(hist.notice))
else:
    widths = [1, 4, 3, 2, 2, 2, 2]
    for col, label in zip(st.columns(widths), ["#", "file", "when / who", "new", "changed", "status", ""],
                          strict=True):
        col.markdown(f"**{label}**")
    for row in hist.uploads:
        cols = st.columns(widths)
        cols[0].markdown(text.md(f"#{row.id}"))
        cols[1].markdown(text.md(row.file_name))
        cols[2].markdown(f"{text.md(row.when)} · {text.md(text.shown(row.uploaded_by))}")
        cols[3].markdown(f"{row.rows_new:,}")
        cols[4].markdown(f"{row.rows_changed:,}")
        cols[5].markdown(text.md(row.status_label))
        if row.can_roll_back and cols[6].button("Roll back", key=f"rollback-{row.id}", icon=":material/undo:"):
            try:
                st.session_state["flash"] = [("ok", rollback(row.id, views.database_url(), actor=who))]
                dry_runs.forget()
            except MetricsError as exc:  # refused (a later upload changed the same values) or the database
                st.session_state["flash"] = [("err", f"Nothing was rolled back: {exc}")]
            st.rerun()
