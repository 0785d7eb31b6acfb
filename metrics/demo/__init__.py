"""The deterministic demo city (and the large synthetic city for benchmarks)."""
