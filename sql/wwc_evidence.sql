-- Evidence attached to one criterion under the current standard, newest first. Evidence that
-- points at a measure or goal the reader may not see is left out.
SELECT e.id, e.standard_version, e.code, e.kind, e.ref, e.note, e.added_by, e.added_at
FROM wwc_evidence e
JOIN wwc_standards st ON st.is_current AND st.version = e.standard_version
WHERE e.code = :code
  AND (e.kind NOT IN ('measure', 'goal')
       OR (e.kind = 'measure' AND e.ref IN (SELECT 'measure:' || id FROM visible_measures))
       OR (e.kind = 'goal' AND e.ref IN (SELECT 'goal:' || id FROM visible_goals)))
ORDER BY e.added_at DESC, e.id DESC
