INSERT INTO target_history (target_id, measure_id, changed_by, changed_at, reason, old_value, new_value,
                            old_tolerance, new_tolerance, old_effective_from, new_effective_from)
SELECT t.id, t.measure_id, :actor, :at, :reason, t.value, s.value, t.tolerance, t.tolerance,
       t.effective_from, s.effective_from
FROM targets t
JOIN ingest_targets s
  ON t.measure_id = s.measure_id AND t.effective_from = s.effective_from AND t.effective_to = s.effective_to
WHERE t.value <> s.value
