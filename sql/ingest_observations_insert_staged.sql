-- Every staged row is new (nothing stored matched): insert them all, no anti-join.
INSERT INTO observations (measure_id, period, grain, period_start, period_end, dimension, member,
                          value, numerator, denominator, upload_id, updated_at)
SELECT measure_id, period, grain, period_start, period_end, dimension, member,
       value, numerator, denominator, :upload_id, :updated_at
FROM ingest_stage
