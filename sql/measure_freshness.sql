-- Per visible measure: its latest aggregate period, when its figures last changed, and how many
-- periods it has (the open-data dictionary's "last updated" and "next due", the data inventory).
WITH ranked AS (
    SELECT measure_id, period, period_start, period_end,
           ROW_NUMBER() OVER (PARTITION BY measure_id ORDER BY period_end DESC) AS rn,
           FIRST_VALUE(period) OVER (PARTITION BY measure_id ORDER BY period_end) AS first_period,
           MIN(period_start) OVER (PARTITION BY measure_id) AS first_period_start,
           MAX(updated_at) OVER (PARTITION BY measure_id) AS last_updated,
           COUNT(*) OVER (PARTITION BY measure_id) AS n_periods
    FROM visible_totals
    WHERE value IS NOT NULL
)
SELECT measure_id, first_period, first_period_start, period AS last_period, period_end AS last_period_end, last_updated, n_periods
FROM ranked
WHERE rn = 1
ORDER BY measure_id
