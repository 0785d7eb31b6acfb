-- Per visible measure: the end of the last aggregate period loaded and whether any disaggregated
-- rows exist. Feeds certification.suggest_evidence (data freshness, disaggregation).
SELECT o.measure_id,
       MAX(CASE WHEN o.dimension = '' AND o.value IS NOT NULL THEN o.period_end END) AS last_period_end,
       MAX(CASE WHEN o.dimension <> '' THEN 1 ELSE 0 END) = 1 AS has_disaggregation
FROM observations o
JOIN visible_measures v ON v.id = o.measure_id
GROUP BY o.measure_id
ORDER BY o.measure_id
