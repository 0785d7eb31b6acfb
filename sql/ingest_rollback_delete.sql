-- Observations this upload first inserted disappear again: after ingest_rollback_restore has
-- given the changed ones their old upload id back, every row still carrying this upload's id
-- is one it created (set-wise: no revision row per new observation is needed).
DELETE FROM observations WHERE upload_id = :upload_id
