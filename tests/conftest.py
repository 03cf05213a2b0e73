"""Shared pytest fixtures."""

from pathlib import Path

import pytest
import sklearn


@pytest.fixture
def routing():
    """Switch scikit-learn metadata routing on for one test only (never globally)."""
    with sklearn.config_context(enable_metadata_routing=True):
        yield


@pytest.fixture(scope="session")
def shared_data_dir():
    """The benchmark data folder ../shared/data beside the repository, or skip."""
    path = Path(__file__).resolve().parents[2] / "shared" / "data"
    if not path.is_dir():
        pytest.skip(f"benchmark data folder not found at {path}")
    return path
