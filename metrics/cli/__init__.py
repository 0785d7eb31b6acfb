"""CLI commands beyond the core ones, one module each; each exposes register(subparsers)."""
