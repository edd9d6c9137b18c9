"""The face API through the test client: scopes, every bad input, results."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from biometrics.models.face import FaceImage, FaceTemplate, FaceVerification
from biometrics.services import face as services
from biometrics.tests.face.conftest import photo_page, read_fixture
from watchlists.models import PersonEntry, PersonEntryName, Watchlist

pytestmark = pytest.mark.django_db(transaction=True)

ALL = ["biometrics:read", "biometrics:write", "watchlists:read", "persons:read"]


def _upload(data: bytes, name="face.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _bomb() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (1, 1)).save(buf, format="PNG")
    data = bytearray(buf.getvalue())
    data[16:24] = struct.pack(">II", 30_000, 30_000)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return bytes(data)


def _five_faces() -> bytes:
    sheet = Image.new("RGB", (1500, 400), (240, 240, 240))
    for i, name in enumerate(("img5.jpg", "img10.jpg", "img12.jpg", "img5.jpg", "img10.jpg")):
        sheet.paste(Image.open(io.BytesIO(read_fixture(name))).convert("RGB").resize((300, 400)), (i * 300, 0))
    buf = io.BytesIO()
    sheet.save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def _no_face() -> bytes:
    buf = io.BytesIO()
    Image.open(io.BytesIO(read_fixture("img10.jpg"))).crop((0, 300, 408, 594)).save(buf, format="JPEG")
    return buf.getvalue()


@pytest.fixture
def traveler(make_traveler, post_a):
    """A traveler inspected at post A (partner clients see every traveler; officers only their posts')."""
    return make_traveler(post=post_a)


@pytest.fixture
def client_all(api, make_partner):
    _client, raw = make_partner(ALL)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def test_enrol_returns_template(client_all, traveler):
    r = client_all.post("/api/v1/biometrics/faces", {"image": _upload(read_fixture("img5.jpg")), "person_id": traveler.person_id},
                        format="multipart")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "encoded" and body["quality"]["accepted"] is True
    template = FaceTemplate.objects.get(pk=body["template_id"])
    assert template.person_id == traveler.person_id and template.image_id == body["image_id"]


# The images are made when the test runs (they read the shared photographs, which may be missing).
@pytest.mark.parametrize("make, code, words", [
    (lambda: b"", "invalid", "empty"),
    (lambda: b"this is a text file, not a picture" * 10, "invalid", "not an image"),
    (lambda: read_fixture("img10.jpg")[:6000], "invalid", "truncated"),
    (_bomb, "invalid", "megapixels"),
    (_no_face, "quality", "No face found"),
    (_five_faces, "quality", "5 faces in view"),
    (lambda: read_fixture("couple-1140.jpg"), "quality", "Two faces in view"),
])
def test_enrol_bad_input_is_a_clear_400(client_all, make, code, words, traveler):
    data = make()
    r = client_all.post("/api/v1/biometrics/faces", {"image": _upload(data), "person_id": traveler.person_id}, format="multipart")
    assert r.status_code == 400, r.content
    error = r.json()["error"]
    assert error["code"] == code
    assert "image" in error["fields"]
    assert words in " ".join(error["fields"]["image"]) + error["message"]
    assert FaceImage.objects.count() == 0 and FaceTemplate.objects.count() == 0


def test_enrol_at_a_post(client_all, post_a, traveler):
    r = client_all.post("/api/v1/biometrics/faces", {"image": _upload(read_fixture("img5.jpg")), "person_id": traveler.person_id,
                                                     "post": "PA", "inspection_id": traveler.pk}, format="multipart")
    assert r.status_code == 201
    assert FaceImage.objects.get(pk=r.json()["image_id"]).post == post_a
    r = client_all.post("/api/v1/biometrics/faces", {"image": _upload(read_fixture("img5.jpg")), "person_id": traveler.person_id,
                                                     "post": "NOPE"}, format="multipart")
    assert r.status_code == 400 and "post" in r.json()["error"]["fields"]


def test_enrol_missing_fields(client_all):
    r = client_all.post("/api/v1/biometrics/faces", {"person_id": "x"}, format="multipart")
    assert r.status_code == 400
    fields = r.json()["error"]["fields"]
    assert "image" in fields and "person_id" in fields


def test_auth_and_scopes(api, make_partner, traveler):
    r = api.post("/api/v1/biometrics/faces", {"image": _upload(read_fixture("img5.jpg")), "person_id": traveler.person_id},
                 format="multipart")
    assert r.status_code == 401
    _client, raw = make_partner(["biometrics:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = api.post("/api/v1/biometrics/faces", {"image": _upload(read_fixture("img5.jpg")), "person_id": traveler.person_id},
                 format="multipart")
    assert r.status_code == 403 and "biometrics:write" in r.json()["error"]["message"]


def test_verify_two_images(client_all):
    r = client_all.post("/api/v1/biometrics/faces/verify", {
        "probe": _upload(read_fixture("img10.jpg")), "reference": _upload(photo_page(read_fixture("img5.jpg"))),
        "reference_source": "document_page",
    }, format="multipart")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["verdict"] == "match" and body["distance"] < body["threshold"] == 0.55
    assert body["score"] == pytest.approx(1 - body["distance"], abs=1e-3)
    r = client_all.post("/api/v1/biometrics/faces/verify", {
        "probe": _upload(read_fixture("img10.jpg")), "reference": _upload(read_fixture("img12.jpg")),
    }, format="multipart")
    assert r.json()["verdict"] == "no_match"
    # The result can be read back.
    r2 = client_all.get(f"/api/v1/biometrics/faces/verifications/{r.json()['verification_id']}")
    assert r2.status_code == 200 and r2.json()["verdict"] == "no_match"


def test_verify_against_template_and_bad_reference(client_all, traveler):
    enrolled = client_all.post("/api/v1/biometrics/faces", {"image": _upload(read_fixture("img5.jpg")),
                                                           "person_id": traveler.person_id}, format="multipart").json()
    r = client_all.post("/api/v1/biometrics/faces/verify", {
        "probe": _upload(read_fixture("img10.jpg")), "reference_template_id": enrolled["template_id"],
    }, format="multipart")
    assert r.status_code == 200 and r.json()["verdict"] == "match"
    r = client_all.post("/api/v1/biometrics/faces/verify", {
        "probe": _upload(read_fixture("img10.jpg")), "reference": _upload(read_fixture("couple-1140.jpg")),
    }, format="multipart")
    assert r.status_code == 400 and r.json()["error"]["code"] == "quality"
    assert "reference" in r.json()["error"]["fields"]
    r = client_all.post("/api/v1/biometrics/faces/verify", {"probe": _upload(read_fixture("img10.jpg"))},
                        format="multipart")
    assert r.status_code == 400 and "reference" in r.json()["error"]["fields"]
    r = client_all.post("/api/v1/biometrics/faces/verify", {
        "probe": _upload(b""), "reference_template_id": enrolled["template_id"],
    }, format="multipart")
    assert r.status_code == 400 and "probe" in r.json()["error"]["fields"]
    assert FaceVerification.objects.filter(verdict="match").count() == 1


def test_identify_filtered_by_scope(api, make_partner, police_agency, border_agency, traveler):
    own = Watchlist.objects.create(code="POL", name="Police list", owner_agency=police_agency)
    other = Watchlist.objects.create(code="BPDX", name="Border only", owner_agency=border_agency,
                                     visibility="agencies")
    for wl in (own, other):
        entry = PersonEntry.objects.create(watchlist=wl)
        PersonEntryName.objects.create(entry=entry, full_name="Someone", is_primary=True)
        from django.core.files.base import ContentFile

        entry.photo.save("p.jpg", ContentFile(read_fixture("img5.jpg")))
    services.face_sync_watchlist_photos()
    services.face_capture(actor=None, data=read_fixture("img5.jpg"), purpose="enrolment", source="device",
                          person_id=traveler.person_id)
    _c, raw = make_partner(["biometrics:write", "watchlists:read"])  # no persons:read
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = api.post("/api/v1/biometrics/faces/identify", {"image": _upload(read_fixture("img10.jpg"))},
                 format="multipart")
    assert r.status_code == 200, r.json()
    cands = r.json()["candidates"]
    assert [c["watchlist_code"] for c in cands] == ["POL"]  # not the border-only list, no travelers
    r = api.post("/api/v1/biometrics/faces/identify", {"image": _upload(read_fixture("img10.jpg")),
                                                       "watchlists": ["BPDX"]}, format="multipart")
    assert r.status_code == 400 and "watchlists" in r.json()["error"]["fields"]
    _c, raw = make_partner(["biometrics:write", "persons:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = api.post("/api/v1/biometrics/faces/identify", {"image": _upload(read_fixture("img10.jpg"))},
                 format="multipart")
    assert [c["person_id"] for c in r.json()["candidates"]] == [traveler.person_id]
    r = api.post("/api/v1/biometrics/faces/identify", {"image": _upload(_five_faces())}, format="multipart")
    assert r.status_code == 400 and "5 faces in view" in r.json()["error"]["message"]


def test_schema_lists_face_endpoints(client):
    r = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert r.status_code == 200
    import json

    schema = json.loads(r.content)
    for p in ("/api/v1/biometrics/faces", "/api/v1/biometrics/faces/verify", "/api/v1/biometrics/faces/identify"):
        assert "post" in schema["paths"][p], p
        assert "400" in schema["paths"][p]["post"]["responses"]
    assert "get" in schema["paths"]["/api/v1/biometrics/faces/identifications/{id}"]


def test_fifty_megapixel_upload_is_accepted(client_all, traveler):
    src = Image.open(io.BytesIO(read_fixture("img10.jpg")))
    factor = (50_000_000 / (src.width * src.height)) ** 0.5
    big = src.resize((round(src.width * factor), round(src.height * factor)), Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    big.save(buf, format="JPEG", quality=80)
    del big
    r = client_all.post("/api/v1/biometrics/faces", {"image": _upload(buf.getvalue()), "person_id": traveler.person_id},
                        format="multipart")
    assert r.status_code == 201, r.json()
    assert r.json()["quality"]["metrics"]["inter_eye_px"] > 700
    image = FaceImage.objects.get(pk=r.json()["image_id"])
    assert max(image.width, image.height) <= 1600  # stored downscaled


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_api_through_a_real_broker_and_worker(client_all, celery_live_worker, settings):
    r = client_all.post("/api/v1/biometrics/faces/verify", {
        "probe": _upload(read_fixture("img10.jpg")), "reference": _upload(read_fixture("img5.jpg")),
    }, format="multipart")
    assert r.status_code == 200, r.json()
    assert r.json()["verdict"] == "match"


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_api_answers_202_when_no_worker_takes_the_job(client_all, settings):
    from bmis.celery import app

    app.control.purge()
    settings.BMIS_FACE_API_WAIT_SECONDS = 0.5
    r = client_all.post("/api/v1/biometrics/faces/identify", {"image": _upload(read_fixture("img10.jpg"))},
                        format="multipart")
    assert r.status_code == 202, r.json()
    ident_id = r.json()["identification_id"]
    r = client_all.get(f"/api/v1/biometrics/faces/identifications/{ident_id}")
    assert r.status_code == 200 and r.json()["status"] == "pending"
    app.control.purge()


def test_verify_against_a_travelers_template_needs_persons_read(client_all, api, make_partner, traveler):
    enrolled = client_all.post("/api/v1/biometrics/faces", {"image": _upload(read_fixture("img5.jpg")),
                                                           "person_id": traveler.person_id}, format="multipart").json()
    _c, raw = make_partner(["biometrics:write"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = api.post("/api/v1/biometrics/faces/verify", {
        "probe": _upload(read_fixture("img10.jpg")), "reference_template_id": enrolled["template_id"],
    }, format="multipart")
    assert r.status_code == 400 and "reference_template_id" in r.json()["error"]["fields"]
