-- Later committed uploads that changed a value as this upload had left it: each such revision
-- records this upload as the row's previous upload (new rows carry their upload id, changed
-- rows get it from the upsert), so this finds them without a revision row per new row.
SELECT r.upload_id AS later_upload_id, COUNT(*) AS n
FROM observation_revisions r
JOIN uploads u ON u.id = r.upload_id AND u.status = 'committed'
WHERE r.old_upload_id = :upload_id AND r.upload_id > :upload_id
GROUP BY r.upload_id
ORDER BY r.upload_id
