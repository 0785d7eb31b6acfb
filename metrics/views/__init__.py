"""One module per screen or export: (conn_or_url, actor, settings, **filters) -> dataclass of what it shows."""
