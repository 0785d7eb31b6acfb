-- Insert new observations and overwrite changed ones; unchanged rows are not touched.
INSERT INTO observations (measure_id, period, grain, period_start, period_end, dimension, member,
                          value, numerator, denominator, upload_id, updated_at)
SELECT measure_id, period, grain, period_start, period_end, dimension, member,
       value, numerator, denominator, :upload_id, :updated_at
FROM ingest_diff
WHERE status <> 'unchanged'
ON CONFLICT (measure_id, period, dimension, member) DO UPDATE SET
    grain = excluded.grain, period_start = excluded.period_start, period_end = excluded.period_end,
    value = excluded.value, numerator = excluded.numerator, denominator = excluded.denominator,
    upload_id = excluded.upload_id, updated_at = excluded.updated_at
