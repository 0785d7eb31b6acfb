-- A sample of the new rows (staged, no stored match) for the preview table.
SELECT s.measure_id, s.period, s.dimension, s.member, s.value AS new_value,
       s.numerator AS new_numerator, s.denominator AS new_denominator
FROM ingest_stage s
WHERE NOT EXISTS (SELECT 1 FROM ingest_diff d
                  WHERE d.measure_id = s.measure_id AND d.period = s.period
                    AND d.dimension = s.dimension AND d.member = s.member)
ORDER BY s.measure_id, s.period, s.dimension, s.member
LIMIT :limit
