-- Canonical long rows of what the reader may see (suppressed cells have no value for the public).
SELECT measure_id, period, dimension, member, value, suppressed
FROM visible_observations
WHERE (:measure_id = '' OR measure_id = :measure_id)
ORDER BY measure_id, period_end, dimension, member
