-- Canonical long rows. Staff view: drafts included unless :public_only.
SELECT o.measure_id, o.period, o.dimension, o.member, o.value
FROM observations o
JOIN measures m ON m.id = o.measure_id
WHERE (:measure_id = '' OR o.measure_id = :measure_id)
  AND (NOT :public_only OR (m.is_public AND m.state = 'published'))
ORDER BY o.measure_id, o.period_end, o.dimension, o.member
