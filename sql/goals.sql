-- Goals with their priority. :public_only keeps goals marked public.
SELECT g.id, g.priority_id, g.name, g.statement, g.narrative, g.owner, g.target_date, g.is_public,
       p.name AS priority_name, p.sort AS priority_sort
FROM goals g
JOIN priorities p ON p.id = g.priority_id
WHERE (NOT :public_only OR g.is_public)
ORDER BY p.sort, g.name
