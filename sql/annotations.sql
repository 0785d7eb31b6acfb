-- Dated annotations of visible measures (drawn as markers on their charts); one measure, or '' for all.
SELECT a.id, a.measure_id, a.on_date, a.body, a.created_by, a.created_at
FROM annotations a
JOIN visible_measures v ON v.id = a.measure_id
WHERE :measure_id = '' OR a.measure_id = :measure_id
ORDER BY a.on_date, a.id
