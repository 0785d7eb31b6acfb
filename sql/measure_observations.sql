-- One measure's full history, every disaggregation included.
SELECT o.measure_id, o.period, o.grain, o.period_start, o.period_end, o.dimension, o.member,
       o.value, o.numerator, o.denominator, o.upload_id
FROM observations o
JOIN measures m ON m.id = o.measure_id
WHERE o.measure_id = :measure_id
  AND (NOT :public_only OR (m.is_public AND m.state = 'published'))
ORDER BY o.period_end, o.dimension, o.member
