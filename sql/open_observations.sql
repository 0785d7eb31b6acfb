-- Every observation the reader may see, with its period end (the open-data files).
SELECT measure_id, period, period_end, dimension, member, value, suppressed
FROM visible_observations
ORDER BY measure_id, period_end, dimension, member
