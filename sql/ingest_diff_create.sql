-- Staged rows that match a stored observation, each labelled changed (old -> new) or unchanged.
-- Rows with no match are the new ones: they are counted and inserted straight from the stage
-- (ingest_observations_insert_new), so a million new rows are never copied into a diff table.
CREATE TEMP TABLE ingest_diff AS
SELECT s.measure_id, s.period, s.grain, s.period_start, s.period_end, s.dimension, s.member,
       s.value, s.numerator, s.denominator,
       o.value AS old_value, o.numerator AS old_numerator, o.denominator AS old_denominator,
       o.upload_id AS old_upload_id, o.updated_at AS old_updated_at,
       CASE WHEN s.value IS DISTINCT FROM o.value
              OR s.numerator IS DISTINCT FROM o.numerator
              OR s.denominator IS DISTINCT FROM o.denominator THEN 'changed'
            ELSE 'unchanged' END AS status
FROM ingest_stage s
JOIN observations o
  ON o.measure_id = s.measure_id AND o.period = s.period
 AND o.dimension = s.dimension AND o.member = s.member
