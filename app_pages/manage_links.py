"""Links: which outputs should move which outcome, and after how many periods.

Thin: metrics.views.catalog.links_editor and metrics.catalog.add_link/remove_link with this page's actor.
A link that would make an outcome feed itself is refused with the loop it would close.
"""

import streamlit as st

from metrics import catalog
from metrics.views import catalog as catalog_view
from ui import manage, views

who = views.require("edit-catalog")
url = views.database_url()
st.title("Output → outcome links")
st.caption("The Goal and Outcomes pages compare each outcome with the outputs linked to it, shifted by the lag.")
manage.show_messages()
v = views.show(catalog_view.links_editor)

with st.form("link_add"):
    outs = dict(zip(v.outputs["id"], v.outputs["name"], strict=True))
    outcomes = dict(zip(v.outcomes["id"], v.outcomes["name"], strict=True))
    c1, c2 = st.columns(2)
    out_id = c1.selectbox("Output", list(outs), format_func=lambda i: f"{outs[i]} ({i})")
    outcome_id = c2.selectbox("Outcome it should move", list(outcomes), format_func=lambda i: f"{outcomes[i]} ({i})")
    lag = c1.number_input("Lag (periods)", min_value=0, max_value=60, value=0, step=1)
    note = c2.text_input("Note")
    if st.form_submit_button("Add link", type="primary"):
        manage.save(catalog.add_link, url, out_id, outcome_id, int(lag), manage.none_if_blank(note), actor=who,
                    done=lambda out: f"{'Linked' if out['created'] else 'Updated'} {out_id} → {outcome_id} (lag {lag}).")

st.subheader(f"{len(v.links)} links")
st.dataframe(v.links, hide_index=True, width="stretch")
if not v.links.empty:
    pairs = [f"{a} → {b}" for a, b in zip(v.links["output_measure_id"], v.links["outcome_measure_id"], strict=True)]
    c1, c2 = st.columns([4, 1])
    pick = c1.selectbox("Remove a link", pairs, index=None, placeholder="Choose a link")
    if c2.button("Remove", disabled=pick is None):
        a, b = pick.split(" → ")
        manage.save(catalog.remove_link, url, a, b, actor=who, done=f"Removed {pick}.")
