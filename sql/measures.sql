-- Every visible measure with its goal and priority (a goal the reader may not see is left out).
-- A retired measure (stored as a draft with retired_at) reads as state 'retired': it never counts.
SELECT m.id, m.name, m.kind, m.unit, m.direction, m.frequency, m.department, m.owner, m.data_source,
       m.methodology, m.goal_id, m.is_public,
       CASE WHEN m.retired_at IS NOT NULL THEN 'retired' ELSE m.state END AS state, m.plausible_min, m.plausible_max, m.rollup,
       g.name AS goal_name, g.priority_id, p.name AS priority_name
FROM measures m
JOIN visible_measures v ON v.id = m.id
LEFT JOIN (SELECT g.* FROM goals g JOIN visible_goals vg ON vg.id = g.id) g ON g.id = m.goal_id
LEFT JOIN priorities p ON p.id = g.priority_id
ORDER BY p.sort, g.name, m.kind DESC, m.name
