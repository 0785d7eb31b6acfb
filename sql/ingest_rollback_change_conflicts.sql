-- Later committed uploads that changed again a measure, target or mapping row this upload changed.
SELECT c2.upload_id AS later_upload_id, COUNT(*) AS n
FROM upload_changes c
JOIN upload_changes c2
  ON c2.table_name = c.table_name AND c2.row_key = c.row_key AND c2.upload_id > c.upload_id
JOIN uploads u ON u.id = c2.upload_id AND u.status = 'committed'
WHERE c.upload_id = :upload_id
GROUP BY c2.upload_id
ORDER BY c2.upload_id
