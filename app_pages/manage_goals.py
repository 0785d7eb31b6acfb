"""Goals & priorities: create, edit (statement, owner, target date, narrative), reorder, publish/unpublish.

Thin: metrics.views.catalog.goals_editor for the lists, metrics.catalog writes with this page's actor.
Each edit form carries the goal's version, so a change someone else saved meanwhile is not overwritten.
"""

from datetime import date

import pandas as pd
import streamlit as st

from metrics import catalog
from metrics.domain import text
from metrics.views import catalog as catalog_view
from ui import manage, views

who = views.require("edit-catalog")
url = views.database_url()
st.title("Goals & priorities")
st.caption("A public goal (and the published, public measures under it) is what public links and the static "
           "site show. Every change is recorded in the audit log.")
manage.show_messages()
v = views.show(catalog_view.goals_editor)
prios, goals = v.priorities, v.goals
prio_names = dict(zip(prios["id"], prios["name"], strict=True))

table = goals.assign(priority=goals["priority_id"].map(prio_names), public=goals["is_public"].astype(bool))
st.dataframe(table[["priority", "name", "id", "owner", "target_date", "public", "n_measures"]], hide_index=True,
             width="stretch", column_config={"n_measures": st.column_config.NumberColumn("measures")})

edit_tab, new_goal_tab, prio_tab = st.tabs(["Edit a goal", "New goal", "Priorities"], key="goal_tab",
                                           on_change="rerun")  # a save's rerun stays on this tab
with edit_tab:
    if goals.empty:
        st.info("No goals yet: create one in the New goal tab.")
    else:
        gid = st.selectbox("Goal", list(goals["id"]), format_func=lambda i: f"{goals.set_index('id').at[i, 'name']} ({i})",
                           key="goal_pick")
        g = goals.set_index("id").loc[gid]
        public = bool(g["is_public"])
        c1, c2, c3 = st.columns([2, 1, 1])
        c1.markdown(f"**{text.md(g['name'])}** — {'public' if public else 'not public'} · "
                    f"{int(g['n_measures'])} measures")
        if c2.button("Unpublish goal" if public else "Publish goal", key="goal_publish"):
            manage.save(catalog.set_goal_public, url, gid, not public, actor=who,
                        done=f"Goal {gid} is {'no longer' if public else 'now'} public.")
        siblings = list(goals.loc[goals["priority_id"] == g["priority_id"], "id"])
        pos = siblings.index(gid)
        up, down = c3.columns(2)
        if up.button("↑", key="goal_up", disabled=pos == 0, help="Move up within its priority"):
            order = siblings[:pos - 1] + [gid, siblings[pos - 1]] + siblings[pos + 1:]
            manage.save(catalog.reorder_goals, url, g["priority_id"], order, actor=who, done=f"Moved {gid} up.")
        if down.button("↓", key="goal_down", disabled=pos == len(siblings) - 1, help="Move down within its priority"):
            order = siblings[:pos] + [siblings[pos + 1], gid] + siblings[pos + 2:]
            manage.save(catalog.reorder_goals, url, g["priority_id"], order, actor=who, done=f"Moved {gid} down.")
        goal_form = f"goal_edit_{gid}"
        token = manage.based_on(goal_form, g["version"])
        with st.form(goal_form):
            name = st.text_input("Name", manage.plain(g["name"]))
            pids = list(prios["id"])
            pid = st.selectbox("Priority", pids, index=pids.index(g["priority_id"]) if g["priority_id"] in pids else 0,
                               format_func=lambda i: prio_names.get(i, i))
            statement = st.text_area("Statement", manage.plain(g["statement"]), height=80)
            owner = st.text_input("Owner", manage.plain(g["owner"]))
            due = st.date_input("Target date", None if pd.isna(g["target_date"]) else pd.Timestamp(g["target_date"]).date(),
                                min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
            narrative = st.text_area("Narrative", manage.plain(g["narrative"]), height=100)
            if st.form_submit_button("Save goal", type="primary"):
                manage.save(catalog.edit_goal, url, gid, {"name": name, "priority_id": pid, "statement": statement,
                                                           "owner": owner, "target_date": due, "narrative": narrative},
                            based_on=token, form=goal_form, actor=who,
                            done=lambda ch: f"Saved goal {gid}: " + ("; ".join(
                                f"{k}: {text.shown(a)} → {text.shown(b)}" for k, (a, b) in ch.items()) or "no change."))

with new_goal_tab:
    with st.form("goal_new"):
        gid = st.text_input("Id (lower-case, hyphens)", placeholder="reduce-homelessness")
        name = st.text_input("Name")
        pid = st.selectbox("Priority", list(prios["id"]), format_func=lambda i: prio_names.get(i, i)) if len(prios) else None
        statement = st.text_area("Statement", height=80)
        owner = st.text_input("Owner")
        due = st.date_input("Target date", None, min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
        public = st.checkbox("Public now")
        if st.form_submit_button("Create goal", type="primary"):
            manage.save(catalog.add_goal, url, gid.strip(), pid, name, statement=manage.none_if_blank(statement),
                        owner=manage.none_if_blank(owner), target_date=due, public=public, actor=who,
                        done=f"Created goal {gid.strip()}.")

with prio_tab:
    for i, p in enumerate(prios.itertuples()):
        c1, c2, c3 = st.columns([4, 1, 1])
        c1.markdown(f"**{text.md(p.name)}** ({text.md(p.id)}) — {text.md(p.description) or ''}")
        ids = list(prios["id"])
        if c2.button("↑", key=f"prio_up_{p.id}", disabled=i == 0):
            ids[i - 1], ids[i] = ids[i], ids[i - 1]
            manage.save(catalog.reorder_priorities, url, ids, actor=who, done=f"Moved {p.id} up.")
        if c3.button("↓", key=f"prio_down_{p.id}", disabled=i == len(ids) - 1):
            ids[i + 1], ids[i] = ids[i], ids[i + 1]
            manage.save(catalog.reorder_priorities, url, ids, actor=who, done=f"Moved {p.id} down.")
    with st.form("prio_new"):
        st.markdown("**New priority**")
        pid = st.text_input("Id (lower-case, hyphens)", placeholder="housing")
        name = st.text_input("Name ")
        desc = st.text_area("Description", height=70)
        if st.form_submit_button("Create priority"):
            manage.save(catalog.add_priority, url, pid.strip(), name, manage.none_if_blank(desc), actor=who,
                        done=f"Created priority {pid.strip()}.")
