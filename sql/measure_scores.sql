-- Stored scores (schema v11, kept by every write: metrics/store/rollups.py) of every visible
-- measure: the rows ending after :since, plus each measure's last row ending on or before it.
-- Enough for each measure's status on any day from :since on (metrics/domain/rollup.py): a few
-- rows per measure, however long its history.
WITH before AS (
    SELECT measure_id, period, period_end, grain, next_days, actual, target, tolerance, status, score,
           change_prev, change_prev_pct, change_yoy, change_yoy_pct,
           ROW_NUMBER() OVER (PARTITION BY measure_id ORDER BY period_end DESC) AS rn
    FROM measure_scores
    WHERE measure_id IN (SELECT id FROM visible_measures) AND period_end <= :since
)
SELECT measure_id, period, period_end, grain, next_days, actual, target, tolerance, status, score,
       change_prev, change_prev_pct, change_yoy, change_yoy_pct
FROM before WHERE rn = 1
UNION ALL
SELECT measure_id, period, period_end, grain, next_days, actual, target, tolerance, status, score,
       change_prev, change_prev_pct, change_yoy, change_yoy_pct
FROM measure_scores
WHERE measure_id IN (SELECT id FROM visible_measures) AND period_end > :since
ORDER BY measure_id, period_end
