-- Priorities with at least one visible goal (staff see every priority).
SELECT p.id, p.name, p.description, p.sort
FROM priorities p
WHERE :vis_staff OR EXISTS (SELECT 1 FROM goals g JOIN visible_goals v ON v.id = g.id WHERE g.priority_id = p.id)
ORDER BY p.sort
