"""Fixtures for the face tests: the shared face images and their analyses."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_dir() -> Path:
    return Path(os.environ.get("BMIS_SHARED_DIR") or (REPO_ROOT.parent / "shared"))


def faces_dir() -> Path:
    return shared_dir() / "faces" / "deepface"


@pytest.fixture(scope="session")
def deepface_dir() -> Path:
    path = faces_dir()
    if not (path / "master.csv").is_file():
        pytest.skip(f"face data set not found at {path} (set BMIS_SHARED_DIR to the shared data directory)")
    return path


@pytest.fixture(scope="session")
def labelled_pairs(deepface_dir) -> list[tuple[str, str, bool]]:
    with open(deepface_dir / "master.csv", newline="") as fh:
        return [(r["file_x"], r["file_y"], r["Decision"] == "Yes") for r in csv.DictReader(fh)]


@pytest.fixture(scope="session")
def model():
    from biometrics.face.embedding import get_model

    return get_model()


def read_fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="session")
def pair_embeddings(deepface_dir, labelled_pairs, model):
    """Embedding of the largest face of every image in master.csv.

    The matcher is measured here, not the capture gate: these are press
    photographs, many of which a border camera's quality checks would send
    back (turned heads, small faces), so no quality policy is applied.
    """
    from biometrics.face.images import load_image

    names = sorted({a for a, _, _ in labelled_pairs} | {b for _, b, _ in labelled_pairs})
    out = {}
    for name in names:
        image = load_image((deepface_dir / name).read_bytes())
        faces = model.detect(image.pixels)
        out[name] = model.encode(image.pixels, faces[0]) if faces else None
    return out
