-- Targets this upload created disappear again.
DELETE FROM targets
WHERE id IN (SELECT target_id FROM target_history WHERE reason = :reason AND old_value IS NULL)
