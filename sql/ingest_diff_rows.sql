-- A sample of one status for the preview tables.
SELECT measure_id, period, dimension, member, old_value, value AS new_value,
       old_numerator, numerator AS new_numerator, old_denominator, denominator AS new_denominator,
       old_upload_id
FROM ingest_diff
WHERE status = :status
ORDER BY measure_id, period, dimension, member
LIMIT :limit
