-- Targets in force over time of visible measures, with who set them and why.
SELECT t.id, t.measure_id, t.effective_from, t.effective_to, t.value, t.tolerance, t.set_by, t.set_at, t.reason
FROM targets t
JOIN visible_measures v ON v.id = t.measure_id
ORDER BY t.measure_id, t.effective_from
