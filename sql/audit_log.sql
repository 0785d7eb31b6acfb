-- The audit log (staff only: a public reader gets no rows), newest first, from a date on.
SELECT a.id, a.at, a.actor, a.action, a.object_type, a.object_id, a.detail
FROM audit_log a
WHERE :vis_staff AND a.at >= :since
ORDER BY a.at DESC, a.id DESC
LIMIT :limit
