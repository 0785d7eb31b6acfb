"""Being built: see the open issue."""

import streamlit as st

st.info("This page is being built.")
