-- The last :depth aggregate observations of every measure ending on or before :as_of
-- (staff view: drafts included). Enough for latest value, previous and same period last year.
WITH ranked AS (
    SELECT o.measure_id, o.period, o.period_start, o.period_end, o.value,
           ROW_NUMBER() OVER (PARTITION BY o.measure_id ORDER BY o.period_end DESC) AS rn
    FROM observations o
    WHERE o.dimension = '' AND o.value IS NOT NULL AND o.period_end <= :as_of
)
SELECT measure_id, period, period_start, period_end, value
FROM ranked WHERE rn <= :depth
ORDER BY measure_id, period_end
