-- Staging for one upload's accepted actual rows (temporary: gone when the connection closes).
CREATE TEMP TABLE ingest_stage (
    measure_id VARCHAR(128) NOT NULL,
    period VARCHAR(16) NOT NULL,
    grain VARCHAR(16) NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    dimension VARCHAR(64) NOT NULL,
    member VARCHAR(128) NOT NULL,
    value DOUBLE PRECISION,
    numerator DOUBLE PRECISION,
    denominator DOUBLE PRECISION
)
