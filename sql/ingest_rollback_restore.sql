-- Observations this upload changed get their old values, old upload and old timestamp back
-- (revisions from before old_updated_at was kept get the rollback's time: :exact is false).
UPDATE observations
SET value = r.old_value, numerator = r.old_numerator, denominator = r.old_denominator,
    upload_id = r.old_upload_id, updated_at = CASE WHEN :exact THEN r.old_updated_at ELSE :at END
FROM observation_revisions r
WHERE r.upload_id = :upload_id AND r.old_exists
  AND r.measure_id = observations.measure_id AND r.period = observations.period
  AND r.dimension = observations.dimension AND r.member = observations.member
