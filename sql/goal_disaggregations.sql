-- Disaggregated rows (dimension <> '') of the given measures, for breakdown and equity views.
SELECT o.measure_id, o.period, o.period_end, o.dimension, o.member, o.value
FROM observations o
JOIN measures m ON m.id = o.measure_id
WHERE o.measure_id IN :measure_ids AND o.dimension <> ''
  AND (NOT :public_only OR (m.is_public AND m.state = 'published'))
ORDER BY o.measure_id, o.dimension, o.period_end, o.member
