-- Observations of this upload that a later committed upload changed again.
SELECT r2.upload_id AS later_upload_id, COUNT(*) AS n
FROM observation_revisions r
JOIN observation_revisions r2
  ON r2.measure_id = r.measure_id AND r2.period = r.period
 AND r2.dimension = r.dimension AND r2.member = r.member AND r2.upload_id > r.upload_id
JOIN uploads u ON u.id = r2.upload_id AND u.status = 'committed'
WHERE r.upload_id = :upload_id
GROUP BY r2.upload_id
ORDER BY r2.upload_id
