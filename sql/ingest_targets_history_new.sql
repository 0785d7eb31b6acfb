-- History rows for the targets this upload created (old_* empty marks "created").
INSERT INTO target_history (target_id, measure_id, changed_by, changed_at, reason, old_value, new_value,
                            old_tolerance, new_tolerance, old_effective_from, new_effective_from)
SELECT t.id, t.measure_id, :actor, :at, :reason, NULL, t.value, NULL, t.tolerance, NULL, t.effective_from
FROM targets t
WHERE t.reason = :reason
  AND NOT EXISTS (SELECT 1 FROM target_history h WHERE h.target_id = t.id AND h.reason = :reason)
