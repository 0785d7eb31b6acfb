INSERT INTO targets (measure_id, effective_from, effective_to, value, set_by, set_at, reason)
SELECT s.measure_id, s.effective_from, s.effective_to, s.value, :actor, :at, :reason
FROM ingest_targets s
WHERE NOT EXISTS (SELECT 1 FROM targets t
                  WHERE t.measure_id = s.measure_id AND t.effective_from = s.effective_from
                    AND t.effective_to = s.effective_to)
