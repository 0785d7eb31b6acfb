INSERT INTO target_history (target_id, measure_id, changed_by, changed_at, reason, old_value, new_value,
                            old_tolerance, new_tolerance, old_effective_from, new_effective_from)
SELECT h.target_id, h.measure_id, :actor, :at, :rollback_reason, h.new_value, h.old_value,
       h.new_tolerance, h.old_tolerance, h.new_effective_from, h.old_effective_from
FROM target_history h
WHERE h.reason = :reason
