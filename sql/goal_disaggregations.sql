-- Disaggregated rows (dimension <> '') of the given measures, for breakdown and equity views.
SELECT measure_id, period, period_end, dimension, member, value, suppressed
FROM visible_breakdowns
WHERE measure_id IN :measure_ids
ORDER BY measure_id, dimension, period_end, member
