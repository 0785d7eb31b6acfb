-- The last :depth aggregate observations of every visible measure: enough for latest value,
-- previous period and same period last year without moving whole histories.
WITH ranked AS (
    SELECT measure_id, period, period_start, period_end, value,
           ROW_NUMBER() OVER (PARTITION BY measure_id ORDER BY period_end DESC) AS rn
    FROM visible_totals
    WHERE value IS NOT NULL
)
SELECT measure_id, period, period_start, period_end, value
FROM ranked WHERE rn <= :depth
ORDER BY measure_id, period_end
