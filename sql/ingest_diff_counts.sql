SELECT status, COUNT(*) AS n FROM ingest_diff GROUP BY status
