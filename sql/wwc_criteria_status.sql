-- Every criterion of the current WWC standard with the city's status and how much evidence backs it.
SELECT c.standard_version, c.code, c.practice, c.criterion, c.description, c.confirmed, c.is_core, c.sort,
       COALESCE(s.status, 'not_started') AS status, s.owner, s.target_date, s.notes, s.last_reviewed,
       s.updated_by, s.updated_at,
       (SELECT COUNT(*) FROM wwc_evidence e
         WHERE e.standard_version = c.standard_version AND e.code = c.code
           AND (e.kind NOT IN ('measure', 'goal')
                OR (e.kind = 'measure' AND e.ref IN (SELECT 'measure:' || id FROM visible_measures))
                OR (e.kind = 'goal' AND e.ref IN (SELECT 'goal:' || id FROM visible_goals)))) AS evidence_count,
       (SELECT COUNT(*) FROM goal_criteria gc JOIN visible_goals v ON v.id = gc.goal_id
         WHERE gc.code = c.code) AS goal_count
FROM wwc_criteria c
JOIN wwc_standards st ON st.is_current AND st.version = c.standard_version
LEFT JOIN wwc_status s ON s.standard_version = c.standard_version AND s.code = c.code
ORDER BY c.sort
