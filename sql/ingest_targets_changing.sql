-- Targets this upload is about to change (their before-state goes to the upload's ledger).
SELECT t.id
FROM targets t
JOIN ingest_targets s
  ON t.measure_id = s.measure_id AND t.effective_from = s.effective_from AND t.effective_to = s.effective_to
WHERE t.value <> s.value
