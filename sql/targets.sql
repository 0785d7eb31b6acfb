-- Targets in force over time, with who set them and why.
SELECT t.id, t.measure_id, t.effective_from, t.effective_to, t.value, t.tolerance, t.set_by, t.set_at, t.reason
FROM targets t
JOIN measures m ON m.id = t.measure_id
WHERE (NOT :public_only OR (m.is_public AND m.state = 'published'))
ORDER BY t.measure_id, t.effective_from
