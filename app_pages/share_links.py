"""Share links (admins): the public address, create a scoped link with an expiry, list, revoke.

Thin: the list is the people view; changes are metrics.access.admin calls with the page's actor.
The URL is built from the city's `public_base_url` (set here), never from localhost, and shown
once: only the token's hash is stored. Revoking ends open public sessions at their next click.
"""

import streamlit as st

from metrics.access import AccessError, admin, parse_expiry, share_url
from metrics.domain import text
from metrics.errors import MetricsError
from metrics.views import people
from ui import auth, views

EXPIRY = {"7 days": "7d", "30 days": "30d", "90 days": "90d", "Never": "never"}
who = views.require("manage-shares")
url = views.database_url()

st.title("Share links")
st.caption("Read-only public links: the whole public portal or one public goal. Anyone with a link sees the "
           "published, public measures in its scope, nothing else.")

kind, message = st.session_state.pop("share_flash", (None, None))
if kind:
    (st.success if kind == "ok" else st.error)(text.md(message))
if "share_new" in st.session_state:
    st.info("The new link, shown only now (copy it with the button at the right of the box):")
    st.code(st.session_state.pop("share_new"), language=None)


def act(done: str, fn, *args, **kw):
    try:
        result = fn(url, *args, actor=who, **kw)
    except (AccessError, MetricsError) as exc:
        st.session_state["share_flash"] = ("error", f"Nothing changed: {exc}.")
        st.rerun()
    st.session_state["share_flash"] = ("ok", done)
    return result


v = views.fresh(people.share_links)
with st.form("public-address"):
    address = st.text_input("Public address of this dashboard", value=v.public_base_url,
                            placeholder="https://performance.example.gov",
                            help="Share and set-password links start with this address.")
    if st.form_submit_button("Save address"):
        act("Saved the public address.", admin.set_public_base_url, address)
        st.rerun()
if not v.public_base_url:
    st.warning("No public address is set, so new links use the address this browser sees, which the public may "
               "not be able to reach.")

st.subheader("Create a link")
goals = dict(v.goals)
# outside the form, so choosing the scope redraws it: the goal picker is there only for a one-goal link
scope_kind = st.radio("Scope", ["Whole public portal", "One goal"], horizontal=True, key="share_scope")
with st.form("new-link"):
    goal = None
    if scope_kind == "One goal":
        goal = st.selectbox("Goal", list(goals), format_func=lambda g: goals[g], disabled=not goals,
                            help="Only public goals can be shared.")
    expiry = st.selectbox("Expires after", list(EXPIRY), index=1)
    if st.form_submit_button("Create the link", type="primary"):
        scope = "portal" if scope_kind == "Whole public portal" else f"goal:{goal}"
        token = act(f"Created a link to {scope}.", admin.create_link, scope, parse_expiry(EXPIRY[expiry]))
        st.session_state["share_new"] = share_url(auth.base_url(v.public_base_url), token)
        st.rerun()

st.subheader("Links")
if v.shares.empty:
    st.caption("No links yet.")
else:
    st.dataframe(v.shares, hide_index=True, width="stretch",
                 column_config={"id": "Id", "scope": "Scope", "state": "State",
                                "expires_at": st.column_config.DatetimeColumn("Expires"),
                                "created_by": "Created by", "created_at": st.column_config.DatetimeColumn("Created")})
    if v.active_ids:
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        pick = c1.selectbox("Active link", v.active_ids, format_func=lambda i: f"#{i} · "
                            + str(v.shares.set_index("id").loc[i, "scope"]))
        if c2.button("Revoke"):
            act(f"Revoked link #{pick}; open public pages end at their next click.", admin.revoke_link, pick)
            st.rerun()
