"""Storage: engines and connections, schema and migrations, meta rows, named SQL fetched through Arrow."""
