-- Output -> outcome links. Both ends must be visible to the reader.
SELECT l.output_measure_id, l.outcome_measure_id, l.lag_periods, l.note
FROM links l
JOIN measures a ON a.id = l.output_measure_id
JOIN measures b ON b.id = l.outcome_measure_id
WHERE (NOT :public_only OR (a.is_public AND a.state = 'published' AND b.is_public AND b.state = 'published'))
ORDER BY l.outcome_measure_id, l.output_measure_id
