-- Targets an upload wrote: each carries the upload's reason.
SELECT id FROM targets WHERE reason = :reason
