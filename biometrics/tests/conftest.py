"""Fixtures shared by the face and fingerprint tests: real travelers (the endpoints refuse a
traveler or inspection id the caller may not see, or that does not exist)."""

from __future__ import annotations

import itertools

import pytest


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
