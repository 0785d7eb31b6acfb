"""Shared paths: the real city samples sit in ../shared/samples beside the repo checkout."""

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"


@pytest.fixture(scope="session")
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"samples folder not found at {SAMPLES}")
    return SAMPLES
