"""Bad or oversized API requests answer 400/413 in the JSON error body, never 500."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from biometrics.api.fingerprint import MAX_IMAGE_BASE64

pytestmark = pytest.mark.django_db


@pytest.fixture
def parse_token(make_partner):
    _client, raw = make_partner(["documents:parse"])
    return f"Bearer {raw}"


def test_too_many_multipart_fields_is_400_naming_the_problem(client, parse_token, settings):
    fields = {f"f{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post("/api/v1/documents/parse", fields, HTTP_AUTHORIZATION=parse_token)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "too_many_fields"
    assert str(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS) in error["message"]


@override_settings(DATA_UPLOAD_MAX_NUMBER_FILES=2)
def test_too_many_files_is_400(client, parse_token):
    files = {f"file{i}": SimpleUploadedFile(f"{i}.txt", b"x") for i in range(3)}
    response = client.post("/api/v1/documents/parse", files, HTTP_AUTHORIZATION=parse_token)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_many_files"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2048)
def test_form_data_above_the_memory_limit_is_413(client, parse_token):
    response = client.post("/api/v1/documents/parse", {"mrz": "P" * 5000}, HTTP_AUTHORIZATION=parse_token)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large" and "too large" in error["message"]


def test_json_body_above_the_api_limit_is_413_before_it_is_read(client, make_partner, settings):
    _client, raw = make_partner(["biometrics:write"])
    settings.BMIS_API_MAX_BODY_BYTES = 1024 * 1024
    body = json.dumps({"person_id": 1, "fingers": [{"position": 1, "image": "A" * (1024 * 1024)}]})
    response = client.post("/api/v1/biometrics/fingerprints", body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large" and "1 MB" in error["message"]
    # Refused before authentication or the view ran: nothing was parsed or stored.
    from biometrics.models import FingerprintCapture  # noqa: PLC0415

    assert not FingerprintCapture.objects.exists()


def test_a_body_under_the_limit_goes_through(client, parse_token, settings):
    settings.BMIS_API_MAX_BODY_BYTES = 1024 * 1024
    response = client.post("/api/v1/documents/parse", {"mrz": "nonsense"}, content_type="application/json",
                           HTTP_AUTHORIZATION=parse_token)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_default_api_limit_holds_ten_fingerprint_images(settings):
    assert settings.BMIS_API_MAX_BODY_BYTES >= 10 * MAX_IMAGE_BASE64 + 64 * 1024


def test_bad_content_length_is_400(client, parse_token):
    response = client.generic("POST", "/api/v1/documents/parse", b"{}", content_type="application/json",
                              HTTP_AUTHORIZATION=parse_token, CONTENT_LENGTH="lots")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_the_limit_applies_to_the_api_only(client, settings):
    settings.BMIS_API_MAX_BODY_BYTES = 1024 * 1024
    response = client.post("/accounts/login/", {"username": "x", "password": "y" * (2 * 1024 * 1024)})
    assert response.status_code != 413
