-- Narratives ("why it moved, what we are doing") of visible measures, newest period first; one measure,
-- or '' for all (the council report and the public site read them all in one go).
SELECT n.measure_id, n.period, n.body, n.updated_by, n.updated_at
FROM narratives n
JOIN visible_measures v ON v.id = n.measure_id
WHERE :measure_id = '' OR n.measure_id = :measure_id
ORDER BY n.period DESC, n.measure_id
