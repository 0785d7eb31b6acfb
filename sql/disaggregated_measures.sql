-- Which visible measures have a breakdown, and by which dimensions.
SELECT DISTINCT o.measure_id, o.dimension
FROM observations o
JOIN measures m ON m.id = o.measure_id
WHERE o.dimension <> ''
  AND (NOT :public_only OR (m.is_public AND m.state = 'published'))
ORDER BY o.measure_id, o.dimension
