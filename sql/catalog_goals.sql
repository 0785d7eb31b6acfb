-- The catalog's goals with their order and edit version (priorities without goals come from priorities.sql).
SELECT g.id, g.priority_id, g.name, g.statement, g.narrative, g.owner, g.target_date, g.is_public,
       COALESCE(g.sort, 0) AS sort, g.updated_at, p.name AS priority_name, p.sort AS priority_sort,
       (SELECT COUNT(*) FROM visible_measures vm JOIN measures m ON m.id = vm.id WHERE m.goal_id = g.id) AS n_measures
FROM goals g
JOIN visible_goals v ON v.id = g.id
LEFT JOIN priorities p ON p.id = g.priority_id
ORDER BY p.sort, COALESCE(g.sort, 0), g.name
