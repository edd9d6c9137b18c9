"""The biometric contract (biometrics.abis) over the real face and fingerprint engines, with the
shared photographs and FVC2002 impressions, on the real database."""

from __future__ import annotations

import io

import pytest
from django.test import override_settings
from PIL import Image

from audit.models import AuditEvent
from biometrics.abis import (
    Abis,
    BiometricData,
    DeleteRequest,
    FailureReason,
    Finger,
    Gallery,
    IdentifyRequest,
    InsertRequest,
    ReasonCode,
    ReturnValue,
    abis,
    parse_reference_id,
)
from biometrics.abis.local import LocalAbis
from biometrics.models import AbisReference, FaceImage, FaceTemplate, FingerprintImpression
from biometrics.services.face_index import reset_registries
from biometrics.services.fingerprint import fingerprint_gallery_reset
from biometrics.tests.face.conftest import read_fixture
from biometrics.tests.fingerprint.helpers import blank_png, face_png, raw

pytestmark = [pytest.mark.django_db, pytest.mark.shared_data]


@pytest.fixture(autouse=True)
def _fresh_galleries():
    reset_registries()
    fingerprint_gallery_reset()
    yield
    reset_registries()
    fingerprint_gallery_reset()


def face(name: str) -> BiometricData:
    # "device": an enrolment device's live capture, held to the live quality policy.
    return BiometricData(face=read_fixture(name), face_source="device")


def fingers(*items: tuple[int, str]) -> BiometricData:
    return BiometricData(fingers=tuple(Finger(position, raw(name)) for position, name in items))


def insert(reference_id: str, data: BiometricData):
    response = abis().insert(InsertRequest(reference_id, data))
    assert response.ok, (response.failure_reason, response.message, response.reasons)
    return response


def no_face_jpeg() -> bytes:
    img = Image.linear_gradient("L").resize((640, 480)).convert("RGB")
    buf = io.BytesIO()
    img.save(buf, format="JPEG")
    return buf.getvalue()


def test_abis_reads_the_setting_and_local_is_an_abis():
    assert isinstance(abis(), LocalAbis)
    assert isinstance(abis(), Abis)
    status = abis().ping()
    assert status.ok and status.backend == "local"
    assert status.details["references"] == 0


@override_settings(BMIS_ABIS_BACKEND="biometrics.tests.test_abis.OtherAbis")
def test_an_external_backend_is_chosen_by_its_class_path():
    assert isinstance(abis(), OtherAbis)


class OtherAbis(LocalAbis):
    name = "other"


@pytest.mark.parametrize("value, parsed", [
    ("person:12", ("person", "12")), ("registration:45", ("registration", "45")),
    ("watchlist-entry:9", ("watchlist-entry", "9")), ("person:abc", None), ("person:0", None),
    ("12", None), ("Registration:1", None), ("", None), (None, None),
])
def test_reference_ids_are_kind_and_key(value, parsed):
    assert parse_reference_id(value) == parsed


def test_face_identify_finds_the_same_person_first_with_its_score_and_not_after_delete():
    # img5 / img10 / img2: one person (faces/deepface master.csv); img12 another.
    insert("registration:1", face("img5.jpg"))
    insert("person:7", face("img10.jpg"))
    insert("registration:2", face("img12.jpg"))
    assert FaceTemplate.objects.filter(image__reference_id="registration:1", gallery="references").count() == 1
    assert FaceTemplate.objects.filter(person_id=7, gallery="persons").count() == 1

    by_reference = abis().identify(IdentifyRequest(reference_id="registration:1"))
    assert by_reference.ok and by_reference.return_value == ReturnValue.SUCCESS
    refs = [c.reference_id for c in by_reference.candidates]
    assert refs[0] == "person:7"
    assert "registration:1" not in refs  # never its own candidate
    assert "registration:2" not in refs  # another person: below the threshold
    best = by_reference.candidates[0].scores["face"]
    assert best.matched and best.score > best.threshold
    assert 0 < best.details["distance"] <= best.details["distance_threshold"]

    probe = abis().identify(IdentifyRequest(probe=face("img2.jpg")))
    assert [c.reference_id for c in probe.candidates][:2] in (["registration:1", "person:7"],
                                                               ["person:7", "registration:1"])

    # Below the thresholds too (for score fusion): the other person is then a candidate, last.
    everything = abis().identify(IdentifyRequest(probe=face("img2.jpg"), include_below_threshold=True))
    assert everything.candidates[-1].reference_id == "registration:2"
    assert not everything.candidates[-1].scores["face"].matched

    # Gallery filters: only registrations.
    registrations = abis().identify(IdentifyRequest(probe=face("img2.jpg"),
                                                    gallery=Gallery(kinds=frozenset({"registration"}))))
    assert [c.reference_id for c in registrations.candidates] == ["registration:1"]

    deleted = abis().delete(DeleteRequest("person:7", reason="merged into registration:1"))
    assert deleted.ok
    assert not FaceTemplate.objects.filter(person_id=7).exists()
    after = abis().identify(IdentifyRequest(reference_id="registration:1"))
    assert after.ok and "person:7" not in [c.reference_id for c in after.candidates]
    assert AuditEvent.objects.filter(action="abis_reference.delete", object_id=str(
        AbisReference.objects.get(reference_id="person:7").pk)).exists()
    assert AuditEvent.objects.filter(action="face_template.delete").exists()

    # A deleted reference is no longer there to identify or delete.
    gone = abis().identify(IdentifyRequest(reference_id="person:7"))
    assert gone.failure_reason == FailureReason.REFERENCE_NOT_FOUND and gone.return_value == ReturnValue.FAILED
    assert abis().delete(DeleteRequest("person:7")).failure_reason == FailureReason.REFERENCE_NOT_FOUND


def test_insert_is_idempotent_and_refuses_other_data_for_an_enrolled_reference():
    first = insert("registration:3", face("img5.jpg"))
    assert not first.already_enrolled
    again = insert("registration:3", face("img5.jpg"))
    assert again.already_enrolled
    assert FaceImage.objects.filter(reference_id="registration:3").count() == 1
    assert AuditEvent.objects.filter(action="abis_reference.insert").count() == 1

    other = abis().insert(InsertRequest("registration:3", face("img12.jpg")))
    assert other.failure_reason == FailureReason.REFERENCE_EXISTS
    assert FaceImage.objects.filter(reference_id="registration:3").count() == 1

    # After a delete the reference may be enrolled again, with other data.
    assert abis().delete(DeleteRequest("registration:3")).ok
    assert not FaceImage.objects.filter(reference_id="registration:3").exists()
    insert("registration:3", face("img12.jpg"))
    assert AbisReference.objects.get(reference_id="registration:3").is_active


@pytest.mark.parametrize("data, code, words", [
    (lambda: BiometricData(face=no_face_jpeg()), ReasonCode.NO_FACE, "No face found"),
    (lambda: BiometricData(face=read_fixture("couple-1140.jpg")), ReasonCode.SEVERAL_FACES, "faces in view"),
    (lambda: BiometricData(face=raw("db1_101_1.tif")), ReasonCode.UNSUPPORTED_FORMAT, "TIFF is not accepted"),
    (lambda: BiometricData(face=b"not an image"), ReasonCode.UNREADABLE_IMAGE, "not an image"),
])
def test_an_unusable_face_gives_its_reason_code_and_coaching_message(data, code, words):
    response = abis().insert(InsertRequest("registration:20", data()))
    assert response.return_value == ReturnValue.FAILED
    assert response.failure_reason == FailureReason.UNUSABLE_BIOMETRICS
    assert [r.code for r in response.reasons] == [code]
    assert response.reasons[0].modality == "face"
    assert words in response.reasons[0].message
    # Nothing was written.
    assert not AbisReference.objects.exists() and not FaceImage.objects.exists()
    # The same reasons when the image is a probe.
    probe = abis().identify(IdentifyRequest(probe=data()))
    assert [r.code for r in probe.reasons] == [code]


def test_a_live_capture_of_poor_quality_gives_each_quality_reason():
    # img10 at a fifth of its size: too few pixels between the eyes, and not sharp, for a live capture.
    small = Image.open(io.BytesIO(read_fixture("img10.jpg")))
    small.thumbnail((small.width // 5, small.height // 5))
    buf = io.BytesIO()
    small.convert("RGB").save(buf, format="JPEG")
    live = BiometricData(face=buf.getvalue(), face_source="device")
    response = abis().insert(InsertRequest("registration:21", live))
    assert [r.code for r in response.reasons] == [ReasonCode.FACE_TOO_SMALL, ReasonCode.BLURRED]
    small_reason, blurred = response.reasons
    assert "step closer to the camera" in small_reason.message and small_reason.engine_code == "face_too_small"
    assert blurred.message == "Image not sharp: hold still, wipe the lens and check the focus."
    assert blurred.engine_code == "too_blurry"
    # A photograph nobody can retake is held to the photo policy: only the size below 30 px refuses.
    photo = abis().insert(InsertRequest("registration:21", BiometricData(face=buf.getvalue(), face_source="upload")))
    assert [r.code for r in photo.reasons] == [ReasonCode.FACE_TOO_SMALL]


def test_reasons_are_in_the_readers_language():
    from django.utils import translation

    with translation.override("ar"):
        response = abis().insert(InsertRequest("registration:22", BiometricData(face=no_face_jpeg())))
    assert response.reasons[0].code == ReasonCode.NO_FACE
    assert response.reasons[0].message != "No face found: look straight at the camera, face uncovered."
    assert any("\u0600" <= ch <= "\u06ff" for ch in response.reasons[0].message)


def test_fingerprint_identify_finds_the_same_finger_first_and_not_after_delete():
    # FVC2002 DB1 B: 101_1 and 101_2 are two impressions of one finger; 102_1 another finger.
    insert("registration:30", fingers((2, "db1_101_1.tif")))
    insert("registration:31", fingers((2, "db1_102_1.tif")))
    assert FingerprintImpression.objects.filter(reference_id="registration:30", subject_kind="reference",
                                                is_active=True).count() == 1

    found = abis().identify(IdentifyRequest(probe=fingers((2, "db1_101_2.tif"))))
    assert found.ok
    assert [c.reference_id for c in found.candidates][:1] == ["registration:30"]
    score = found.candidates[0].scores["fingerprint"]
    assert score.matched and score.score >= score.threshold
    assert set(score.details["fingers"]) == {"2"}
    assert "registration:31" not in [c.reference_id for c in found.candidates]

    # At another finger position the same impression is not compared.
    assert not abis().identify(IdentifyRequest(probe=fingers((6, "db1_101_2.tif")))).candidates

    insert("registration:32", fingers((2, "db1_101_2.tif")))
    mine = abis().identify(IdentifyRequest(reference_id="registration:32"))
    assert [c.reference_id for c in mine.candidates][:1] == ["registration:30"]

    assert abis().delete(DeleteRequest("registration:30")).ok
    assert not FingerprintImpression.objects.filter(reference_id="registration:30", is_active=True).exists()
    after = abis().identify(IdentifyRequest(reference_id="registration:32"))
    assert "registration:30" not in [c.reference_id for c in after.candidates]


def test_a_named_gallery_compares_its_references_fingers_one_to_one():
    insert("registration:40", fingers((2, "db1_101_1.tif")))
    insert("registration:41", fingers((2, "db1_102_1.tif"), (7, "db1_103_1.tif")))
    insert("registration:42", fingers((2, "db1_104_1.tif")))
    probe = fingers((2, "db1_101_2.tif"), (7, "db1_105_1.tif"))
    # Below the threshold too (for fusion), and only the named references, each at its positions.
    named = abis().identify(IdentifyRequest(probe=probe, include_below_threshold=True, gallery=Gallery(
        reference_ids=frozenset({"registration:40", "registration:41"}))))
    assert named.ok
    by_ref = {c.reference_id: c.scores["fingerprint"] for c in named.candidates}
    assert set(by_ref) == {"registration:40", "registration:41"}
    assert by_ref["registration:40"].matched and set(by_ref["registration:40"].details["fingers"]) == {"2"}
    assert not by_ref["registration:41"].matched and set(by_ref["registration:41"].details["fingers"]) == {"2", "7"}
    # A pre-selection of one record still finds the mate of a 1:N search.
    one = abis().identify(IdentifyRequest(probe=fingers((2, "db1_101_2.tif")), finger_shortlist=1))
    assert [c.reference_id for c in one.candidates] == ["registration:40"]


def test_face_and_fingers_of_one_reference_score_per_modality():
    insert("registration:40", BiometricData(face=read_fixture("img5.jpg"), face_source="device",
                                            fingers=(Finger(1, raw("db1_101_1.tif")),)))
    insert("registration:41", face("img12.jpg"))
    response = abis().identify(IdentifyRequest(probe=BiometricData(
        face=read_fixture("img10.jpg"), face_source="device", fingers=(Finger(1, raw("db1_101_2.tif")),))))
    first = response.candidates[0]
    assert first.reference_id == "registration:40"
    assert set(first.scores) == {"face", "fingerprint"} and first.modalities_matched == 2


def test_traveler_fingers_inserted_through_the_contract_join_the_traveler_gallery():
    insert("person:55", fingers((1, "db1_101_1.tif")))
    imp = FingerprintImpression.objects.get(person_id=55, is_active=True)
    assert imp.subject_kind == "traveler" and imp.reference_id == "person:55"
    found = abis().identify(IdentifyRequest(probe=fingers((1, "db1_101_2.tif")),
                                            gallery=Gallery(kinds=frozenset({"person"}))))
    assert [c.reference_id for c in found.candidates] == ["person:55"]
    none = abis().identify(IdentifyRequest(probe=fingers((1, "db1_101_2.tif")),
                                           gallery=Gallery(kinds=frozenset({"registration"}))))
    assert none.ok and not none.candidates


@pytest.mark.parametrize("finger, code, words", [
    (lambda: Finger(2, blank_png()), ReasonCode.NO_FINGER, "No finger detected"),
    (lambda: Finger(2, face_png()), ReasonCode.NOT_A_FINGERPRINT, "does not look like a fingerprint"),
    (lambda: Finger(2, read_fixture("img5.jpg")), ReasonCode.UNSUPPORTED_FORMAT, "JPEG images are not accepted"),
    (lambda: Finger(2, b"garbage"), ReasonCode.UNREADABLE_IMAGE, "not a readable image"),
    (lambda: Finger(11, raw("db1_101_1.tif")), ReasonCode.INVALID_POSITION, "from 1 (right thumb) to 10"),
])
def test_an_unusable_finger_gives_its_reason_code_and_coaching_message(finger, code, words):
    good = Finger(1, raw("db1_101_1.tif"))
    response = abis().insert(InsertRequest("registration:50", BiometricData(fingers=(good, finger()))))
    assert response.failure_reason == FailureReason.UNUSABLE_BIOMETRICS
    assert code in [r.code for r in response.reasons], response.reasons
    reason = next(r for r in response.reasons if r.code == code)
    assert reason.modality == "finger" and words in reason.message
    assert reason.position == finger().position
    # All or nothing: the good finger was not enrolled either.
    assert not FingerprintImpression.objects.exists() and not AbisReference.objects.exists()


def test_a_refused_finger_rolls_back_an_accepted_face():
    response = abis().insert(InsertRequest("registration:60", BiometricData(
        face=read_fixture("img5.jpg"), face_source="device", fingers=(Finger(3, blank_png()),))))
    assert [r.code for r in response.reasons] == [ReasonCode.NO_FINGER]
    assert not FaceImage.objects.exists() and not FaceTemplate.objects.exists()


@pytest.mark.parametrize("request_obj, failure", [
    (lambda: InsertRequest("registration", face("img5.jpg")), FailureReason.INVALID_REFERENCE_ID),
    (lambda: InsertRequest("registration:1", BiometricData()), FailureReason.INVALID_REQUEST),
    (lambda: InsertRequest("watchlist-entry:999999", face("img5.jpg")), FailureReason.INVALID_REFERENCE_ID),
    (lambda: IdentifyRequest(), FailureReason.INVALID_REQUEST),
    (lambda: IdentifyRequest(reference_id="registration:1", probe=face("img5.jpg")), FailureReason.INVALID_REQUEST),
    (lambda: IdentifyRequest(probe=face("img5.jpg"), max_candidates=0), FailureReason.INVALID_REQUEST),
    (lambda: IdentifyRequest(reference_id="registration:404"), FailureReason.REFERENCE_NOT_FOUND),
    (lambda: IdentifyRequest(probe=face("img5.jpg"), finger_shortlist=0), FailureReason.INVALID_REQUEST),
    (lambda: DeleteRequest("nope"), FailureReason.INVALID_REFERENCE_ID),
])
def test_bad_requests_fail_with_a_reason_not_an_exception(request_obj, failure):
    req = request_obj()
    method = {"InsertRequest": abis().insert, "IdentifyRequest": abis().identify,
              "DeleteRequest": abis().delete}[type(req).__name__]
    response = method(req)
    assert response.return_value == ReturnValue.FAILED and response.failure_reason == failure
    assert response.request_id == req.request_id and response.id == req.id
