"""1:N candidates and the hits they raise follow the caller's visibility (biometrics.visibility).

One scene for face and fingerprints: a traveler seen only at post B, with a face and a finger
enrolled there, and an entry of another agency's restricted list with the same face and another
finger. An officer of post A, partner tokens with and without ``persons:read`` /
``watchlists:read``, and the agency that owns the list search with real images; each sees (and
raises hits on) only what it may see. Real commits: the eager tasks run as the requests commit.
"""

from __future__ import annotations

import base64

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.permissions import Role
from accounts.tests.factories import AgencyFactory, UserFactory
from biometrics.models.face import FaceIdentification
from biometrics.services import face as face_services
from biometrics.services.fingerprint import FingerInput, fingerprint_enrol
from biometrics.tests.face.conftest import read_fixture as face_fixture
from biometrics.tests.fingerprint.helpers import raw as finger_fixture
from watchlists.models import Hit, PersonEntry, PersonEntryName, Watchlist

pytestmark = pytest.mark.django_db(transaction=True)

FP_IDENTIFY = "/api/v1/biometrics/fingerprints/identify"
FP_VERIFY = "/api/v1/biometrics/fingerprints/verify"
FP_ENROL = "/api/v1/biometrics/fingerprints"
FACE_IDENTIFY = "/api/v1/biometrics/faces/identify"
FACE_VERIFY = "/api/v1/biometrics/faces/verify"


def _finger(position: int, name: str) -> dict:
    return {"position": position, "image": base64.b64encode(finger_fixture(name)).decode()}


def _probe_fingers() -> list[dict]:
    return [_finger(1, "db1_101_2.tif"), _finger(2, "db1_102_2.tif")]


def _jpeg(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("face.jpg", face_fixture(name), content_type="image/jpeg")


@pytest.fixture
def intel_agency(db):
    return AgencyFactory(code="INTEL", name="Intelligence", kind="intelligence")


@pytest.fixture
def scene(make_traveler, booth_a, booth_b, officer_b, intel_agency):
    """traveler B (seen only at post B) and a restricted list entry of the intelligence agency, each
    with a finger and a face; an open inspection at each post to screen with."""
    traveler_b = make_traveler(booth=booth_b, officer=officer_b)
    secret = Watchlist.objects.create(code="SECRET", name="Intelligence only", owner_agency=intel_agency,
                                      visibility="agencies", action="arrest")
    Watchlist.objects.create(code="OPEN", name="A list everyone sees", owner_agency=intel_agency)
    entry = PersonEntry.objects.create(watchlist=secret, gender="M")
    PersonEntryName.objects.create(entry=entry, full_name="Hidden Person", is_primary=True)
    fingerprint_enrol(actor=officer_b, person_id=traveler_b.person_id, post=booth_b.post,
                      fingers=[FingerInput(1, finger_fixture("db1_101_1.tif"))])
    analyst = UserFactory(role=Role.SUPERVISOR, agency=intel_agency, is_national=True)
    fingerprint_enrol(actor=analyst, person_entry=entry, fingers=[FingerInput(2, finger_fixture("db1_102_1.tif"))])
    return {
        "traveler_b": traveler_b.person_id, "entry": entry, "secret": secret,
        "at_a": make_traveler(booth=booth_a), "at_b": make_traveler(booth=booth_b, officer=officer_b),
    }


@pytest.fixture
def face_scene(scene, booth_b, officer_b):
    face_services.face_capture(actor=officer_b, data=face_fixture("img5.jpg"), purpose="enrolment",
                               source="device", person_id=scene["traveler_b"], post=booth_b.post)
    scene["entry"].photo.save("p.jpg", ContentFile(face_fixture("img5.jpg")))
    face_services.face_sync_watchlist_photos()
    return scene


def _token(api, make_partner, scopes, agency=None):
    _client, raw = make_partner(scopes, agency=agency)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def _fp_subjects(body) -> tuple[set, set]:
    cands = body["result"]["candidates"]
    return ({c["person_id"] for c in cands if c["person_id"]}, {c["person_entry_id"] for c in cands if c["person_entry_id"]})


def _no_hits_on(scene) -> bool:
    return not Hit.objects.filter(watchlist=scene["secret"]).exists() and not Hit.objects.filter(
        matched_person_id=scene["traveler_b"]).exists()


# ------------------------------------------------------------------------------- fingerprints


def test_fingerprint_identify_by_an_officer_names_only_travelers_of_their_posts_and_lists_they_see(
        api, scene, officer_a, officer_b):
    api.force_login(officer_a)  # an officer's session, as the booth screen uses it
    r = api.post(FP_IDENTIFY, {"inspection_id": scene["at_a"].pk, "fingers": _probe_fingers()}, format="json")
    assert r.status_code == 200, r.json()
    persons, entries = _fp_subjects(r.json())
    assert scene["traveler_b"] not in persons and scene["entry"].pk not in entries
    assert _no_hits_on(scene)
    assert r.json()["decision"] == "no_hit"
    # The officer of post B sees (and is warned about) the traveler seen at their post.
    api.force_login(officer_b)
    r = api.post(FP_IDENTIFY, {"inspection_id": scene["at_b"].pk, "fingers": _probe_fingers()}, format="json")
    persons, entries = _fp_subjects(r.json())
    assert scene["traveler_b"] in persons and scene["entry"].pk not in entries
    assert Hit.objects.filter(matched_person_id=scene["traveler_b"], source="fingerprint").exists()
    assert not Hit.objects.filter(watchlist=scene["secret"]).exists()


@pytest.mark.parametrize("extra,sees_traveler", [
    ([], False),
    (["persons:read"], True),
    (["watchlists:read"], False),
    (["persons:read", "watchlists:read"], True),
])
def test_fingerprint_identify_by_a_partner_follows_its_scopes(api, make_partner, scene, extra, sees_traveler):
    _token(api, make_partner, ["biometrics:write", "biometrics:read", *extra])  # the police
    r = api.post(FP_IDENTIFY, {"fingers": _probe_fingers()}, format="json")
    assert r.status_code == 200, r.json()
    persons, entries = _fp_subjects(r.json())
    assert (scene["traveler_b"] in persons) is sees_traveler
    assert scene["entry"].pk not in entries  # another agency's restricted list
    assert not Hit.objects.filter(watchlist=scene["secret"]).exists()
    if not sees_traveler:
        assert not Hit.objects.filter(matched_person_id=scene["traveler_b"]).exists()
    got = api.get(f"/api/v1/biometrics/fingerprints/searches/{r.json()['id']}").json()
    assert _fp_subjects(got) == (persons, entries)


def test_fingerprint_identify_by_the_owning_agency_finds_its_restricted_entry(api, make_partner, scene, intel_agency):
    _token(api, make_partner, ["biometrics:write", "watchlists:read"], agency=intel_agency)
    r = api.post(FP_IDENTIFY, {"fingers": _probe_fingers()}, format="json")
    _persons, entries = _fp_subjects(r.json())
    assert entries == {scene["entry"].pk}
    assert Hit.objects.filter(watchlist=scene["secret"], source="fingerprint").count() == 1


def test_fingerprint_verify_refuses_unseen_travelers_alike(api, make_partner, scene, officer_a):
    missing = scene["traveler_b"] + 10_000
    at_a_without_prints = scene["at_a"].person_id
    _token(api, make_partner, ["biometrics:write", "biometrics:read"])  # no persons:read
    answers = [api.post(FP_VERIFY, {"person_id": pid, "fingers": [_finger(1, "db1_101_2.tif")]}, format="json")
               for pid in (at_a_without_prints, scene["traveler_b"], missing)]
    assert [a.status_code for a in answers] == [404, 404, 404]
    assert len({a.json()["error"]["message"] for a in answers}) == 1
    # And enrolment tells no more than verification.
    r = api.post(FP_ENROL, {"person_id": at_a_without_prints, "fingers": [_finger(1, "db1_101_1.tif")]}, format="json")
    assert r.status_code == 404
    api.credentials()
    api.force_login(officer_a)
    r = api.post(FP_VERIFY, {"person_id": scene["traveler_b"], "fingers": [_finger(1, "db1_101_2.tif")]}, format="json")
    assert r.status_code == 404
    r = api.post(FP_VERIFY, {"person_id": at_a_without_prints, "fingers": [_finger(1, "db1_101_2.tif")]}, format="json")
    assert r.status_code == 400 and "person_id" in r.json()["error"]["fields"]  # one officer A may see


def test_a_partner_reads_only_its_own_fingerprint_captures(api, make_partner, scene, officer_a):
    scopes = ["biometrics:write", "biometrics:read", "persons:read"]
    _token(api, make_partner, scopes)
    r = api.post(FP_ENROL, {"person_id": scene["at_a"].person_id, "fingers": [_finger(3, "db1_101_1.tif")]},
                 format="json")
    assert r.status_code == 201, r.json()
    capture_id = r.json()["capture_id"]
    assert api.get(f"/api/v1/biometrics/fingerprints/captures/{capture_id}").status_code == 200
    _token(api, make_partner, scopes)  # another client
    assert api.get(f"/api/v1/biometrics/fingerprints/captures/{capture_id}").status_code == 404
    officer_capture = scene["entry"].fingerprint_captures.get().pk
    assert api.get(f"/api/v1/biometrics/fingerprints/captures/{officer_capture}").status_code == 404


# ---------------------------------------------------------------------------------------- face


def test_face_identify_by_an_officer_leaves_out_other_posts_travelers_and_hidden_lists(
        api, face_scene, officer_a, officer_b):
    api.force_login(officer_a)
    r = api.post(FACE_IDENTIFY, {"image": _jpeg("img10.jpg")}, format="multipart")
    assert r.status_code == 200, r.json()
    cands = r.json()["candidates"]
    assert face_scene["traveler_b"] not in {c["person_id"] for c in cands}
    assert "SECRET" not in {c["watchlist_code"] for c in cands}
    stored = FaceIdentification.objects.get(pk=r.json()["identification_id"]).candidates
    assert face_scene["traveler_b"] not in {c["person_id"] for c in stored}
    api.force_login(officer_b)
    r = api.post(FACE_IDENTIFY, {"image": _jpeg("img10.jpg")}, format="multipart")
    assert face_scene["traveler_b"] in {c["person_id"] for c in r.json()["candidates"]}


@pytest.mark.parametrize("extra,sees_traveler", [(["persons:read"], True), (["watchlists:read"], False),
                                                 (["persons:read", "watchlists:read"], True)])
def test_face_identify_by_a_partner_follows_its_scopes(api, make_partner, face_scene, extra, sees_traveler):
    _token(api, make_partner, ["biometrics:write", "biometrics:read", *extra])
    r = api.post(FACE_IDENTIFY, {"image": _jpeg("img10.jpg")}, format="multipart")
    assert r.status_code == 200, r.json()
    cands = r.json()["candidates"]
    assert (face_scene["traveler_b"] in {c["person_id"] for c in cands}) is sees_traveler
    assert "SECRET" not in {c["watchlist_code"] for c in cands}
    got = api.get(f"/api/v1/biometrics/faces/identifications/{r.json()['identification_id']}").json()
    assert got["candidates"] == cands


def test_face_identify_with_neither_scope_searches_nothing(api, make_partner, face_scene):
    _token(api, make_partner, ["biometrics:write", "biometrics:read"])
    r = api.post(FACE_IDENTIFY, {"image": _jpeg("img10.jpg")}, format="multipart")
    assert r.status_code == 400 and "watchlists" in r.json()["error"]["fields"]


def test_face_capture_at_a_booth_raises_hits_only_on_what_the_officer_may_see(face_scene, officer_a, officer_b,
                                                                             booth_a, booth_b):
    face_services.face_capture(actor=officer_a, data=face_fixture("img10.jpg"), purpose="live", source="device",
                               inspection_id=face_scene["at_a"].pk, person_id=face_scene["at_a"].person_id,
                               post=booth_a.post)
    ident = FaceIdentification.objects.get(inspection_id=face_scene["at_a"].pk)
    assert ident.status == "done"
    assert face_scene["traveler_b"] not in {c["person_id"] for c in ident.candidates}
    assert _no_hits_on(face_scene)
    face_services.face_capture(actor=officer_b, data=face_fixture("img10.jpg"), purpose="live", source="device",
                               inspection_id=face_scene["at_b"].pk, person_id=face_scene["at_b"].person_id,
                               post=booth_b.post)
    assert Hit.objects.filter(matched_person_id=face_scene["traveler_b"], source="face").exists()
    assert not Hit.objects.filter(watchlist=face_scene["secret"]).exists()


def test_face_verify_refuses_unseen_travelers_alike(api, make_partner, face_scene, officer_a):
    def verify(pid):
        return api.post(FACE_VERIFY, {"probe": _jpeg("img10.jpg"), "reference": _jpeg("img5.jpg"), "person_id": pid},
                        format="multipart")

    _token(api, make_partner, ["biometrics:write", "biometrics:read"])
    answers = [verify(pid) for pid in (face_scene["at_a"].person_id, face_scene["traveler_b"] + 10_000)]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].json()["error"]["message"] == answers[1].json()["error"]["message"]
    api.credentials()
    api.force_login(officer_a)
    assert verify(face_scene["traveler_b"]).status_code == 404
    assert verify(face_scene["at_a"].person_id).status_code == 200
