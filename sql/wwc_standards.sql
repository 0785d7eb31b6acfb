-- Loaded WWC standards, the current one first.
SELECT s.version, s.name, s.loaded_at, s.is_current,
       (SELECT COUNT(*) FROM wwc_criteria c WHERE c.standard_version = s.version) AS criteria
FROM wwc_standards s
ORDER BY s.is_current DESC, s.loaded_at DESC
