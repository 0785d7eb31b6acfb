"""Upload: a department extract -> detected layout and mapping -> preview -> accept -> history/rollback.

Thin: widgets call metrics.ingest (ingest with dry_run for the preview, ingest to commit,
rollback, history). The commit bumps the data version, so every dashboard page shows the
new values on its next rerun.
"""

import pandas as pd
import streamlit as st

from metrics.ingest import Mapping, settings, template_csv
from metrics.ingest.commit import ingest
from metrics.ingest.mapping import ROLES
from metrics.ingest.rollback import RollbackRefused, history, rollback
from metrics.store import db
from metrics.views import exports as export
from ui.context import current, require

IGNORE = "(ignore)"
NUMBERS = {c: st.column_config.NumberColumn(c.replace("_", " "), format="localized") for c in ("old_value", "new_value")}
who = require("upload-csv")
ctx = current()
user = who.name or "web"

st.title("Upload data")
st.caption(f"CSV or JSON extracts up to {settings.MAX_FILE_BYTES // (1024 * 1024)} MB: long (one row per measure "
           "and period), wide (periods as columns), CityScore, or a measure registry. A file with any error is "
           "rejected whole and changes nothing.")
st.download_button("Download the long-format template", template_csv(), file_name="metrics-template.csv",
                   mime="text/csv", icon=":material/download:")

for kind, text in st.session_state.pop("flash", []):
    (st.success if kind == "ok" else st.error)(text)

up = st.file_uploader("Extract to load", type=["csv", "json", "txt", "tsv"], key="file")
if up is not None:
    if st.session_state.get("upload", ("",))[0] != up.name or st.session_state.get("_upload_id") != up.file_id:
        st.session_state["upload"] = (up.name, up.getvalue())
        st.session_state["_upload_id"] = up.file_id
    st.session_state["_from_widget"] = True
elif st.session_state.pop("_from_widget", False):
    st.session_state.pop("upload", None)


def _run(raw: bytes, name: str, mapping: Mapping | None, options: dict, create: bool, dry_run: bool):
    try:
        return ingest(raw, file_name=name, mapping=mapping, options=options, actor=who, create_measures=create,
                      dry_run=dry_run)
    except db.DatabaseError as exc:
        st.error(str(exc))
    except Exception as exc:  # noqa: BLE001 - one line for the person; the transaction was rolled back
        st.error(f"Nothing was loaded: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    return None


def _mapping_editor(out, key: str) -> None:
    info = out.report.info
    used = Mapping.from_json(info["mapping"])
    cols = info.get("columns") or []
    table = pd.DataFrame({"column": cols, "role": [used.columns.get(c, IGNORE) for c in cols]})
    st.caption("Column mapping: detected" + (" (remembered for this header)" if info.get("mapping_from") else "")
               + ". Change a role and apply; the mapping is remembered for files with this header.")
    edited = st.data_editor(table, hide_index=True, disabled=["column"], key=f"map-{key}",
                            column_config={"role": st.column_config.SelectboxColumn(
                                "role", options=[IGNORE, *ROLES], required=True)})
    if st.button("Apply mapping", key=f"apply-{key}"):
        used.columns = {c: r for c, r in zip(edited["column"], edited["role"], strict=True) if r != IGNORE}
        st.session_state.setdefault("mappings", {})[key] = used.to_json()
        st.rerun()


if "upload" in st.session_state:
    name, raw = st.session_state["upload"]
    c1, c2 = st.columns(2)
    create = c1.checkbox("Create unknown measures as drafts", key="create_measures")
    as_actual = c2.multiselect("Also load these value kinds as actuals", ["budget", "estimate"], key="as_actual",
                               help="By default only actual values become observations; budget and estimate "
                                    "columns are held out with a warning.")
    options = {"actual_kinds": as_actual} if as_actual else {}
    chosen = st.session_state.get("mappings", {})
    with st.status(f"Checking {name}…", expanded=False) as status:
        first = _run(raw, name, None, options, create, dry_run=True)
        key = (first.report.info.get("source_key") if first else None) or "none"
        out = first
        if first is not None and key in chosen:
            out = _run(raw, name, Mapping.from_json(chosen[key]), options, create, dry_run=True)
        status.update(label=f"Checked {name} ({len(raw) / 1e6:,.1f} MB)", state="complete")
    if out is not None:
        info = out.report.info
        st.subheader(name)
        st.caption(" · ".join(f"{k}: {info[k]}" for k in ("layout", "format", "encoding", "delimiter", "header_row")
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
            st.info(out.message)
        elif not out.ok:
            st.error(out.message)
            errors = out.report.flatten()
            st.dataframe(errors.rename(columns={"row_number": "row", "field_name": "column", "cell": "value",
                                                "message": "reason"}), hide_index=True, width="stretch")
            if out.report.partial:
                st.caption(info.get("limit_note", ""))
            st.download_button("Download rejected rows (CSV)", export.to_csv(errors), file_name=f"rejected-{name}",
                               mime="text/csv", icon=":material/download:")
        else:
            if counts.get("held_out") or out.report.warnings:
                for w in out.report.warnings[:5]:
                    st.warning(w.message)
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
            if st.button("Accept and load", type="primary", icon=":material/check:"):
                with st.status(f"Loading {name}…") as status:
                    done = _run(raw, name, Mapping.from_json(info["mapping"]), options, create, dry_run=False)
                    status.update(label="Loaded" if done and done.ok else "Not loaded",
                                  state="complete" if done and done.ok else "error")
                if done is not None:
                    st.session_state["flash"] = [("ok" if done.ok else "err", done.message)]
                    st.session_state.pop("upload", None)
                    st.rerun()

st.subheader("Upload history")
try:
    hist = history()
except Exception as exc:  # noqa: BLE001
    st.error(f"Cannot read the upload history: {str(exc).splitlines()[0]}")
    hist = pd.DataFrame()
if hist.empty:
    st.caption("No uploads yet.")
else:
    head = st.columns([1, 4, 3, 2, 2, 2, 2])
    for col, label in zip(head, ["#", "file", "when / who", "new", "changed", "status", ""], strict=True):
        col.markdown(f"**{label}**")
    for row in hist.head(20).itertuples():
        cols = st.columns([1, 4, 3, 2, 2, 2, 2])
        cols[0].write(f"#{row.id}")
        cols[1].write(row.file_name)
        cols[2].write(f"{pd.Timestamp(row.uploaded_at):%Y-%m-%d %H:%M} · {row.uploaded_by or '—'}")
        cols[3].write(f"{row.rows_new:,}")
        cols[4].write(f"{row.rows_changed:,}")
        cols[5].write(str(row.status).replace("_", " "))
        if row.status == "committed" and row.layout != "registry" and cols[6].button(
                "Roll back", key=f"rollback-{row.id}", icon=":material/undo:"):
            try:
                msg = rollback(int(row.id), actor=who)
                st.session_state["flash"] = [("ok", msg)]
            except RollbackRefused as exc:
                st.session_state["flash"] = [("err", str(exc))]
            except Exception as exc:  # noqa: BLE001
                st.session_state["flash"] = [("err", f"Rollback failed, nothing changed: {str(exc).splitlines()[0]}")]
            st.rerun()
