-- Output -> outcome links. Both ends must be visible to the reader.
SELECT l.output_measure_id, l.outcome_measure_id, l.lag_periods, l.note
FROM links l
JOIN visible_measures a ON a.id = l.output_measure_id
JOIN visible_measures b ON b.id = l.outcome_measure_id
ORDER BY l.outcome_measure_id, l.output_measure_id
