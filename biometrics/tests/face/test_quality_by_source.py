"""Photographs (uploads, watchlist photos, partner uploads) are compared with their quality issues
beside the verdict; a live camera capture with the same issue is coached (issue 13, item 7)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from biometrics.models.face import FaceImage, FaceVerification

pytestmark = pytest.mark.django_db(transaction=True)


def _file(data: bytes, name="photo.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.fixture
def tilted(deepface_dir) -> bytes:
    """img11: head tilted 16 degrees (the live gate allows 15); img1 is the same person."""
    return (deepface_dir / "img11.jpg").read_bytes()


@pytest.fixture
def reference(deepface_dir) -> bytes:
    return (deepface_dir / "img1.jpg").read_bytes()


def test_partner_upload_is_compared_and_its_issues_returned(api, make_partner, tilted, reference):
    _client, raw = make_partner(["biometrics:read", "biometrics:write"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = api.post("/api/v1/biometrics/faces/verify", {"probe": _file(tilted), "reference": _file(reference)},
                 format="multipart")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["verdict"] == "match"
    probe_quality = body["quality"]["probe"]
    assert probe_quality["accepted"] is True and probe_quality["policy"] == "photo"
    assert [(i["code"], i["blocking"]) for i in probe_quality["issues"]] == [("head_tilted", False)]
    assert body["quality"]["reference"]["issues"] == []
    # Reading the result later gives the same report.
    again = api.get(f"/api/v1/biometrics/faces/verifications/{body['verification_id']}").json()
    assert again["quality"] == body["quality"]


def test_live_camera_coaches_what_an_upload_reports(login, officer_a, booth_a, make_inspection, tilted):
    client = login(officer_a, booth=booth_a)
    camera = make_inspection(officer_a, booth_a)
    r = client.post(f"/biometrics/face/inspections/{camera.pk}/capture/", {"kind": "live-camera", "image": _file(tilted)})
    html = r.content.decode()
    assert 'data-face-notice="warn"' in html and "Head tilted to the side" in html
    assert not FaceImage.objects.filter(inspection_id=camera.pk).exists()

    upload = make_inspection(officer_a, booth_a)
    r = client.post(f"/biometrics/face/inspections/{upload.pk}/capture/", {"kind": "live-upload", "image": _file(tilted)})
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-face-notice="ok"' in html and "Face accepted for comparison despite" in html
    image = FaceImage.objects.get(inspection_id=upload.pk)
    assert image.quality["policy"] == "photo" and image.quality["issues"][0]["code"] == "head_tilted"


def test_verdict_shows_the_issues_of_a_compared_photo(login, officer_a, booth_a, make_inspection, tilted, reference):
    from biometrics.tests.face.conftest import photo_page

    client = login(officer_a, booth=booth_a)
    insp = make_inspection(officer_a, booth_a)
    url = f"/biometrics/face/inspections/{insp.pk}/capture/"
    client.post(url, {"kind": "live-upload", "image": _file(tilted)})
    r = client.post(url, {"kind": "document-page", "image": _file(photo_page(reference))})
    html = r.content.decode()
    assert FaceVerification.objects.get(inspection_id=insp.pk).verdict == "match"
    assert 'data-face-quality-issues="live"' in html and "Head tilted to the side" in html
