"""Plotly figure builders: frames in, figures out. Never reads the database."""
