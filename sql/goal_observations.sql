-- Aggregate histories of every visible measure under the given goals.
SELECT o.measure_id, o.period, o.grain, o.period_start, o.period_end, o.dimension, o.member, o.value,
       o.numerator, o.denominator
FROM visible_totals o
JOIN measures m ON m.id = o.measure_id
WHERE m.goal_id IN :goal_ids
ORDER BY o.measure_id, o.period_end
