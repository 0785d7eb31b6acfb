-- Targets this upload changed: back to their old value.
UPDATE targets SET value = h.old_value, set_by = :actor, set_at = :at, reason = :rollback_reason
FROM target_history h
WHERE h.reason = :reason AND h.target_id = targets.id AND h.old_value IS NOT NULL
