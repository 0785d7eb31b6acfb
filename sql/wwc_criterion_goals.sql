-- Visible goals linked to one criterion (the goals whose work is evidence for it).
SELECT g.id, g.name, g.owner, g.target_date, p.name AS priority_name
FROM goal_criteria gc
JOIN goals g ON g.id = gc.goal_id
JOIN visible_goals v ON v.id = g.id
LEFT JOIN priorities p ON p.id = g.priority_id
WHERE gc.code = :code
ORDER BY p.sort, g.name
