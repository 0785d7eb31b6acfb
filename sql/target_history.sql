-- Every recorded change to one visible measure's targets: who, when, why, old -> new.
SELECT h.id, h.target_id, h.measure_id, h.changed_by, h.changed_at, h.reason, h.old_value, h.new_value,
       h.old_tolerance, h.new_tolerance, h.old_effective_from, h.new_effective_from
FROM target_history h
JOIN visible_measures v ON v.id = h.measure_id
WHERE h.measure_id = :measure_id
ORDER BY h.changed_at DESC, h.id DESC
