"""Every face and fingerprint endpoint and page that takes a traveler, inspection or watchlist
entry id resolves it for the caller: 404 (the same for "does not exist" and "not yours", and
nothing written), 400 naming the field for a malformed id, and an audited read of a traveler's
biometric data."""

from __future__ import annotations

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from biometrics.access import SubjectNotFound, person_entry_resolve, subject_resolve
from biometrics.models.face import FaceImage, FaceVerification
from biometrics.models.fingerprint import FingerprintCapture, FingerprintImpression, FingerprintSearch
from biometrics.services.fingerprint import FingerInput, fingerprint_enrol
from biometrics.tests.conftest import fingerprint_fixture
from biometrics.tests.face.conftest import read_fixture
from watchlists.models import PersonEntry, PersonEntryName, Watchlist

pytestmark = pytest.mark.django_db

MISSING = 987654
FACES = "/api/v1/biometrics/faces"
FACE_VERIFY = "/api/v1/biometrics/faces/verify"
FP_ENROL = "/api/v1/biometrics/fingerprints"
FP_VERIFY = "/api/v1/biometrics/fingerprints/verify"
FP_IDENTIFY = "/api/v1/biometrics/fingerprints/identify"
CAPTURE = "/biometrics/fingerprints/capture/"


def finger(name: str = "db1_101_1.tif") -> bytes:
    return fingerprint_fixture(name)


def finger_json(position: int = 1, name: str = "db1_101_1.tif") -> dict:
    return {"position": position, "image": base64.b64encode(finger(name)).decode()}


def face(name: str = "img5.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, read_fixture(name), content_type="image/jpeg")


def written() -> tuple[int, ...]:
    """Everything a biometric request could write, audit events included."""
    return (FaceImage.objects.count(), FaceVerification.objects.count(), FingerprintCapture.objects.count(),
            FingerprintImpression.objects.count(), FingerprintSearch.objects.count(), AuditEvent.objects.count())


def reads_of(person_id: int, user) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="person.view", object_id=str(person_id), actor_user=user))


@pytest.fixture
def mine(make_traveler, booth_a):
    """A traveler inspected at officer A's post."""
    return make_traveler(booth=booth_a)


@pytest.fixture
def theirs(make_traveler, booth_b):
    """A traveler inspected only at post B: officer A may not see them."""
    return make_traveler(booth=booth_b)


@pytest.fixture
def officer_api(api, officer_a):
    api.force_authenticate(officer_a)
    return api


def assert_404(r, field: str) -> None:
    assert r.status_code == 404, r.content[:500]
    error = r.json()["error"]
    assert error["code"] == "not_found" and error["message"].startswith(f"{field}:")


# ------------------------------------------------------------------------------------ the helper


def test_helper_refuses_missing_and_invisible_alike(officer_a, mine, theirs):
    for pid in (MISSING, theirs.person_id):
        with pytest.raises(SubjectNotFound) as err:
            subject_resolve(user=officer_a, person_id=pid)
        assert err.value.field == "person_id"
    missing = str(pytest.raises(SubjectNotFound, subject_resolve, user=officer_a, person_id=MISSING).value)
    invisible = str(pytest.raises(SubjectNotFound, subject_resolve, user=officer_a, person_id=theirs.person_id).value)
    assert missing == invisible  # existence does not leak
    with pytest.raises(SubjectNotFound) as err:
        subject_resolve(user=officer_a, inspection_id=theirs.pk)
    assert err.value.field == "inspection_id"
    subject = subject_resolve(user=officer_a, person_id=mine.person_id, inspection_id=mine.pk)
    assert (subject.person_id, subject.inspection_id, subject.post_id) == (mine.person_id, mine.pk, mine.post_id)
    assert not reads_of(mine.person_id, officer_a)  # resolving is not yet a read
    subject.record_read(actor=officer_a, purpose="test")
    assert len(reads_of(mine.person_id, officer_a)) == 1


def test_helper_names_malformed_fields_and_a_foreign_inspection(officer_a, mine, make_traveler, booth_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as err:
        subject_resolve(user=officer_a, person_id="abc", inspection_id="-3")
    assert set(err.value.message_dict) == {"person_id", "inspection_id"}
    with pytest.raises(ValidationError) as err:
        subject_resolve(user=officer_a, person_required=True)
    assert "person_id" in err.value.message_dict
    other = make_traveler(booth=booth_a)
    with pytest.raises(ValidationError) as err:
        subject_resolve(user=officer_a, person_id=mine.person_id, inspection_id=other.pk)
    assert "inspection_id" in err.value.message_dict


def test_helper_fails_closed_without_the_travelers_lookups(officer_a, mine):
    from biometrics import access

    saved = access._person_lookup, access._inspection_lookup
    access.register_person_lookup(None)
    access.register_inspection_lookup(None)
    try:
        with pytest.raises(SubjectNotFound):
            subject_resolve(user=officer_a, person_id=mine.person_id)
        with pytest.raises(SubjectNotFound):
            subject_resolve(user=officer_a, inspection_id=mine.pk)
    finally:
        access.register_person_lookup(saved[0])
        access.register_inspection_lookup(saved[1])


def test_supervisors_and_admins_see_by_remit(supervisor_a, supervisor, admin_user, theirs):
    with pytest.raises(SubjectNotFound):
        subject_resolve(user=supervisor_a, person_id=theirs.person_id)
    for user in (supervisor, admin_user):
        assert subject_resolve(user=user, person_id=theirs.person_id).person_id == theirs.person_id


# ------------------------------------------------------------------------------------ face API


def test_face_enrol(officer_api, officer_a, mine, theirs):
    before = written()
    for pid in (MISSING, theirs.person_id):
        assert_404(officer_api.post(FACES, {"image": face(), "person_id": pid}, format="multipart"), "person_id")
    assert_404(officer_api.post(FACES, {"image": face(), "person_id": mine.person_id, "inspection_id": theirs.pk},
                                format="multipart"), "inspection_id")
    assert written() == before
    r = officer_api.post(FACES, {"image": face(), "person_id": mine.person_id, "inspection_id": mine.pk},
                         format="multipart")
    assert r.status_code == 201, r.json()
    image = FaceImage.objects.get(pk=r.json()["image_id"])
    assert image.person_id == mine.person_id
    assert AuditEvent.objects.filter(action="face_image.create", object_id=str(image.pk), actor_user=officer_a).exists()


def test_face_enrol_by_a_device_client(api, make_partner, mine):
    """The reported case: a partner (device) client enrolled a face for a person that does not exist."""
    _client, raw = make_partner(["biometrics:write", "devices:write"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    before = written()
    assert_404(api.post(FACES, {"image": face(), "person_id": MISSING}, format="multipart"), "person_id")
    assert written() == before
    # Without persons:read an existing traveler is answered like a missing one (no existence oracle).
    assert_404(api.post(FACES, {"image": face(), "person_id": mine.person_id}, format="multipart"), "person_id")
    _client, raw = make_partner(["biometrics:write", "devices:write", "persons:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = api.post(FACES, {"image": face(), "person_id": mine.person_id}, format="multipart")
    assert r.status_code == 201, r.json()  # partner clients see every traveler (accounts.permissions.post_ids)


def test_face_verify(officer_api, officer_a, mine, theirs, settings):
    # The queued comparison cannot run in this test's transaction: do not wait for it.
    settings.BMIS_FACE_API_WAIT_SECONDS = 0
    before = written()
    for pid in (MISSING, theirs.person_id):
        r = officer_api.post(FACE_VERIFY, {"probe": face("img10.jpg"), "reference": face(), "person_id": pid},
                             format="multipart")
        assert_404(r, "person_id")
    r = officer_api.post(FACE_VERIFY, {"probe": face("img10.jpg"), "reference": face(), "inspection_id": theirs.pk},
                         format="multipart")
    assert_404(r, "inspection_id")
    r = officer_api.post(FACE_VERIFY, {"probe": face("img10.jpg"), "reference": face(), "person_id": "x"},
                         format="multipart")
    assert r.status_code == 400 and "person_id" in r.json()["error"]["fields"]
    assert written() == before
    r = officer_api.post(FACE_VERIFY, {"probe": face("img10.jpg"), "reference": face(), "person_id": mine.person_id,
                                       "inspection_id": mine.pk}, format="multipart")
    # Accepted, not done: the comparison is queued on commit, and this test's transaction never commits.
    assert r.status_code == 202, r.json()
    assert AuditEvent.objects.filter(action__startswith="face_verification.", actor_user=officer_a).exists()


@pytest.mark.django_db(transaction=True)
def test_face_verify_against_a_travelers_template_is_an_audited_read(api, make_partner, make_traveler, booth_a,
                                                                     booth_b, officer_a, officer_b):
    mine, theirs = make_traveler(booth=booth_a), make_traveler(booth=booth_b)
    _client, raw = make_partner(["biometrics:write", "persons:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    templates = {}
    for inspection in (mine, theirs):
        r = api.post(FACES, {"image": face(), "person_id": inspection.person_id, "post": "PA"}, format="multipart")
        assert r.status_code == 201 and r.json()["template_id"], r.json()
        templates[inspection.person_id] = r.json()["template_id"]
    api.credentials()
    api.force_authenticate(officer_a)
    # A template of a traveler officer A may not see is refused (the template's own rule: 400).
    # Stored at post A, the template itself is visible to officer A; its traveler is not.
    r = api.post(FACE_VERIFY, {"probe": face("img10.jpg"), "reference_template_id": templates[theirs.person_id]},
                 format="multipart")
    assert r.status_code == 400 and "reference_template_id" in r.json()["error"]["fields"]
    assert not reads_of(theirs.person_id, officer_a)
    r = api.post(FACE_VERIFY, {"probe": face("img10.jpg"), "reference_template_id": templates[mine.person_id]},
                 format="multipart")
    assert r.status_code == 200 and r.json()["verdict"] == "match", r.json()
    assert len(reads_of(mine.person_id, officer_a)) == 1


# ------------------------------------------------------------------------------------ fingerprint API


def test_fingerprint_enrol(officer_api, officer_a, mine, theirs):
    before = written()
    for pid in (MISSING, theirs.person_id):
        assert_404(officer_api.post(FP_ENROL, {"person_id": pid, "fingers": [finger_json()]}, format="json"),
                   "person_id")
    r = officer_api.post(FP_ENROL, {"person_id": mine.person_id, "inspection_id": theirs.pk,
                                    "fingers": [finger_json()]}, format="json")
    assert_404(r, "inspection_id")
    assert written() == before
    r = officer_api.post(FP_ENROL, {"person_id": mine.person_id, "inspection_id": mine.pk,
                                    "fingers": [finger_json()]}, format="json")
    assert r.status_code == 201, r.json()
    assert AuditEvent.objects.filter(action="fingerprint_capture.enrol", object_id=str(r.json()["capture_id"]),
                                     actor_user=officer_a).exists()


def test_fingerprint_enrol_for_a_watchlist_entry_goes_through_the_list(api, supervisor, police_agency,
                                                                       border_agency):
    own = Watchlist.objects.create(code="OWN", name="Own list", owner_agency=border_agency)
    foreign = Watchlist.objects.create(code="FOREIGN", name="Police list", owner_agency=police_agency,
                                       visibility="agencies")
    entries = {}
    for wl in (own, foreign):
        entries[wl.code] = PersonEntry.objects.create(watchlist=wl)
        PersonEntryName.objects.create(entry=entries[wl.code], full_name="Someone Wanted", is_primary=True)
    api.force_authenticate(supervisor)
    before = written()
    for eid in (MISSING, entries["FOREIGN"].pk):
        assert_404(api.post(FP_ENROL, {"person_entry_id": eid, "fingers": [finger_json()]}, format="json"),
                   "person_entry_id")
    assert written() == before
    r = api.post(FP_ENROL, {"person_entry_id": entries["OWN"].pk, "fingers": [finger_json()]}, format="json")
    assert r.status_code == 201, r.json()
    with pytest.raises(SubjectNotFound):
        person_entry_resolve(user=supervisor, entry_id=entries["FOREIGN"].pk, action="change")


def test_fingerprint_verify(officer_api, officer_a, mine, theirs, django_capture_on_commit_callbacks):
    for inspection in (mine, theirs):
        fingerprint_enrol(actor=officer_a, person_id=inspection.person_id, fingers=[FingerInput(1, finger())])
    before = written()
    for pid in (MISSING, theirs.person_id):
        r = officer_api.post(FP_VERIFY, {"person_id": pid, "fingers": [finger_json(1, "db1_101_2.tif")]},
                             format="json")
        assert_404(r, "person_id")
    r = officer_api.post(FP_VERIFY, {"person_id": mine.person_id, "inspection_id": theirs.pk,
                                     "fingers": [finger_json(1, "db1_101_2.tif")]}, format="json")
    assert_404(r, "inspection_id")
    assert written() == before
    assert not reads_of(theirs.person_id, officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        r = officer_api.post(FP_VERIFY, {"person_id": mine.person_id, "inspection_id": mine.pk,
                                         "fingers": [finger_json(1, "db1_101_2.tif")]}, format="json")
    # Accepted: the search is answered before its on-commit task runs (when this block exits).
    assert r.status_code == 202, r.json()
    assert FingerprintSearch.objects.get(pk=r.json()["id"]).person_id == mine.person_id
    read = reads_of(mine.person_id, officer_a)
    assert len(read) == 1 and read[0].metadata["purpose"] == "fingerprint verification (API)"


def test_fingerprint_identify(officer_api, officer_a, mine, theirs, django_capture_on_commit_callbacks):
    before = written()
    assert_404(officer_api.post(FP_IDENTIFY, {"person_id": MISSING, "fingers": [finger_json()]}, format="json"),
               "person_id")
    assert_404(officer_api.post(FP_IDENTIFY, {"person_id": theirs.person_id, "fingers": [finger_json()]},
                                format="json"), "person_id")
    for iid in (MISSING, theirs.pk):
        assert_404(officer_api.post(FP_IDENTIFY, {"inspection_id": iid, "fingers": [finger_json()]}, format="json"),
                   "inspection_id")
    assert written() == before
    with django_capture_on_commit_callbacks(execute=True):
        r = officer_api.post(FP_IDENTIFY, {"person_id": mine.person_id, "inspection_id": mine.pk,
                                           "fingers": [finger_json()]}, format="json")
    # Accepted: the search is answered before its on-commit task runs (when this block exits).
    assert r.status_code == 202, r.json()
    assert AuditEvent.objects.filter(action="fingerprint_search.identify", object_id=str(r.json()["id"]),
                                     actor_user=officer_a).exists()


# ------------------------------------------------------------------------------------ pages


def test_capture_screen_shows_only_visible_travelers_and_audits_the_read(login, officer_a, booth_a, mine, theirs):
    fingerprint_enrol(actor=officer_a, person_id=theirs.person_id, fingers=[FingerInput(1, finger())])
    c = login(officer_a, booth_a)
    before = AuditEvent.objects.count()
    for iid in (MISSING, theirs.pk):
        assert c.get(f"{CAPTURE}?inspection={iid}").status_code == 404
    # Another post's traveler's document number is answered as an unknown one (nothing leaks).
    for number in ("X0000000", theirs.document.number):
        r = c.get(f"{CAPTURE}?document={number}")
        html = r.content.decode()
        assert r.status_code == 400 and 'aria-invalid="true"' in html  # under the document number field
        assert "No traveler you may see holds a document of this number." in html
    assert AuditEvent.objects.count() == before
    r = c.get(f"{CAPTURE}?inspection=abc")
    assert r.status_code == 400 and 'data-field="inspection"' in r.content.decode()
    # A numeric traveler id is not something the page takes.
    r = c.get(f"{CAPTURE}?person_id={mine.person_id}")
    assert r.status_code == 200 and 'name="person_id"' not in r.content.decode()
    assert not reads_of(mine.person_id, officer_a)
    r = c.get(f"{CAPTURE}?document={mine.document.number.lower()}")
    assert r.status_code == 200 and str(mine.person) in r.content.decode()
    read = reads_of(mine.person_id, officer_a)
    assert len(read) == 1 and read[0].metadata["purpose"] == "fingerprint capture screen"
    assert c.get(CAPTURE).status_code == 200  # no traveler: nothing read
    assert len(reads_of(mine.person_id, officer_a)) == 1


@pytest.mark.parametrize("action", ["enrol", "verify", "identify"])
def test_capture_screen_posts_for_invisible_travelers_write_nothing(login, officer_a, booth_a, mine, theirs, action):
    fingerprint_enrol(actor=officer_a, person_id=theirs.person_id, fingers=[FingerInput(1, finger())])
    c = login(officer_a, booth_a)
    before = written()
    cases = [({"inspection": MISSING}, 404), ({"inspection": theirs.pk}, 404), ({"inspection_id": theirs.pk}, 404),
             ({"document": theirs.document.number}, 400)]
    if action != "identify":  # a traveler id is not taken: enrol and verify still lack their traveler
        cases.append(({"person_id": theirs.person_id}, 400))
    for data, status in cases:
        upload = SimpleUploadedFile("a.tif", finger("db1_101_2.tif"), content_type="application/octet-stream")
        r = c.post(CAPTURE, {"action": action, **data, "finger_1": upload})
        assert r.status_code == status, (data, r.status_code)
    assert written() == before


def test_capture_screen_verify_is_an_audited_read(login, officer_a, booth_a, mine,
                                                  django_capture_on_commit_callbacks):
    fingerprint_enrol(actor=officer_a, person_id=mine.person_id, fingers=[FingerInput(1, finger())])
    c = login(officer_a, booth_a)
    upload = SimpleUploadedFile("a.tif", finger("db1_101_2.tif"), content_type="application/octet-stream")
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(CAPTURE, {"action": "verify", "inspection": mine.pk, "finger_1": upload})
    assert r.status_code == 302
    read = reads_of(mine.person_id, officer_a)
    assert [e.metadata["purpose"] for e in read] == ["fingerprint verification"]


def test_face_inspection_page(login, officer_a, booth_a, mine, theirs):
    c = login(officer_a, booth_a)
    before = written()
    for iid in (MISSING, theirs.pk):
        assert c.get(f"/biometrics/face/inspections/{iid}/").status_code == 404
        assert c.get(f"/biometrics/face/inspections/{iid}/panel/").status_code == 404
        r = c.post(f"/biometrics/face/inspections/{iid}/capture/", {"kind": "live-upload", "image": face()})
        assert r.status_code == 404
    assert written() == before
    assert c.get(f"/biometrics/face/inspections/{mine.pk}/").status_code == 200
    read = reads_of(mine.person_id, officer_a)
    assert len(read) == 1 and read[0].metadata["purpose"] == "face panel"
    r = c.post(f"/biometrics/face/inspections/{mine.pk}/capture/", {"kind": "live-upload", "image": face()})
    assert r.status_code == 200
    image = FaceImage.objects.get(inspection_id=mine.pk)
    assert image.person_id == mine.person_id
    assert AuditEvent.objects.filter(action="face_image.create", object_id=str(image.pk)).exists()
