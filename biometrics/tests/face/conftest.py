"""Fixtures for the face tests: the shared face images and their analyses."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import pytest

from conftest import shared_data


@pytest.fixture(scope="session")
def deepface_dir(shared_dir) -> Path:
    """The shared face photographs (faces/deepface, with master.csv), never copied into the repository."""
    shared_data("faces", "deepface", "master.csv")
    return shared_dir / "faces" / "deepface"


@pytest.fixture(scope="session")
def labelled_pairs(deepface_dir) -> list[tuple[str, str, bool]]:
    with open(deepface_dir / "master.csv", newline="") as fh:
        return [(r["file_x"], r["file_y"], r["Decision"] == "Yes") for r in csv.DictReader(fh)]


def photo_page(portrait_bytes: bytes) -> bytes:
    """A passport-like data page: the portrait, a smaller ghost image, text lines, an MRZ band."""
    import io

    from PIL import Image, ImageDraw

    portrait = Image.open(io.BytesIO(portrait_bytes))
    page = Image.new("RGB", (1250, 880), (236, 232, 220))
    draw = ImageDraw.Draw(page)
    main = portrait.convert("RGB").resize(
        (round(450 * portrait.width / portrait.height), 450), Image.Resampling.LANCZOS
    )
    page.paste(main, (60, 180))
    ghost = portrait.convert("L").resize(
        (round(155 * portrait.width / portrait.height), 155), Image.Resampling.LANCZOS
    ).point(lambda v: 120 + v // 2)
    page.paste(ghost.convert("RGB"), (1060, 420))
    for row in range(8):
        draw.rectangle((470, 200 + row * 55, 470 + 300 + (row * 37) % 250, 222 + row * 55), fill=(40, 40, 60))
    draw.rectangle((40, 720, 1210, 760), fill=(30, 30, 30))
    buf = io.BytesIO()
    page.save(buf, format="JPEG", quality=90)
    return buf.getvalue()


@pytest.fixture
def make_inspection():
    """make_inspection(officer, booth) -> an open entry inspection from a generated passport MRZ
    (the face views accept only inspections the user may see)."""
    from travelers.services import inspection_start
    from travelers.tests.factories import passport

    def make(officer, booth):
        return inspection_start(actor=officer, post=booth.post, booth=booth, direction="entry", mrz=passport())

    return make


@pytest.fixture(scope="session")
def model():
    from biometrics.face.embedding import get_model

    return get_model()


def read_fixture(name: str) -> bytes:
    """A photograph of the shared face set (faces/deepface/NAME); the calling test fails under CI,
    or is skipped elsewhere, when it is missing. Test modules that call it are marked `shared_data`.
    `couple-1140.jpg` is couple.jpg at half size (1140 pixels wide), made here."""
    if name == "couple-1140.jpg":
        return _couple_1140()
    return shared_data("faces", "deepface", name).read_bytes()


@functools.cache
def _couple_1140() -> bytes:
    import io

    from PIL import Image

    couple = Image.open(shared_data("faces", "deepface", "couple.jpg")).convert("RGB")
    buf = io.BytesIO()
    couple.resize((couple.width // 2, couple.height // 2), Image.Resampling.LANCZOS).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


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
