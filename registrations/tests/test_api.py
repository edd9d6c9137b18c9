"""POST /api/v1/registrations (multipart: data JSON, face, finger_N) and GET /api/v1/registrations/{id}:
201, 400 naming the fields (consent, ages, unusable images with the reason code), 401, 403, 404."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEvent
from registrations.models import Apprehension, Registration
from registrations.tests.conftest import face_bytes, finger_bytes
from travelers.models import Person

pytestmark = [pytest.mark.django_db]

URL = "/api/v1/registrations"


def body(post_code="PA", **data) -> dict:
    values = {
        "apprehension": {"apprehended_at": (timezone.now() - timedelta(hours=2)).isoformat(), "post": post_code,
                         "unit": "Patrol 7", "incident_id": 42, "group_kind": "household"},
        "relationship": "head", "primary_identifier": "HADDAD", "secondary_identifier": "AHMAD",
        "name_original": "أحمد حداد", "date_of_birth": "1990-04-12", "sex": "M", "nationality": "SYR",
        "languages": ["ar", "ku"], "consent": "given", "information_language": "ar", "leaflet_given": True,
        "fingers_missing": {str(p): "refused" for p in range(1, 11)},
    }
    values.update(data)
    return {"data": json.dumps(values, ensure_ascii=False)}


def upload(name: str, content: bytes, kind: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=kind)


def written():
    return Registration.objects.count(), Apprehension.objects.count(), Person.objects.count()


@pytest.mark.shared_data("faces/deepface", "fingerprints/fvc2002")
def test_register_with_face_and_fingers_then_read_it(api, officer_a, post_a):
    api.force_login(officer_a)
    missing = {str(p): "injured" for p in range(1, 11) if p not in (2, 7)}
    response = api.post(URL, {**body(fingers_missing=missing), "face": upload("face.jpg", face_bytes("img12.jpg")),
                              "finger_2": upload("f2.tif", finger_bytes(1, "103_1.tif"), "image/tiff"),
                              "finger_7": upload("f7.tif", finger_bytes(1, "104_1.tif"), "image/tiff")},
                        format="multipart")
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["face_taken"] is True and out["fingers_taken"] == [2, 7]
    assert out["fingers_missing"]["1"] == "injured" and out["case_status"] == "registered"
    assert out["incident_id"] == 42 and out["post"] == "PA" and out["consent"] == "given"
    assert out["transitions"][0]["to_status"] == "registered"
    # The next member of the family joins the same group.
    second = api.post(URL, body(apprehension=None, group_id=out["group_id"], relationship="spouse",
                                primary_identifier="HADDAD", secondary_identifier="MARIAM", sex="F"),
                      format="multipart")
    assert second.status_code == 400  # apprehension: null is not "absent"
    data = json.loads(body(relationship="spouse", secondary_identifier="MARIAM", sex="F")["data"])
    del data["apprehension"]
    data["group_id"] = out["group_id"]
    second = api.post(URL, {"data": json.dumps(data)}, format="multipart")
    assert second.status_code == 201, second.content
    assert second.json()["group_id"] == out["group_id"]
    read = api.get(f"{URL}/{out['id']}")
    assert read.status_code == 200 and read.json()["primary_identifier"] == "HADDAD"
    assert AuditEvent.objects.filter(action="registration.view", object_id=str(out["id"])).exists()


def test_missing_consent_is_a_400_naming_the_field_and_nothing_is_written(api, officer_a, post_a):
    api.force_login(officer_a)
    before = written()
    data = json.loads(body()["data"])
    del data["consent"]
    response = api.post(URL, {"data": json.dumps(data)}, format="multipart")
    assert response.status_code == 400
    assert "data.consent" in response.json()["error"]["fields"]
    refused = api.post(URL, body(consent="refused"), format="multipart")
    assert refused.status_code == 400
    assert "data.consent_refused_reason" in refused.json()["error"]["fields"]
    assert written() == before


@pytest.mark.parametrize(("data", "field"), [
    ({"date_of_birth": "2999-05-01"}, "data.date_of_birth"),
    ({"date_of_birth": "1850"}, "data.date_of_birth"),
    ({"date_of_birth": "", "estimated_age": 121}, "data.estimated_age"),
])
def test_impossible_ages_are_a_400_and_nothing_is_written(api, officer_a, post_a, data, field):
    api.force_login(officer_a)
    before = written()
    response = api.post(URL, body(**data), format="multipart")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"], response.json()
    assert written() == before


@pytest.mark.shared_data("faces/deepface")
def test_an_unusable_face_is_a_400_with_the_reason_code_and_coaching(api, officer_a, post_a):
    api.force_login(officer_a)
    before = written()
    response = api.post(URL, {**body(), "face": upload("couple.jpg", face_bytes("couple.jpg"))}, format="multipart")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unusable_biometrics"
    assert error["reasons"][0]["field"] == "face" and error["reasons"][0]["code"] == "several_faces"
    assert error["reasons"][0]["message"] and error["fields"]["face"][0].startswith("several_faces: ")
    assert written() == before


def test_a_finger_without_image_or_reason_is_named(api, officer_a, post_a):
    api.force_login(officer_a)
    response = api.post(URL, body(fingers_missing={"1": "amputated"}), format="multipart")
    assert response.status_code == 400
    assert {"finger_2", "finger_10"} <= set(response.json()["error"]["fields"])


def test_unknown_fields_and_bad_json_are_named(api, officer_a, post_a):
    api.force_login(officer_a)
    response = api.post(URL, body(nationalty="SYR"), format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"data.nationalty": ["unknown field"]}
    response = api.post(URL, {"data": "{not json"}, format="multipart")
    assert response.status_code == 400 and "data" in response.json()["error"]["fields"]


def test_anonymous_is_401_and_without_the_scope_403(api, make_partner, post_a):
    assert api.post(URL, body(), format="multipart").status_code == 401
    assert api.get(f"{URL}/1").status_code == 401
    _client, token = make_partner(["persons:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.post(URL, body(), format="multipart").status_code == 403
    assert api.get(f"{URL}/1").status_code == 403


def test_another_posts_registration_is_404_and_its_post_refused(api, officer_a, officer_b, post_a, post_b):
    api.force_login(officer_a)
    created = api.post(URL, body(), format="multipart")
    assert created.status_code == 201, created.content
    api.force_login(officer_b)
    assert api.get(f"{URL}/{created.json()['id']}").status_code == 404
    assert api.get(f"{URL}/999999").status_code == 404
    refused = api.post(URL, body(post_code="PA"), format="multipart")
    assert refused.status_code == 400 and "data.apprehension.post" in refused.json()["error"]["fields"]


def test_a_partner_with_the_scopes_registers_and_reads(api, make_partner, post_a):
    _client, token = make_partner(["registrations:read", "registrations:write"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    created = api.post(URL, body(), format="multipart")
    assert created.status_code == 201, created.content
    assert api.get(f"{URL}/{created.json()['id']}").status_code == 200
