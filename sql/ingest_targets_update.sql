UPDATE targets SET value = s.value, set_by = :actor, set_at = :at, reason = :reason
FROM ingest_targets s
WHERE targets.measure_id = s.measure_id AND targets.effective_from = s.effective_from
  AND targets.effective_to = s.effective_to AND targets.value <> s.value
