import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]


def shared_dir() -> Path:
    return Path(os.environ.get("BMIS_SHARED_DIR", REPO_ROOT.parent / "shared"))


@pytest.fixture
def pairs_csv() -> Path:
    path = shared_dir() / "names" / "pairs.csv"
    if not path.exists():
        pytest.skip(f"name variant set not found at {path} (set BMIS_SHARED_DIR to the shared data folder)")
    return path
