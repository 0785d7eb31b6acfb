-- Benchmark query: every observation row the reader may see (the bench builds about a million).
SELECT measure_id, period, period_end, dimension, member, value
FROM visible_observations
