-- What else now refers to a measure this upload created: values from other uploads, targets it
-- did not set, links, WWC evidence, narratives, annotations. A rollback that would delete the measure refuses while any does.
WITH created AS (
    SELECT row_key AS measure_id FROM upload_changes
    WHERE upload_id = :upload_id AND table_name = 'measures' AND old_row IS NULL
), own_targets AS (
    SELECT row_key FROM upload_changes WHERE upload_id = :upload_id AND table_name = 'targets'
)
SELECT 'values' AS what, o.measure_id, CAST(o.upload_id AS VARCHAR(32)) AS other, COUNT(*) AS n
FROM observations o JOIN created c ON c.measure_id = o.measure_id
WHERE o.upload_id IS NULL OR o.upload_id <> :upload_id
GROUP BY o.measure_id, o.upload_id
UNION ALL
SELECT 'target', t.measure_id, MIN(t.set_by), COUNT(*)
FROM targets t JOIN created c ON c.measure_id = t.measure_id
WHERE CAST(t.id AS VARCHAR(32)) NOT IN (SELECT row_key FROM own_targets)
GROUP BY t.measure_id
UNION ALL
SELECT 'link', c.measure_id, MIN(CASE WHEN l.output_measure_id = c.measure_id THEN l.outcome_measure_id
                                      ELSE l.output_measure_id END), COUNT(*)
FROM links l JOIN created c ON c.measure_id = l.output_measure_id OR c.measure_id = l.outcome_measure_id
GROUP BY c.measure_id
UNION ALL
SELECT 'evidence', c.measure_id, MIN(e.code), COUNT(*)
FROM wwc_evidence e JOIN created c ON e.kind = 'measure' AND e.ref = c.measure_id
GROUP BY c.measure_id
UNION ALL
SELECT 'narrative', n.measure_id, MIN(n.period), COUNT(*)
FROM narratives n JOIN created c ON c.measure_id = n.measure_id
GROUP BY n.measure_id
UNION ALL
SELECT 'annotation', a.measure_id, MIN(a.created_by), COUNT(*)
FROM annotations a JOIN created c ON c.measure_id = a.measure_id
GROUP BY a.measure_id
ORDER BY 2, 1, 3
