"""Fingerprint enrolment, verification and identification through the API: bodies, bad input
naming its field, scopes, the OpenAPI schema."""

from __future__ import annotations

import pytest

from biometrics.models.fingerprint import (
    FingerprintCapture,
    FingerprintImpression,
    FingerprintProbe,
    FingerprintSearch,
)
from biometrics.tests.fingerprint.helpers import ENROL, IDENTIFY, VERIFY, b64, blank_png, face_png, raw
from watchlists.models import Hit


def _finger(position, data, **extra):
    return {"position": position, "image": b64(data), **extra}


@pytest.mark.django_db
def test_api_enrol_returns_quality_per_finger(officer_api, traveler_a):
    pid = traveler_a().person_id
    r = officer_api.post(ENROL, {"person_id": pid, "fingers": [
        _finger(1, raw("db1_101_1.tif")), _finger(7, raw("db3_101_1.tif"), impression_type="rolled")]}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["subject"] == "traveler" and body["person_id"] == pid
    assert [f["position"] for f in body["fingers"]] == [1, 7]
    assert all(f["quality_score"] >= 30 for f in body["fingers"])
    assert body["fingers"][0]["position_label"] == "right thumb"
    detail = officer_api.get(f"/api/v1/biometrics/fingerprints/captures/{body['capture_id']}")
    assert detail.status_code == 200 and len(detail.json()["fingers"]) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make_finger", "field"),  # made when the test runs (shared data)
    [
        (lambda: {"position": 1, "image": b64(b"GIF89a this is no finger")}, "fingers.1.image"),
        (lambda: {"position": 1, "image": "@@not base64@@"}, "fingers.1.image"),
        (lambda: {"position": 1, "image": b64(blank_png())}, "fingers.1.image"),
        (lambda: {"position": 1, "image": b64(face_png())}, "fingers.1.image"),
        (lambda: {"position": 1, "image": b64(raw("db1_102_1.tif")), "resolution_dpi": 96}, "fingers.1.resolution_dpi"),
        (lambda: {"position": 11, "image": b64(raw("db1_102_1.tif"))}, "fingers.1.position"),
        (lambda: {"position": 2, "image": b64(raw("db1_102_1.tif"))}, "fingers.1.position"),
        (lambda: {"position": 1, "image": b64(raw("db1_102_1.tif")), "impression_type": "slap"}, "fingers.1.impression_type"),
    ],
)
def test_api_bad_input_is_a_400_naming_the_field_and_stores_nothing(officer_api, make_finger, field, traveler_a):
    finger = make_finger()
    r = officer_api.post(ENROL, {"person_id": traveler_a().person_id, "fingers": [_finger(2, raw("db1_101_1.tif")), finger]},
                         format="json")
    assert r.status_code == 400, r.content
    err = r.json()["error"]
    assert err["code"] == "invalid"
    assert field in err["fields"], err
    assert FingerprintCapture.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"fingers": []}, "fingers"),
        ({"person_id": 5}, "fingers"),
        ({"person_id": "x", "fingers": [{"position": 1, "image": "AAAA"}]}, "person_id"),
        ({"fingers": [{"position": 1, "image": "AAAA"}]}, "person_id"),
    ],
)
def test_api_enrol_structure_errors(officer_api, payload, field):
    r = officer_api.post(ENROL, payload, format="json")
    assert r.status_code == 400
    assert any(name == field or name.startswith(field + ".") for name in r.json()["error"]["fields"])


@pytest.mark.django_db(transaction=True)
def test_api_verify_and_identify(officer_api, post_a, traveler_a):
    """Real commits (transactional test): the eager task runs when the request's transaction
    commits, so the response already carries the result."""
    pid, screened = traveler_a().person_id, traveler_a()
    officer_api.post(ENROL, {"person_id": pid, "fingers": [_finger(1, raw("db1_101_1.tif"))]}, format="json")
    r = officer_api.post(VERIFY, {"person_id": pid, "fingers": [_finger(1, raw("db1_101_2.tif"))]}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["decision"] == "match" and r.json()["status"] == "done"
    r = officer_api.post(IDENTIFY, {"inspection_id": screened.pk, "post": "PA", "fingers": [_finger(1, raw("db1_101_2.tif"))]},
                         format="json")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["decision"] == "hit" and body["result"]["candidates"][0]["person_id"] == pid
    assert Hit.objects.filter(source="fingerprint", matched_person_id=pid, inspection_id=screened.pk,
                              post=post_a).exists()
    got = officer_api.get(f"/api/v1/biometrics/fingerprints/searches/{body['id']}")
    assert got.status_code == 200 and got.json()["decision"] == "hit"
    assert FingerprintProbe.objects.filter(search_id=body["id"]).count() == 1


@pytest.mark.django_db
def test_api_verify_bad_input(officer_api, committed, traveler_a):
    with committed():  # a traveler without enrolled fingers
        r = officer_api.post(VERIFY, {"person_id": traveler_a().person_id, "fingers": [_finger(1, raw("db1_101_2.tif"))]}, format="json")
    assert r.status_code == 400 and "person_id" in r.json()["error"]["fields"]
    with committed():
        r = officer_api.post(VERIFY, {"fingers": [_finger(1, raw("db1_101_2.tif"))]}, format="json")
    assert r.status_code == 400 and "person_id" in r.json()["error"]["fields"]
    with committed():
        r = officer_api.post(IDENTIFY, {"fingers": [_finger(1, raw("db1_101_2.tif")), _finger(1, raw("db1_102_1.tif"))]},
                             format="json")
    assert r.status_code == 400 and "fingers.1.position" in r.json()["error"]["fields"]
    assert not FingerprintSearch.objects.exists()


@pytest.mark.django_db
def test_api_scopes(api, make_partner, officer_b, committed, traveler_a):
    body = {"person_id": traveler_a().person_id, "fingers": [_finger(1, raw("db1_101_1.tif"))]}
    assert api.post(ENROL, body, format="json").status_code == 401
    _, token = make_partner(["watchlists:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.post(ENROL, body, format="json").status_code == 403
    _, token = make_partner(["biometrics:write", "biometrics:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    # Without persons:read a traveler id is answered 404, whether the traveler exists or not.
    assert api.post(ENROL, body, format="json").status_code == 404
    _, token = make_partner(["biometrics:write", "biometrics:read", "persons:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    r = api.post(ENROL, body, format="json")
    assert r.status_code == 201
    # Watchlist enrolment needs watchlists:write as well.
    r = api.post(ENROL, {"person_entry_id": 1, "fingers": body["fingers"]}, format="json")
    assert r.status_code == 403
    # A search made by an officer at another post is not visible to this partner client.
    api.force_authenticate(officer_b)
    with committed():
        search = api.post(IDENTIFY, {"fingers": [_finger(1, raw("db1_101_2.tif"))]}, format="json").json()
    api.force_authenticate(None)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get(f"/api/v1/biometrics/fingerprints/searches/{search['id']}").status_code == 404


@pytest.mark.django_db
def test_api_watchlist_enrolment_by_supervisor(api, supervisor, wanted_entry):
    api.force_authenticate(supervisor)
    r = api.post(ENROL, {"person_entry_id": wanted_entry.pk, "fingers": [_finger(2, raw("db1_102_1.tif"))]},
                 format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["subject"] == "watchlist"
    assert FingerprintImpression.objects.get().purpose == "watchlist"


@pytest.mark.django_db
def test_api_paths_are_in_the_openapi_schema(client):
    r = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert r.status_code == 200
    text = r.content.decode()
    for p in ("/api/v1/biometrics/fingerprints", "/api/v1/biometrics/fingerprints/verify",
              "/api/v1/biometrics/fingerprints/identify", "/api/v1/biometrics/fingerprints/searches/{id}"):
        assert p in text
    assert "biometrics:write" in text
