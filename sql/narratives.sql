-- Narratives ("why it moved, what we are doing") of one visible measure, newest period first.
SELECT n.measure_id, n.period, n.body, n.updated_by, n.updated_at
FROM narratives n
JOIN visible_measures v ON v.id = n.measure_id
WHERE n.measure_id = :measure_id
ORDER BY n.period DESC
