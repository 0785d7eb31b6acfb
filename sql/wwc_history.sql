-- Every recorded change to one criterion (all standards, newest first): who, when, old -> new.
SELECT h.standard_version, h.code, h.field, h.old_value, h.new_value, h.changed_by, h.changed_at
FROM wwc_history h
WHERE h.code = :code
ORDER BY h.changed_at DESC, h.id DESC
