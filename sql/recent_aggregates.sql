-- The last :depth aggregate observations of every visible measure: enough for latest value,
-- previous period and same period last year without moving whole histories.
WITH ranked AS (
    SELECT o.measure_id, o.period, o.period_start, o.period_end, o.value,
           ROW_NUMBER() OVER (PARTITION BY o.measure_id ORDER BY o.period_end DESC) AS rn
    FROM observations o
    JOIN measures m ON m.id = o.measure_id
    WHERE o.dimension = '' AND o.value IS NOT NULL
      AND (NOT :public_only OR (m.is_public AND m.state = 'published'))
)
SELECT measure_id, period, period_start, period_end, value
FROM ranked WHERE rn <= :depth
ORDER BY measure_id, period_end
