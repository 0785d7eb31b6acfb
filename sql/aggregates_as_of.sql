-- The last :depth aggregate observations of every visible measure ending on or before :as_of.
-- Enough for latest value, previous and same period last year (the score CLI's as-of view).
WITH ranked AS (
    SELECT measure_id, period, period_start, period_end, value,
           ROW_NUMBER() OVER (PARTITION BY measure_id ORDER BY period_end DESC) AS rn
    FROM visible_totals
    WHERE value IS NOT NULL AND period_end <= :as_of
)
SELECT measure_id, period, period_start, period_end, value
FROM ranked WHERE rn <= :depth
ORDER BY measure_id, period_end
