-- Every recorded change to one criterion (all standards, newest first): who, when, old -> new.
-- Who changed what is a staff fact: the public reader gets no rows.
SELECT h.standard_version, h.code, h.field, h.old_value, h.new_value, h.changed_by, h.changed_at
FROM wwc_history h
WHERE h.code = :code AND :vis_staff
ORDER BY h.changed_at DESC, h.id DESC
