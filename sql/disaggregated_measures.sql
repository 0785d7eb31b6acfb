-- Which visible measures have a breakdown, and by which dimensions.
SELECT DISTINCT measure_id, dimension
FROM visible_breakdowns
ORDER BY measure_id, dimension
