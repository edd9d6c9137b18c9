from pathlib import Path

import pytest

from conftest import shared_data


@pytest.fixture
def pairs_csv(shared_dir) -> Path:
    """The shared name variant set (names/pairs.csv): fails under CI, skips elsewhere, when missing."""
    return shared_data("names", "pairs.csv")
