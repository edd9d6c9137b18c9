"""Fixtures shared by the face and fingerprint tests: real travelers (the endpoints refuse a
traveler or inspection id the caller may not see, or that does not exist), and the shared
fingerprint images."""

from __future__ import annotations

import itertools
import re

import pytest

from conftest import shared_data


def fingerprint_fixture(name: str) -> bytes:
    """An image of the shared data sets, by the short names the fingerprint tests use:
    `db1_101_1.tif` is FVC2002 DB1 B's 101_1.tif (fingerprints/fvc2002/DB1_B/101_1.tif), and
    `face_img12.jpg` the face photograph faces/deepface/img12.jpg (a face uploaded as a finger).
    Third-party images are never copied into the repository; the calling test fails under CI, or
    is skipped elsewhere, when the data set is missing."""
    if match := re.fullmatch(r"db(\d)_(\d+_\d+\.tif)", name):
        return shared_data("fingerprints", "fvc2002", f"DB{match[1]}_B", match[2]).read_bytes()
    if name.startswith("face_"):
        return shared_data("faces", "deepface", name.removeprefix("face_")).read_bytes()
    raise ValueError(f"unknown fingerprint test image {name!r}")


def _letters(n: int) -> str:
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("A") + r) + out
    return out


@pytest.fixture
def make_traveler(db):
    """make_traveler(post=None, booth=None, officer=None) -> an open entry inspection of a new
    traveler (``.person_id``, ``.post``) at ``post`` (a new post when none is given)."""
    from accounts.permissions import Role
    from accounts.tests.factories import UserFactory
    from core.tests.factories import BoothFactory, BorderPostFactory
    from travelers.services import inspection_start
    from travelers.tests.factories import passport

    counter = itertools.count(1)

    def make(post=None, booth=None, officer=None):
        n = next(counter)
        booth = booth or BoothFactory(post=post or BorderPostFactory())
        officer = officer or UserFactory(role=Role.OFFICER, posts=[booth.post])
        mrz = passport(document_number=f"T{n:07d}", primary_identifier=f"TRAVELER{_letters(n)}")
        return inspection_start(actor=officer, post=booth.post, booth=booth, direction="entry", mrz=mrz)

    return make
