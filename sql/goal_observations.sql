-- Aggregate histories of every measure under the given goals.
SELECT o.measure_id, o.period, o.grain, o.period_start, o.period_end, o.dimension, o.member, o.value,
       o.numerator, o.denominator
FROM observations o
JOIN measures m ON m.id = o.measure_id
WHERE m.goal_id IN :goal_ids AND o.dimension = ''
  AND (NOT :public_only OR (m.is_public AND m.state = 'published'))
ORDER BY o.measure_id, o.period_end
