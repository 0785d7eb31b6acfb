-- The breakdown cells (dimension, member) some measures have been reported with: the entry form's rows.
SELECT DISTINCT measure_id, dimension, member
FROM visible_breakdowns
WHERE measure_id IN :measure_ids
ORDER BY measure_id, dimension, member
