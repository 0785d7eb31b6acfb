-- Benchmark query: every observation row (the bench builds about a million).
SELECT measure_id, period, period_end, dimension, member, value
FROM observations
