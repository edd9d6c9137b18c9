import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from watchlists.models import Hit, HitStatus, ImportJob, PersonEntry
from watchlists.services import person_entry_create, screen_person

pytestmark = pytest.mark.django_db


def test_supervisor_manages_a_list_through_the_pages(login, supervisor, wanted, django_capture_on_commit_callbacks):
    c = login(supervisor)
    assert c.get("/watchlists/").status_code == 200
    r = c.post("/watchlists/WANTED/persons/new/", {"names": "Sinan Thamer Al-Lami\nسنان ثامر اللامي", "date_of_birth": "1981",
                                                  "gender": "M", "nationalities": "IRQ"})
    assert r.status_code == 302, r.content.decode()[:2000]
    entry = PersonEntry.objects.get()
    page = c.get("/watchlists/WANTED/?q=sinan").content.decode()
    assert "Sinan Thamer Al-Lami" in page
    page = c.get("/watchlists/WANTED/?q=Sinan+Thamir&similar=on").content.decode()
    assert "Sinan Thamer Al-Lami" in page
    r = c.post(f"/watchlists/WANTED/persons/{entry.pk}/edit/", {"names": "Sinan Thamer", "date_of_birth": "1981-13-01"})
    assert r.status_code == 200 and "month out of range" in r.content.decode()
    r = c.post(f"/watchlists/WANTED/persons/{entry.pk}/edit/", {"names": "Sinan Thamer", "date_of_birth": "1981-03-01"})
    assert r.status_code == 302
    r = c.post(f"/watchlists/WANTED/persons/{entry.pk}/deactivate/")
    assert r.status_code == 302
    entry.refresh_from_db()
    assert not entry.is_active and entry.birth_month == 3


def test_import_page_shows_the_report(login, supervisor, wanted, django_capture_on_commit_callbacks):
    from pathlib import Path

    c = login(supervisor)
    data = (Path(__file__).parent / "fixtures" / "persons.csv").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/watchlists/WANTED/import/", {"format": "csv", "file": SimpleUploadedFile("p.csv", data),
                                                  "deactivate_missing": "on"})
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert "P-3" in page and "date of birth: " in page  # the preview names a rejected row with its reason
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(f"/watchlists/imports/{job.pk}/confirm/", {"digest": job.preview["digest"]})
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert "P-3" in page and "date of birth: " in page  # the report too
    assert "Succeeded" in page


def test_hits_queue_adjudication_and_rate(login, supervisor, wanted):
    person_entry_create(actor=None, watchlist=wanted, names=["Laith Kareem"])
    screen_person(names=["Layth Karim"])
    hit = Hit.objects.get()
    c = login(supervisor)
    page = c.get("/watchlists/hits/").content.decode()
    assert "Laith Kareem" in page and "matched" in page  # the explanation is shown
    c.post(f"/watchlists/hits/{hit.pk}/adjudicate/", {"decision": "dismissed", "reason": ""})
    hit.refresh_from_db()
    assert hit.status == HitStatus.PENDING  # a dismissal needs a reason
    c.post(f"/watchlists/hits/{hit.pk}/adjudicate/", {"decision": "dismissed", "reason": "different_person"})
    hit.refresh_from_db()
    assert hit.status == HitStatus.DISMISSED
    assert "100%" in c.get("/watchlists/hits/?status=dismissed").content.decode()


def test_officer_cannot_open_supervisor_pages(login, officer_a, booth_a, wanted):
    c = login(officer_a, booth_a)
    assert c.get("/watchlists/").status_code == 403
    assert c.get("/watchlists/hits/").status_code == 403


def test_inspection_hits_tag_orders_by_severity(rf, supervisor, wanted, border_agency):
    from django.template import Context, Template

    from watchlists.models import Watchlist

    monitor = Watchlist.objects.create(code="MON", name="Monitor", owner_agency=border_agency, action="monitor")
    person_entry_create(actor=None, watchlist=monitor, names=["Laith Kareem"])
    person_entry_create(actor=None, watchlist=wanted, names=["Laith Kareem"])
    screen_person(names=["Laith Kareem"], inspection_id=9)
    request = rf.get("/")
    request.user = supervisor
    html = Template("{% load watchlists_tags %}{% inspection_hits 9 %}").render(Context({"request": request}))
    assert html.index("Arrest") < html.index("Monitor")


@pytest.mark.parametrize("target,expected", [
    ("/watchlists/hits/?status=pending&list=WANTED", "/watchlists/hits/?status=pending&list=WANTED"),
    ("foo", "/watchlists/hits/"),  # a bare word was resolved as a URL name: NoReverseMatch, 500
    ("https://evil.example/", "/watchlists/hits/"),
    ("//evil.example/x", "/watchlists/hits/"),
    ("/\\evil.example", "/watchlists/hits/"),
    ("javascript:alert(1)", "/watchlists/hits/"),
    ("", "/watchlists/hits/"),
])
def test_adjudication_returns_only_to_a_page_of_this_site(login, supervisor, wanted, target, expected):
    person_entry_create(actor=None, watchlist=wanted, names=["Laith Kareem"])
    screen_person(names=["Layth Karim"])
    hit = Hit.objects.get()
    c = login(supervisor)
    r = c.post(f"/watchlists/hits/{hit.pk}/adjudicate/", {"decision": "confirmed", "next": target})
    assert r.status_code == 302
    assert r["Location"] == expected
    hit.refresh_from_db()
    assert hit.status == HitStatus.CONFIRMED


def test_supervisor_edits_document_and_vehicle_entries(login, supervisor, stolen_docs, vehicles):
    from audit.models import AuditEvent
    from watchlists.models import DocumentEntry, VehicleEntry
    from watchlists.services import document_entry_create, vehicle_entry_create

    doc = document_entry_create(actor=None, watchlist=stolen_docs, number="N0123456", issuing_state="IRQ",
                                status="stolen")
    car = vehicle_entry_create(actor=None, watchlist=vehicles, plate="12345 BGD", country="IRQ", make="Toyota")
    c = login(supervisor)
    assert f"/watchlists/SLTD/documents/{doc.pk}/edit/" in c.get("/watchlists/SLTD/").content.decode()
    page = c.get(f"/watchlists/SLTD/documents/{doc.pk}/edit/").content.decode()
    assert 'value="N0123456"' in page  # the form shows the entry
    r = c.post(f"/watchlists/SLTD/documents/{doc.pk}/edit/", {"number": "N0123456", "issuing_state": "xx1",
                                                             "status": "lost"})
    assert r.status_code == 200
    doc.refresh_from_db()
    assert doc.status == "stolen"  # the bad country was refused, nothing saved
    r = c.post(f"/watchlists/SLTD/documents/{doc.pk}/edit/", {"number": "N 0123457", "issuing_state": "irq",
                                                             "status": "lost", "remarks": "found abroad"})
    assert r.status_code == 302 and r["Location"] == "/watchlists/SLTD/"
    doc.refresh_from_db()
    assert (doc.number, doc.number_normalized, doc.issuing_state, doc.status) == ("N 0123457", "N0123457", "IRQ", "lost")
    event = AuditEvent.objects.get(action="document_entry.update", object_id=str(doc.pk))
    assert event.changes["status"] == ["stolen", "lost"]
    assert DocumentEntry.objects.count() == 1

    assert f"/watchlists/VEH/vehicles/{car.pk}/edit/" in c.get("/watchlists/VEH/").content.decode()
    r = c.post(f"/watchlists/VEH/vehicles/{car.pk}/edit/", {"plate": "", "country": "IRQ"})
    assert r.status_code == 200
    r = c.post(f"/watchlists/VEH/vehicles/{car.pk}/edit/", {"plate": "54321 BGD", "country": "irq",
                                                           "make": "Kia", "colour": "white"})
    assert r.status_code == 302
    car.refresh_from_db()
    assert (car.plate_normalized, car.make, car.colour) == ("54321BGD", "Kia", "white")
    assert AuditEvent.objects.filter(action="vehicle_entry.update", object_id=str(car.pk)).exists()
    assert VehicleEntry.objects.count() == 1


def test_document_and_vehicle_edit_permissions(login, officer_a, booth_a, supervisor, stolen_docs, vehicles,
                                               police_agency, client):
    from accounts.permissions import Role
    from accounts.tests.factories import UserFactory
    from watchlists.services import document_entry_create, vehicle_entry_create

    doc = document_entry_create(actor=None, watchlist=stolen_docs, number="N0123456", issuing_state="IRQ",
                                status="stolen")
    car = vehicle_entry_create(actor=None, watchlist=vehicles, plate="12345 BGD")
    doc_url = f"/watchlists/SLTD/documents/{doc.pk}/edit/"
    car_url = f"/watchlists/VEH/vehicles/{car.pk}/edit/"
    # Anonymous: the login page.
    assert client.get(doc_url).status_code == 302 and "/accounts/login/" in client.get(doc_url)["Location"]
    # An officer: 403.
    c = login(officer_a, booth_a)
    assert c.get(doc_url).status_code == 403 and c.post(car_url, {"plate": "X1"}).status_code == 403
    c.post("/accounts/logout/")
    # A supervisor of another agency may not change these lists: 404, nothing changed.
    other = UserFactory(username="supervisor.police", role=Role.SUPERVISOR, agency=police_agency, is_national=True)
    c = login(other)
    assert c.get(doc_url).status_code == 404
    assert c.post(car_url, {"plate": "X1"}).status_code == 404
    car.refresh_from_db()
    assert car.plate_normalized == "12345BGD"
    c.post("/accounts/logout/")
    # An entry of another list under this list's code: 404.
    c = login(supervisor)
    assert c.get(f"/watchlists/VEH/documents/{doc.pk}/edit/").status_code == 404
    assert c.get(f"/watchlists/SLTD/vehicles/{car.pk}/edit/").status_code == 404
