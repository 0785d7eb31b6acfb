-- One revision per new or changed observation, so the upload can be rolled back.
INSERT INTO observation_revisions (upload_id, measure_id, period, dimension, member, old_exists,
                                   old_value, old_numerator, old_denominator, old_upload_id,
                                   new_value, new_numerator, new_denominator)
SELECT :upload_id, measure_id, period, dimension, member, status = 'changed',
       old_value, old_numerator, old_denominator, old_upload_id,
       value, numerator, denominator
FROM ingest_diff
WHERE status <> 'unchanged'
