-- New observations: a plain INSERT (the diff proved the keys are absent), which DuckDB
-- loads far faster than the ON CONFLICT path.
INSERT INTO observations (measure_id, period, grain, period_start, period_end, dimension, member,
                          value, numerator, denominator, upload_id, updated_at)
SELECT measure_id, period, grain, period_start, period_end, dimension, member,
       value, numerator, denominator, :upload_id, :updated_at
FROM ingest_diff
WHERE status = 'new'
