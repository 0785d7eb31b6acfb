-- The measures an upload's staged values or targets belong to (their stored scores are recomputed).
SELECT DISTINCT measure_id FROM ingest_stage
UNION
SELECT DISTINCT measure_id FROM ingest_targets
