-- Matched rows per status, and every staged row (the difference is the new ones: staged keys are unique).
SELECT status, COUNT(*) AS n FROM ingest_diff GROUP BY status
UNION ALL
SELECT 'staged', COUNT(*) FROM ingest_stage
