"""Fixtures of the fingerprint service, API and page tests."""

from __future__ import annotations

import pytest

from biometrics.services.fingerprint import (
    fingerprint_gallery_reset,
)
from watchlists.models import PersonEntry, PersonEntryName, Watchlist


@pytest.fixture(autouse=True)
def _fresh_gallery():
    fingerprint_gallery_reset()
    yield
    fingerprint_gallery_reset()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (the eager search task) when the block ends, as a real commit
    would; the test's own transaction never commits."""

    def block():
        return django_capture_on_commit_callbacks(execute=True)

    return block


@pytest.fixture
def wanted(border_agency):
    return Watchlist.objects.create(code="WANTED", name="Wanted persons", owner_agency=border_agency, action="arrest")


@pytest.fixture
def wanted_entry(wanted):
    entry = PersonEntry.objects.create(watchlist=wanted, gender="M", birth_year=1974)
    PersonEntryName.objects.create(entry=entry, full_name="Ahmed Jabir", is_primary=True)
    return entry


@pytest.fixture
def traveler_a(make_traveler, booth_a):
    """traveler_a() -> an inspection of a new traveler at post A (officer A's post)."""
    return lambda: make_traveler(booth=booth_a)


@pytest.fixture
def officer_api(api, officer_a):
    api.force_authenticate(officer_a)
    return api
