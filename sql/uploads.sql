-- Upload history, newest first. File names and who uploaded are staff facts: the public gets no rows.
SELECT id, file_name, sha256, uploaded_by, uploaded_at, layout, rows_total, rows_accepted, rows_rejected,
       rows_new, rows_changed, status, rolled_back_at, rolled_back_by
FROM uploads
WHERE :vis_staff
ORDER BY id DESC
LIMIT :limit
