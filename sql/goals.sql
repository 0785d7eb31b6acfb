-- Visible goals with their priority.
SELECT g.id, g.priority_id, g.name, g.statement, g.narrative, g.owner, g.target_date, g.is_public,
       g.target_value, g.target_unit, g.target_kind, g.target_measure_id, g.target_from,
       p.name AS priority_name, p.sort AS priority_sort
FROM goals g
JOIN visible_goals v ON v.id = g.id
JOIN priorities p ON p.id = g.priority_id
ORDER BY p.sort, COALESCE(g.sort, 0), g.name
