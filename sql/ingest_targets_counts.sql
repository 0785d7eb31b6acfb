-- new: no target with that measure and effective span; changed: one with another value.
SELECT SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END) AS new,
       SUM(CASE WHEN t.id IS NOT NULL AND t.value <> s.value THEN 1 ELSE 0 END) AS changed,
       SUM(CASE WHEN t.id IS NOT NULL AND t.value = s.value THEN 1 ELSE 0 END) AS unchanged
FROM ingest_targets s
LEFT JOIN targets t
  ON t.measure_id = s.measure_id AND t.effective_from = s.effective_from AND t.effective_to = s.effective_to
