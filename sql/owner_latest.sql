-- The latest reported period of each visible measure (for "what is due" on My measures).
SELECT t.measure_id, t.period, t.period_end, t.value
FROM visible_totals t
JOIN (SELECT measure_id, MAX(period_end) AS last_end FROM visible_totals GROUP BY measure_id) l
  ON l.measure_id = t.measure_id AND l.last_end = t.period_end
ORDER BY t.measure_id
