-- Targets carried by an upload: one per measure and period, effective over that period.
CREATE TEMP TABLE ingest_targets (
    measure_id VARCHAR(128) NOT NULL,
    effective_from DATE NOT NULL,
    effective_to DATE NOT NULL,
    value DOUBLE PRECISION NOT NULL
)
