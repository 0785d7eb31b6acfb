-- What the composite's movement needs and no more: for each visible measure, aggregate
-- rows ending after :since, plus the last row at or before :since (so a yearly measure
-- still has a value at the first as-of point). Scores need only the latest value per as-of.
WITH before AS (
    SELECT measure_id, period, period_start, period_end, value,
           ROW_NUMBER() OVER (PARTITION BY measure_id ORDER BY period_end DESC) AS rn
    FROM visible_totals
    WHERE value IS NOT NULL AND period_end <= :since
)
SELECT measure_id, period, period_start, period_end, value FROM before WHERE rn = 1
UNION ALL
SELECT measure_id, period, period_start, period_end, value FROM visible_totals
WHERE value IS NOT NULL AND period_end > :since
ORDER BY measure_id, period_end
