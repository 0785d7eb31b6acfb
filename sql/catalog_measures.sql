-- The catalog's measure list (editors, `measures list`): every visible measure with the fields an
-- edit form shows, its derived state (draft | published | retired) and the version it was read at.
SELECT m.id, m.name, m.kind, m.unit, m.direction, m.frequency, m.department, m.owner, m.data_source,
       m.methodology, m.goal_id, m.is_public,
       CASE WHEN m.retired_at IS NOT NULL THEN 'retired' ELSE m.state END AS state,
       m.plausible_min, m.plausible_max, m.rollup, m.created_at, m.updated_at, m.retired_at, m.retired_by,
       g.name AS goal_name, g.is_public AS goal_is_public
FROM measures m
JOIN visible_measures v ON v.id = m.id
LEFT JOIN (SELECT g.* FROM goals g JOIN visible_goals vg ON vg.id = g.id) g ON g.id = m.goal_id
ORDER BY m.id
