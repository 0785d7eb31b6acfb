-- WWC criteria a visible goal supports, with the city's current status (current standard only).
SELECT gc.goal_id, c.code, c.practice, c.criterion, c.is_core, s.status, s.owner, s.target_date, s.last_reviewed
FROM goal_criteria gc
JOIN visible_goals v ON v.id = gc.goal_id
JOIN wwc_standards st ON st.is_current
JOIN wwc_criteria c ON c.code = gc.code AND c.standard_version = st.version
LEFT JOIN wwc_status s ON s.code = c.code AND s.standard_version = st.version
WHERE gc.goal_id = :goal_id
ORDER BY c.sort
