-- The data version and city facts every page reads first (the cache key), and the end of
-- the latest period this reader may see.
SELECT (SELECT value FROM meta WHERE key = 'data_version') AS data_version,
       (SELECT value FROM meta WHERE key = 'data_updated_at') AS data_updated_at,
       (SELECT MAX(period_end) FROM visible_totals) AS latest_period_end,
       (SELECT value FROM meta WHERE key = 'city_name') AS city_name,
       (SELECT value FROM meta WHERE key = 'fiscal_start_month') AS fiscal_start_month
