"""Serve the dashboard: `streamlit run serve.py` (what `make run` does).

Streamlit 1.67 serves apps with Starlette; `st.App` runs app.py exactly as `streamlit run app.py`
would and mounts the two sign-in endpoints of ui/http.py beside it, which is how a staff sign-in
becomes an HttpOnly cookie that survives reloads, new tabs and server restarts.
"""

import streamlit as st

from ui import http

app = st.App("app.py", routes=http.routes())
