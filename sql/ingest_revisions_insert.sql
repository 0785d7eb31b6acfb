-- One revision per changed observation, so the upload can be rolled back. New observations get
-- none: they carry the upload's id (observations.upload_id), which is all a rollback needs to
-- delete them, and a later upload that changes one records that id as the row's old upload.
INSERT INTO observation_revisions (upload_id, measure_id, period, dimension, member, old_exists,
                                   old_value, old_numerator, old_denominator, old_upload_id, old_updated_at,
                                   new_value, new_numerator, new_denominator)
SELECT :upload_id, measure_id, period, dimension, member, TRUE,
       old_value, old_numerator, old_denominator, old_upload_id, old_updated_at,
       value, numerator, denominator
FROM ingest_diff
WHERE status = 'changed'
