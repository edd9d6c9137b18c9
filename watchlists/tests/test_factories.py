"""The factories write rows as the services would: screening finds what they make."""

import pytest

from watchlists.services import screen_document, screen_person, screen_vehicle
from watchlists.tests.factories import (
    DocumentEntryFactory,
    ImportJobFactory,
    PersonEntryFactory,
    VehicleEntryFactory,
    WatchlistFactory,
)

pytestmark = pytest.mark.django_db


def test_entries_made_by_the_factories_are_screened_like_the_services_ones():
    person = PersonEntryFactory(names=["Mahmud Hasan", "محمود حسن"], birth_year=1974)
    assert [n.is_primary for n in person.names.order_by("pk")] == [True, False]
    assert person.names.get(is_primary=False).script == "arabic"
    found = screen_person(names=["Mahmoud Hassan"], date_of_birth="1974", store_hits=False)
    assert person.pk in [h["entry_id"] for h in found.hits]

    document = DocumentEntryFactory(number="N0123456")
    assert document.watchlist.kind == "documents"
    assert [h["entry_id"] for h in screen_document(number="no123456", issuing_state="IRQ",
                                                   store_hits=False).hits] == [document.pk]
    vehicle = VehicleEntryFactory(plate="12345 BGD")
    assert [h["entry_id"] for h in screen_vehicle(plate="12345bgd", store_hits=False).hits] == [vehicle.pk]


def test_an_import_job_from_the_factory_is_readable_through_the_api(api, supervisor, border_agency):
    job = ImportJobFactory(watchlist=WatchlistFactory(code="WANTED", owner_agency=border_agency))
    api.force_authenticate(supervisor)
    body = api.get(f"/api/v1/imports/{job.pk}").json()
    assert body["watchlist"] == "WANTED" and body["status"] == "pending" and body["format"] == "csv"
    assert job.file.read().startswith(b"external_id,kind,names")
