"""Fixtures of the registrations tests: the shared face photographs and FVC2002 impressions (read
from BMIS_SHARED_DIR, never copied), a group apprehended at post A, and the data of one person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import shared_data
from registrations.services import RegistrationData, apprehension_create


def face_bytes(name: str) -> bytes:
    """faces/deepface/NAME (img1, img2, img5, img10 are one person; img12/img3 another; img16/img17 a third)."""
    return shared_data("faces", "deepface", name).read_bytes()


def finger_bytes(db: int, name: str) -> bytes:
    """fingerprints/fvc2002/DB<db>_B/NAME, e.g. finger_bytes(1, "101_1.tif")."""
    return shared_data("fingerprints", "fvc2002", f"DB{db}_B", name).read_bytes()


def person_data(**overrides) -> RegistrationData:
    """A consenting adult without captures: every finger "refused" (override fingers/face)."""
    values = {
        "primary_identifier": "HADDAD", "secondary_identifier": "AHMAD", "name_original": "أحمد حداد",
        "date_of_birth": "1990-04-12", "sex": "M", "nationality": "SYR", "languages": ["ar"],
        "place_of_origin": "Aleppo", "relationship": "head", "consent": "given", "information_language": "ar",
        "leaflet_given": True, "fingers_missing": {p: "refused" for p in range(1, 11)},
    }
    values.update(overrides)
    if "fingers" in overrides:
        values["fingers_missing"] = {p: r for p, r in values["fingers_missing"].items()
                                     if p not in overrides["fingers"]}
    return RegistrationData(**values)


@pytest.fixture
def group_a(officer_a, post_a):
    return apprehension_create(actor=officer_a, apprehended_at=timezone.now() - timedelta(hours=1), post=post_a,
                               unit="Patrol 7", incident_id=42)
