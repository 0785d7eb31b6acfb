-- The measures a rollback changes (values, targets, the measure rows an upload created or edited),
-- read before it runs, so their stored scores can be recomputed after.
SELECT DISTINCT measure_id FROM observations WHERE upload_id = :upload_id
UNION
SELECT DISTINCT measure_id FROM observation_revisions WHERE upload_id = :upload_id
UNION
SELECT DISTINCT measure_id FROM targets WHERE reason = :reason
UNION
SELECT DISTINCT t.measure_id FROM targets t
JOIN upload_changes c ON c.upload_id = :upload_id AND c.table_name = 'targets' AND c.row_key = CAST(t.id AS VARCHAR(32))
UNION
SELECT DISTINCT row_key FROM upload_changes WHERE upload_id = :upload_id AND table_name = 'measures'
