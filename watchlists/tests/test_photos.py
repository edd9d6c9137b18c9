"""Person entry photos: entered through the supervisor page and the API, checked as images, and
enrolled into the list's face gallery once the entry is saved."""

import base64
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from audit.models import AuditEvent
from biometrics.models import FaceTemplate
from biometrics.tests.face.conftest import read_fixture
from watchlists.models import PersonEntry
from watchlists.services import person_entry_create

pytestmark = pytest.mark.django_db



def _face(name: str = "img5.jpg") -> bytes:
    """A face photograph of the shared data sets (faces/deepface): fails under CI, skips elsewhere, without."""
    return read_fixture(name)


def _truncated_jpeg() -> bytes:
    """A JPEG made here (grey-level noise), cut after 3,000 bytes."""
    import numpy as np

    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(7).integers(0, 256, (300, 300), dtype=np.uint8)).save(buf, format="JPEG")
    return buf.getvalue()[:3000]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _png(size=(200, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (120, 90, 60)).save(buf, format="PNG")
    return buf.getvalue()


def _gif() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (200, 200)).save(buf, format="GIF")
    return buf.getvalue()


def test_photo_uploaded_on_the_page_is_enrolled(login, supervisor, wanted, django_capture_on_commit_callbacks):
    c = login(supervisor)
    page = c.get("/watchlists/WANTED/persons/new/").content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="photo"' in page
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post("/watchlists/WANTED/persons/new/", {
            "names": "Angela Wanted", "photo": SimpleUploadedFile("angela.jpg", _face(), "image/jpeg")})
    assert r.status_code == 302, r.content.decode()[:2000]
    entry = PersonEntry.objects.get()
    assert entry.photo and entry.photo.name.endswith(".jpg") and "angela" not in entry.photo.name.lower()
    template = FaceTemplate.objects.get(watchlist_entry=entry)
    assert template.gallery == f"watchlist:{wanted.pk}"
    created = AuditEvent.objects.get(action="person_entry.create", object_id=str(entry.pk))
    assert created.changes["photo"][1] == entry.photo.name  # the stored file's random name, never the image


def test_photo_replaced_on_the_edit_page_replaces_the_template(login, supervisor, wanted,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = person_entry_create(actor=supervisor, watchlist=wanted, names=["Angela Wanted"],
                                    photo=_face())
    first = FaceTemplate.objects.get(watchlist_entry=entry)
    c = login(supervisor)
    other = _face("img10.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(f"/watchlists/WANTED/persons/{entry.pk}/edit/", {
            "names": "Angela Wanted", "photo": SimpleUploadedFile("new.jpg", other, "image/jpeg")})
    assert r.status_code == 302
    [current] = FaceTemplate.objects.filter(watchlist_entry=entry)
    assert current.pk != first.pk
    event = AuditEvent.objects.get(action="person_entry.update", object_id=str(entry.pk))
    assert set(event.changes) == {"photo"}
    # Editing other fields keeps the photo.
    with django_capture_on_commit_callbacks(execute=True):
        c.post(f"/watchlists/WANTED/persons/{entry.pk}/edit/", {"names": "Angela Wanted", "date_of_birth": "1975"})
    entry.refresh_from_db()
    assert entry.photo and entry.birth_year == 1975
    assert FaceTemplate.objects.filter(watchlist_entry=entry).count() == 1


@pytest.mark.parametrize("data,message", [
    (b"not an image at all", "not an image"),
    (_gif(), "JPEG, PNG or WebP"),
    (_png((40, 40)), "too small"),
    (_truncated_jpeg(), "truncated or corrupt"),
])
def test_bad_photo_on_the_page_is_a_field_error(login, supervisor, wanted, data, message):
    c = login(supervisor)
    r = c.post("/watchlists/WANTED/persons/new/", {"names": "Angela Wanted",
                                                   "photo": SimpleUploadedFile("p.jpg", data, "image/jpeg")})
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert list(errors) == ["photo"] and message in errors["photo"][0]
    assert not PersonEntry.objects.exists()


def test_photo_larger_than_the_limit_is_refused(login, supervisor, wanted):
    from watchlists import validation

    c = login(supervisor)
    big = _png() + b"\0" * (validation.MAX_PHOTO_BYTES + 1)
    r = c.post("/watchlists/WANTED/persons/new/", {"names": "A B", "photo": SimpleUploadedFile("p.png", big)})
    assert r.status_code == 200 and "larger than 10 MB" in r.context["form"].errors["photo"][0]


def test_photo_through_the_api(api, make_partner, police_agency, django_capture_on_commit_callbacks):
    _c, raw = make_partner(["watchlists:read", "watchlists:write"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.post("/api/v1/watchlists", {"code": "POLWANT", "name": "Police wanted", "action": "arrest"},
                    format="json").status_code == 201
    photo = base64.b64encode(_face()).decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/api/v1/watchlists/POLWANT/persons", {"names": ["Angela Wanted"], "photo": photo}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["has_photo"] is True and "photo" not in r.json()
    entry = PersonEntry.objects.get(pk=r.json()["id"])
    assert FaceTemplate.objects.filter(watchlist_entry=entry).count() == 1

    # PATCH replaces it.
    with django_capture_on_commit_callbacks(execute=True):
        r = api.patch(f"/api/v1/watchlists/POLWANT/persons/{entry.pk}",
                      {"photo": base64.b64encode(_face("img10.jpg")).decode()}, format="json")
    assert r.status_code == 200, r.content
    assert FaceTemplate.objects.filter(watchlist_entry=entry).count() == 1

    # Bad photos: 400 naming the field, nothing stored.
    for value, message in (("***", "base64"), (base64.b64encode(_gif()).decode(), "JPEG, PNG or WebP"),
                           (base64.b64encode(b"hello").decode(), "not an image")):
        r = api.post("/api/v1/watchlists/POLWANT/persons", {"names": ["Other Person"], "photo": value}, format="json")
        assert r.status_code == 400, r.content
        error = r.json()["error"]
        assert message in error["fields"]["photo"][0]
    assert PersonEntry.objects.count() == 1


def test_photo_in_the_service_is_checked(wanted):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        person_entry_create(actor=None, watchlist=wanted, names=["Angela Wanted"], photo=b"junk")
    assert "photo" in info.value.message_dict
    assert not PersonEntry.objects.exists()
