"""Shared paths: the real city samples sit in ../shared/samples beside the repo checkout; `who`, the
editor actor every ingest/rollback call here passes (writes require an actor)."""

from pathlib import Path

import pytest

from metrics import access

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples"


@pytest.fixture(scope="session")
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"samples folder not found at {SAMPLES}")
    return SAMPLES


def who(name: str = "t") -> access.Actor:
    """A staff editor: may upload and roll back; its name is recorded as the uploader."""
    return access.Actor("user", name, "editor")
