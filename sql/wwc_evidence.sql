-- Evidence attached to one criterion under the current standard, newest first.
SELECT e.id, e.standard_version, e.code, e.kind, e.ref, e.note, e.added_by, e.added_at
FROM wwc_evidence e
JOIN wwc_standards st ON st.is_current AND st.version = e.standard_version
WHERE e.code = :code
ORDER BY e.added_at DESC, e.id DESC
