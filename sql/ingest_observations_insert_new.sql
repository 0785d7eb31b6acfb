-- New observations, straight from the stage: a plain INSERT (no stored row matches these keys,
-- inside the writer lock), which DuckDB loads far faster than the ON CONFLICT path. Rows that
-- matched a stored one are in ingest_diff (when none did, ingest_observations_insert_staged runs instead).
INSERT INTO observations (measure_id, period, grain, period_start, period_end, dimension, member,
                          value, numerator, denominator, upload_id, updated_at)
SELECT measure_id, period, grain, period_start, period_end, dimension, member,
       value, numerator, denominator, :upload_id, :updated_at
FROM ingest_stage s
WHERE NOT EXISTS (SELECT 1 FROM ingest_diff d
                  WHERE d.measure_id = s.measure_id AND d.period = s.period
                    AND d.dimension = s.dimension AND d.member = s.member)
