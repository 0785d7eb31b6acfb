-- Observations this upload created disappear again.
DELETE FROM observations
WHERE upload_id = :upload_id
  AND EXISTS (SELECT 1 FROM observation_revisions r
              WHERE r.upload_id = :upload_id AND NOT r.old_exists
                AND r.measure_id = observations.measure_id AND r.period = observations.period
                AND r.dimension = observations.dimension AND r.member = observations.member)
