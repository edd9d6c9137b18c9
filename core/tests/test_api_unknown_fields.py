"""The API refuses what it does not understand: every write operation of the OpenAPI schema
answers a body with an unknown field with 400 naming that field (a new endpoint is covered by being
in the schema), nested keys are named with their path, and nothing is written."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from audit.models import AuditEvent
from travelers.tests.factories import passport
from watchlists.models import DocumentEntry, ImportJob, PersonEntry, PersonEntryName, VehicleEntry, Watchlist
from watchlists.services import hit_raise

UNKNOWN = "zz_not_a_field"
WRITE_METHODS = ("post", "put", "patch")


def _write_operations() -> list[tuple[str, str, tuple[str, ...]]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, item in schema["paths"].items():
        for method in WRITE_METHODS:
            operation = item.get(method)
            if operation is not None:
                content = tuple((operation.get("requestBody") or {}).get("content", {}))
                operations.append((path, method, content))
    return operations


WRITE_OPERATIONS = _write_operations()


@pytest.fixture
def objects(border_agency, supervisor, booth_a):
    """One object for each kind of resource a write path names, keyed by the path segment before
    its parameter (a new kind of resource needs one line here)."""
    from travelers.services import inspection_start

    person_list = Watchlist.objects.create(code="WANTED", name="Wanted", owner_agency=border_agency, action="arrest")
    document_list = Watchlist.objects.create(code="SLTD", name="Stolen", owner_agency=border_agency,
                                             kind="documents", action="refer")
    vehicle_list = Watchlist.objects.create(code="VEH", name="Vehicles", owner_agency=border_agency,
                                            kind="vehicles", action="notify")
    person = PersonEntry.objects.create(watchlist=person_list, gender="M", birth_year=1974)
    PersonEntryName.objects.create(entry=person, full_name="Ahmed Jabir", is_primary=True)
    document = DocumentEntry.objects.create(watchlist=document_list, number="A1234567", issuing_state="IRQ",
                                            status="stolen")
    vehicle = VehicleEntry.objects.create(watchlist=vehicle_list, plate="12345 BGD")
    hit, _created = hit_raise(actor=None, source="name", score=0.9, threshold=0.8, entry=person,
                              post=booth_a.post, matched_name="Ahmed Jabir")
    inspection = inspection_start(actor=supervisor, post=booth_a.post, booth=booth_a, direction="entry",
                                  mrz=passport())
    job = ImportJob.objects.create(watchlist=person_list, format="csv", file="watchlists/imports/x.csv",
                                   status="preview")
    incident = _incident(booth_a.post)
    candidate = _identity_candidate()
    return {
        "candidates": candidate.pk,
        "incidents": incident.pk,
        "imports": job.pk,
        "inspections": inspection.pk,
        "hits": hit.pk,
        "watchlists": {"persons": person_list.code, "documents": document_list.code,
                       "vehicles": vehicle_list.code, None: person_list.code},
        "persons": person.pk,
        "documents": document.pk,
        "vehicles": vehicle.pk,
        "booth": booth_a,
    }


def _identity_candidate():
    """Two persons who may be one (deduplication's candidate)."""
    from travelers.models import IdentityCandidate, Person

    older = Person.objects.create(primary_identifier="SALIH", secondary_identifier="MUHAMMAD", nationality="SYR")
    newer = Person.objects.create(primary_identifier="SALEH", secondary_identifier="MOHAMMED", nationality="SYR")
    return IdentityCandidate.objects.create(person=newer, other=older, fused=0.9)


def _incident(post):
    """A green-border incident (a camera's detection in a sector of the post)."""
    from core.tests.factories import SectorFactory
    from devices.tests.factories import make_device
    from incidents.services import incident_attach_detection
    from incidents.tests.factories import make_detection

    camera, _raw = make_device("thermal_camera", post=post, sector=SectorFactory(post=post, code="UF1"),
                               code="UF-CAM", latitude=33.5, longitude=46.0)
    incident, _created = incident_attach_detection(detection=make_detection(camera))
    return incident


def _fill(path: str, objects: dict) -> str:
    parts = path.split("/")
    for i, part in enumerate(parts):
        if not re.fullmatch(r"\{\w+\}", part):
            continue
        resource = parts[i - 1]
        assert resource in objects, f"{path}: add an object for '{resource}' to the objects fixture"
        value = objects[resource]
        if isinstance(value, dict):
            following = parts[i + 1] if i + 1 < len(parts) else None
            value = value.get(following, value[None])
        parts[i] = str(value)
    return "/".join(parts)


def test_the_schema_has_write_operations():
    paths = {path for path, _method, _content in WRITE_OPERATIONS}
    assert {"/api/v1/screening/persons", "/api/v1/inspections", "/api/v1/biometrics/fingerprints"} <= paths


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method", "content"), WRITE_OPERATIONS,
                         ids=[f"{m.upper()} {p}" for p, m, _c in WRITE_OPERATIONS])
def test_every_write_operation_names_an_unknown_field(api, admin_user, objects, path, method, content):
    if path.startswith("/api/v1/devices/"):
        # Devices authenticate with their own credential (any device: the body is checked first).
        from devices.tests.factories import make_device

        _device, raw = make_device("document_reader", post=objects["booth"].post, booth=objects["booth"])
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    else:
        api.force_login(admin_user)
    url = _fill(path, objects)
    events = AuditEvent.objects.count()
    if "application/json" in content:
        response = getattr(api, method)(url, {UNKNOWN: "x"}, format="json")
    else:
        assert "multipart/form-data" in content, f"{method} {path}: unexpected body types {content}"
        response = getattr(api, method)(url, {UNKNOWN: "x"}, format="multipart")
    assert response.status_code == 400, (method, path, response.status_code, response.content[:300])
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"][UNKNOWN] == ["unknown field"], error
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_the_screening_typo_is_refused_and_nothing_is_screened(api, officer_a):
    api.force_login(officer_a)
    events = AuditEvent.objects.count()
    response = api.post("/api/v1/screening/persons", {"names": ["Ahmed Jabir"], "nationalities": "IRQ"},
                        format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error == {"code": "invalid", "message": "Invalid input: nationalities: unknown field",
                     "fields": {"nationalities": ["unknown field"]}}
    assert AuditEvent.objects.count() == events
    ok = api.post("/api/v1/screening/persons", {"names": ["Ahmed Jabir"], "nationality": "IRQ"}, format="json")
    assert ok.status_code == 200


@pytest.mark.django_db
def test_unknown_keys_inside_a_nested_object_are_named_with_their_path(api, officer_a, booth_a):
    api.force_login(officer_a)
    document = {"document_code": "P", "issuing_state": "JOR", "primary_identifier": "HADDAD",
                "document_number": "N1234567", "nationality": "JOR", "sex": "M", "date_of_expiry": "2031-01-01",
                "nmber": "N1234567"}
    response = api.post("/api/v1/inspections", {"post": booth_a.post.code, "booth": booth_a.code,
                                                "direction": "entry", "document": document}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"document.nmber": ["unknown field"]}


@pytest.mark.django_db
def test_unknown_keys_in_a_list_of_objects_are_named_with_their_index(api, officer_a):
    api.force_login(officer_a)
    response = api.post("/api/v1/biometrics/fingerprints/identify",
                        {"fingers": [{"position": 1, "image": "aGVsbG8=", "positon": 2}]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["fingers.0.positon"] == ["unknown field"]


@pytest.mark.django_db
def test_an_unknown_form_field_of_an_upload_is_named(api, officer_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api.force_login(officer_a)
    image = SimpleUploadedFile("face.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    response = api.post("/api/v1/biometrics/faces", {"image": image, "person_id": 1,
                                                     "purpose": "live", "sorce": "camera"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["sorce"] == ["unknown field"]


@pytest.mark.django_db
def test_a_partner_token_gets_the_same_answer(api, make_partner):
    _client, token = make_partner(["screening:write"])
    response = api.post("/api/v1/screening/documents", {"number": "A1", "issuing_stat": "IRQ"}, format="json",
                        HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"issuing_stat": ["unknown field"]}
