"""Capture controls follow the inspection: none on a closed inspection, and the services (so the
API too) refuse a capture or search attached to one; the fingerprint page finds its traveler from
the inspection or a typed document number; an upload without a file says which field lacks it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from biometrics.models.face import FacePurpose, FaceSource
from biometrics.services.face import face_capture
from biometrics.services.fingerprint import FingerInput, fingerprint_enrol, fingerprint_search_create
from biometrics.tests.face.conftest import read_fixture
from biometrics.tests.test_access import CAPTURE, FP_ENROL, finger, finger_json, written
from travelers.models import Inspection, InspectionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_inspection(make_traveler, booth_a):
    return make_traveler(booth=booth_a)


@pytest.fixture
def closed_inspection(make_traveler, booth_a):
    inspection = make_traveler(booth=booth_a)
    Inspection.objects.filter(pk=inspection.pk).update(status=InspectionStatus.CLOSED)
    return inspection


def _upload(data: bytes, name: str = "a.tif"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_the_services_refuse_a_capture_on_a_closed_inspection(officer_a, closed_inspection):
    pid, iid = closed_inspection.person_id, closed_inspection.pk
    before = written()
    with pytest.raises(ValidationError) as exc:
        fingerprint_enrol(actor=officer_a, person_id=pid, inspection_id=iid, fingers=[FingerInput(1, finger())])
    assert "inspection_id" in exc.value.message_dict
    with pytest.raises(ValidationError):
        fingerprint_search_create(actor=officer_a, kind="identify", inspection_id=iid, fingers=[FingerInput(1, finger())])
    with pytest.raises(ValidationError):
        face_capture(actor=officer_a, data=read_fixture("img5.jpg"), purpose=FacePurpose.LIVE,
                     source=FaceSource.UPLOAD, person_id=pid, inspection_id=iid)
    assert written() == before


def test_the_api_refuses_a_capture_on_a_closed_inspection(api, officer_a, closed_inspection):
    api.force_login(officer_a)
    before = written()
    r = api.post(FP_ENROL, {"person_id": closed_inspection.person_id, "inspection_id": closed_inspection.pk,
                            "fingers": [finger_json()]}, format="json")
    assert r.status_code == 400
    assert r.json()["error"]["fields"]["inspection_id"] == [
        "This inspection is closed: no biometric capture can be added to it."]
    r = api.post("/api/v1/biometrics/faces", {"image": _upload(read_fixture("img5.jpg"), "f.jpg"),
                                              "person_id": closed_inspection.person_id,
                                              "inspection_id": closed_inspection.pk}, format="multipart")
    assert r.status_code == 400 and "inspection_id" in r.json()["error"]["fields"]
    assert written() == before


def test_the_inspection_panel_hides_capture_controls_once_closed(login, officer_a, booth_a, open_inspection,
                                                                 closed_inspection):
    c = login(officer_a, booth_a)
    page = c.get(f"/biometrics/face/inspections/{open_inspection.pk}/").content.decode()
    assert "data-face-capture" in page and 'type="file"' in page and "data-capture-closed" not in page
    page = c.get(f"/biometrics/face/inspections/{closed_inspection.pk}/").content.decode()
    assert "data-face-capture" not in page and 'type="file"' not in page and "data-capture-closed" in page
    assert "face_capture.js" not in page


def test_the_face_capture_view_refuses_a_closed_inspection(login, officer_a, booth_a, closed_inspection):
    c = login(officer_a, booth_a)
    before = written()
    r = c.post(f"/biometrics/face/inspections/{closed_inspection.pk}/capture/",
               {"kind": "live-upload", "image": _upload(read_fixture("img5.jpg"), "f.jpg")})
    assert r.status_code == 400 and 'data-field="inspection_id"' in r.content.decode()
    assert "This inspection is closed" in r.content.decode()
    assert written() == before


def test_the_fingerprint_page_of_a_closed_inspection_offers_no_capture(login, officer_a, booth_a, closed_inspection):
    c = login(officer_a, booth_a)
    page = c.get(f"{CAPTURE}?inspection={closed_inspection.pk}").content.decode()
    assert "data-capture-closed" in page and 'type="file"' not in page and 'name="action"' not in page
    before = written()
    r = c.post(CAPTURE, {"action": "enrol", "inspection": closed_inspection.pk, "finger_1": _upload(finger())})
    assert r.status_code == 400 and 'data-field="inspection"' in r.content.decode()
    assert written()[:5] == before[:5]  # nothing biometric stored (the page's audited read aside)


def test_the_fingerprint_page_is_opened_from_the_inspection(login, officer_a, booth_a, open_inspection):
    c = login(officer_a, booth_a)
    # The inspection's panel links to the capture page with the inspection, never a traveler id.
    from django.template.loader import render_to_string

    panel = render_to_string("biometrics/fingerprint/_panel.html",
                             {"inspection_id": open_inspection.pk, "fingerprint": None})
    assert f"?inspection={open_inspection.pk}" in panel and "person_id" not in panel
    page = c.get(f"{CAPTURE}?inspection={open_inspection.pk}").content.decode()
    assert str(open_inspection.person) in page
    assert f'<input type="hidden" name="inspection" value="{open_inspection.pk}">' in page
    assert 'name="person_id"' not in page and 'name="document"' not in page
    r = c.post(CAPTURE, {"action": "enrol", "inspection": open_inspection.pk, "finger_1": _upload(finger())})
    assert r.status_code == 200 and "1 finger enrolled" in r.content.decode()


def test_the_fingerprint_page_finds_the_traveler_by_document_number(login, officer_a, booth_a, open_inspection):
    c = login(officer_a, booth_a)
    page = c.get(CAPTURE).content.decode()
    assert 'name="document"' in page and 'name="person_id"' not in page and "Traveler id" not in page
    number = open_inspection.document.number
    page = c.get(f"{CAPTURE}?document={number[:2]} {number[2:]}").content.decode()  # spaces tolerated
    assert str(open_inspection.person) in page
    assert f'<input type="hidden" name="document" value="{number[:2]} {number[2:]}">' in page
    r = c.post(CAPTURE, {"action": "enrol", "document": number, "finger_1": _upload(finger())})
    assert r.status_code == 200 and "1 finger enrolled" in r.content.decode()
    r = c.post(CAPTURE, {"action": "enrol", "finger_1": _upload(finger())})
    assert r.status_code == 400 and 'data-field="document"' in r.content.decode()


def test_a_document_number_held_in_several_states_needs_the_state(login, officer_a, booth_a, make_traveler):
    from travelers.models import TravelDocument

    first = make_traveler(booth=booth_a)
    second = make_traveler(booth=booth_a)
    TravelDocument.objects.filter(pk=second.document_id).update(number=first.document.number, issuing_state="SYR")
    c = login(officer_a, booth_a)
    r = c.get(f"{CAPTURE}?document={first.document.number}")
    assert r.status_code == 400 and "give the issuing state" in r.content.decode()
    page = c.get(f"{CAPTURE}?document={first.document.number}&issuing_state=syr").content.decode()
    assert str(second.person) in page


def test_an_upload_without_a_file_names_the_file_field(login, officer_a, booth_a, open_inspection, api):
    c = login(officer_a, booth_a)
    r = c.post(CAPTURE, {"action": "enrol", "inspection": open_inspection.pk})
    html = r.content.decode()
    assert r.status_code == 400 and 'data-field="fingers"' in html and "No file was chosen" in html
    assert 'aria-invalid="true"' in html
    r = c.post(CAPTURE, {"action": "enrol", "inspection": open_inspection.pk, "finger_3": _upload(b"")})
    assert r.status_code == 400 and "The file is empty." in r.content.decode()
    r = c.post(f"/biometrics/face/inspections/{open_inspection.pk}/capture/", {"kind": "live-upload"})
    assert r.status_code == 400 and 'data-field="image"' in r.content.decode()
    # The API names the missing file field too.
    api.force_login(officer_a)
    r = api.post("/api/v1/biometrics/faces", {"person_id": open_inspection.person_id}, format="multipart")
    assert r.status_code == 400 and r.json()["error"]["fields"]["image"] == ["No file was submitted."]
    r = api.post("/api/v1/biometrics/faces", {"person_id": open_inspection.person_id, "image": _upload(b"", "f.jpg")},
                 format="multipart")
    assert r.status_code == 400 and r.json()["error"]["fields"]["image"] == ["The submitted file is empty."]
    r = api.post(FP_ENROL, {"person_id": open_inspection.person_id}, format="json")
    assert r.status_code == 400 and r.json()["error"]["fields"]["fingers"] == ["This field is required."]
