-- What the composite's movement needs and no more: for each visible measure, aggregate
-- rows ending after :since, plus the last row at or before :since (so a yearly measure
-- still has a value at the first as-of point). Scores need only the latest value per as-of.
WITH visible AS (
    SELECT o.measure_id, o.period, o.period_start, o.period_end, o.value
    FROM observations o
    JOIN measures m ON m.id = o.measure_id
    WHERE o.dimension = '' AND o.value IS NOT NULL
      AND (NOT :public_only OR (m.is_public AND m.state = 'published'))
), before AS (
    SELECT measure_id, period, period_start, period_end, value,
           ROW_NUMBER() OVER (PARTITION BY measure_id ORDER BY period_end DESC) AS rn
    FROM visible
    WHERE period_end <= :since
)
SELECT measure_id, period, period_start, period_end, value FROM before WHERE rn = 1
UNION ALL
SELECT measure_id, period, period_start, period_end, value FROM visible WHERE period_end > :since
ORDER BY measure_id, period_end
