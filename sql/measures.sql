-- Every measure with its goal and priority. :public_only hides drafts, private measures and
-- measures under a goal that is not public.
SELECT m.id, m.name, m.kind, m.unit, m.direction, m.frequency, m.department, m.owner, m.data_source,
       m.methodology, m.goal_id, m.is_public, m.state, m.plausible_min, m.plausible_max,
       g.name AS goal_name, g.priority_id, p.name AS priority_name
FROM measures m
LEFT JOIN goals g ON g.id = m.goal_id
LEFT JOIN priorities p ON p.id = g.priority_id
WHERE (NOT :public_only OR (m.is_public AND m.state = 'published' AND (m.goal_id IS NULL OR g.is_public)))
ORDER BY p.sort, g.name, m.kind DESC, m.name
