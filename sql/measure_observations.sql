-- One visible measure's full history, every disaggregation included (suppression applied).
SELECT measure_id, period, grain, period_start, period_end, dimension, member,
       value, numerator, denominator, upload_id, suppressed
FROM visible_observations
WHERE measure_id = :measure_id
ORDER BY period_end, dimension, member
