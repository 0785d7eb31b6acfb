-- Overwrite changed observations (new ones were inserted by ingest_observations_insert_new).
-- ON CONFLICT keeps this correct even if a row appeared since the diff was taken.
INSERT INTO observations (measure_id, period, grain, period_start, period_end, dimension, member,
                          value, numerator, denominator, upload_id, updated_at)
SELECT measure_id, period, grain, period_start, period_end, dimension, member,
       value, numerator, denominator, :upload_id, :updated_at
FROM ingest_diff
WHERE status = 'changed'
ON CONFLICT (measure_id, period, dimension, member) DO UPDATE SET
    grain = excluded.grain, period_start = excluded.period_start, period_end = excluded.period_end,
    value = excluded.value, numerator = excluded.numerator, denominator = excluded.denominator,
    upload_id = excluded.upload_id, updated_at = excluded.updated_at
