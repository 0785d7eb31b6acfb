-- The one visibility rule (metrics/access/visibility.py explains it). Not a query of its own:
-- every named read query is prefixed with these CTEs and selects from visible_* instead of the
-- raw tables. Parameters: :vis_staff, :vis_goal (share-link scope or ''), :suppress_below.
visible_goals AS (
    SELECT g.id FROM goals g
    WHERE :vis_staff OR (g.is_public AND (:vis_goal = '' OR g.id = :vis_goal))
), visible_measures AS (
    SELECT m.id FROM measures m
    WHERE :vis_staff OR (m.is_public AND m.state = 'published'
                         AND m.goal_id IN (SELECT id FROM visible_goals))
), visible_totals AS (
    SELECT measure_id, period, grain, period_start, period_end, dimension, member, value, numerator, denominator, upload_id, updated_at, FALSE AS suppressed
    FROM observations
    WHERE dimension = '' AND measure_id IN (SELECT id FROM visible_measures)
), vis_small AS NOT MATERIALIZED (
    SELECT o.*, (COALESCE(m.rollup, 'sum') = 'sum' AND o.value IS NOT NULL
                 AND o.value < :suppress_below) AS small
    FROM observations o JOIN measures m ON m.id = o.measure_id
    WHERE o.dimension <> '' AND o.measure_id IN (SELECT id FROM visible_measures)
), vis_groups AS (
    -- per (measure, period, dimension): how many cells are small, and the smallest one that is not
    SELECT measure_id, period, dimension, SUM(CASE WHEN small THEN 1 ELSE 0 END) AS n_small,
           MIN(CASE WHEN NOT small THEN value END) AS min_open
    FROM vis_small
    GROUP BY measure_id, period, dimension
    HAVING SUM(CASE WHEN small THEN 1 ELSE 0 END) > 0
), visible_breakdowns AS (
    SELECT measure_id, period, grain, period_start, period_end, dimension, member,
           CASE WHEN hide AND NOT :vis_staff THEN NULL ELSE value END AS value,
           CASE WHEN hide AND NOT :vis_staff THEN NULL ELSE numerator END AS numerator,
           CASE WHEN hide AND NOT :vis_staff THEN NULL ELSE denominator END AS denominator,
           upload_id, updated_at, hide AS suppressed
    FROM (SELECT s.*, COALESCE(s.small OR (g.n_small = 1 AND s.value = g.min_open), FALSE) AS hide
          FROM vis_small s
          LEFT JOIN vis_groups g
            ON g.measure_id = s.measure_id AND g.period = s.period AND g.dimension = s.dimension) h
), visible_observations AS (
    SELECT * FROM visible_totals
    UNION ALL
    SELECT * FROM visible_breakdowns
)
