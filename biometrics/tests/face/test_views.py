"""The officer's face panel, capture, image and hit-evidence pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from biometrics.models.face import FaceIdentification, FaceImage
from biometrics.tests.face.conftest import photo_page, read_fixture
from biometrics.views.face import panel_context

pytestmark = pytest.mark.django_db(transaction=True)


def _file(data, name="capture.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.fixture
def officer_client(login, officer_a, booth_a):
    return login(officer_a, booth=booth_a)


@pytest.fixture
def insp(make_inspection, officer_a, booth_a):
    """insp(n): the n-th inspection of officer A (ids are the database's)."""
    made = {}

    def get(n):
        if n not in made:
            made[n] = make_inspection(officer_a, booth_a)
        return made[n]

    return get


def test_panel_renders_capture_controls(officer_client, insp):
    r = officer_client.get(f"/biometrics/face/inspections/{insp(5).pk}/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "data-face-capture" in html and "face_capture.js" in html
    assert 'data-shortcut="Alt+F"' in html and 'name="kind"' in html
    assert "No face captured for this inspection." in html


def test_capture_accepted_then_results(officer_client, insp, post_a):
    r = officer_client.post(f"/biometrics/face/inspections/{insp(5).pk}/capture/", {"kind": "live-camera",
                                                                       "image": _file(read_fixture("img10.jpg"))})
    html = r.content.decode()
    assert r.status_code == 200
    assert "Face accepted" in html
    image = FaceImage.objects.get(inspection_id=insp(5).pk)
    assert image.post == post_a and image.source == "browser"
    assert image.person_id == insp(5).person_id is not None  # learnt from the inspection
    assert FaceIdentification.objects.get(inspection_id=insp(5).pk).status == "done"
    assert "no match among" in html  # eager: the 1:N finished within the request
    assert "1:1 waits for the document portrait" in html
    r = officer_client.post(f"/biometrics/face/inspections/{insp(5).pk}/capture/", {
        "kind": "document-page", "image": _file(photo_page(read_fixture("img5.jpg")))})
    html = r.content.decode()
    assert 'data-face-verdict="match"' in html and "distance" in html


def test_capture_coaching_and_bad_input(officer_client, insp):
    r = officer_client.post(f"/biometrics/face/inspections/{insp(6).pk}/capture/", {
        "kind": "live-camera", "image": _file(read_fixture("couple-1140.jpg"))})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Two faces in view" in html and 'data-face-notice="warn"' in html
    assert 'data-face-verdict="inconclusive"' in html
    r = officer_client.post(f"/biometrics/face/inspections/{insp(6).pk}/capture/", {"kind": "live-camera",
                                                                       "image": _file(b"not a jpeg at all")})
    assert r.status_code == 400
    html = r.content.decode()
    assert 'data-field="image"' in html and "not an image" in html
    r = officer_client.post(f"/biometrics/face/inspections/{insp(6).pk}/capture/", {"kind": "live-camera"})
    assert r.status_code == 400 and "No image was sent" in r.content.decode()
    r = officer_client.post(f"/biometrics/face/inspections/{insp(6).pk}/capture/", {"kind": "x", "image": _file(b"1")})
    assert r.status_code == 400 and 'data-field="kind"' in r.content.decode()
    assert FaceImage.objects.count() == 0


def test_image_view_is_restricted_and_audited(officer_client, insp, login, officer_b, booth_b, client):
    officer_client.post(f"/biometrics/face/inspections/{insp(7).pk}/capture/", {"kind": "live-upload",
                                                                   "image": _file(read_fixture("img5.jpg"))})
    image = FaceImage.objects.get(inspection_id=insp(7).pk)
    r = officer_client.get(f"/biometrics/face/images/{image.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg" and r.content[:2] == b"\xff\xd8"
    assert AuditEvent.objects.filter(action="faceimage.view", object_id=str(image.pk)).count() == 1
    client.logout()
    other = login(officer_b, booth=booth_b)  # another post
    assert other.get(f"/biometrics/face/images/{image.pk}/").status_code == 404
    # Nor may officer B capture for, or look at, officer A's inspection.
    r = other.post(f"/biometrics/face/inspections/{insp(7).pk}/capture/", {"kind": "live-upload",
                                                                          "image": _file(read_fixture("img5.jpg"))})
    assert r.status_code == 404
    assert other.get(f"/biometrics/face/inspections/{insp(7).pk}/panel/").status_code == 404
    assert FaceImage.objects.count() == 1


def test_anonymous_goes_to_login(client):
    r = client.get("/biometrics/face/inspections/5/panel/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def _face_hit_with_evidence(officer_client, insp, border_agency) -> int:
    """Capture a face matching a watchlist photo; check the evidence page; return the hit id."""
    from django.core.files.base import ContentFile

    from biometrics.services import face as services
    from watchlists.models import PersonEntry, PersonEntryName, Watchlist

    wl = Watchlist.objects.create(code="WANTED", name="Wanted", owner_agency=border_agency, action="arrest")
    entry = PersonEntry.objects.create(watchlist=wl)
    PersonEntryName.objects.create(entry=entry, full_name="Angela Wanted", is_primary=True)
    entry.photo.save("p.jpg", ContentFile(read_fixture("img5.jpg")))
    services.face_sync_watchlist_photos()
    r = officer_client.post(f"/biometrics/face/inspections/{insp(8).pk}/capture/", {"kind": "live-camera",
                                                                       "image": _file(read_fixture("img10.jpg"))})
    html = r.content.decode()
    assert "watchlist WANTED" in html
    ident = FaceIdentification.objects.get(inspection_id=insp(8).pk)
    hit_id = ident.candidates[0]["hit_id"]
    r = officer_client.get(f"/biometrics/face/hits/{hit_id}/")
    page = r.content.decode()
    assert r.status_code == 200
    probe, gallery = ident.probe_id, ident.candidates[0]["image_id"]
    assert f"/biometrics/face/images/{probe}/" in page and f"/biometrics/face/images/{gallery}/" in page
    assert "Angela Wanted" in page
    return hit_id


def test_hit_evidence_shows_both_faces(officer_client, insp, border_agency):
    assert _face_hit_with_evidence(officer_client, insp, border_agency) > 0


def test_supervisor_hit_queue_links_a_face_hit_to_its_evidence(officer_client, insp, border_agency, supervisor):
    from django.test import Client

    hit_id = _face_hit_with_evidence(officer_client, insp, border_agency)
    reviewer = Client()
    reviewer.force_login(supervisor)
    queue = reviewer.get("/watchlists/hits/").content.decode()
    assert f'href="/biometrics/face/hits/{hit_id}/"' in queue
    assert reviewer.get(f"/biometrics/face/hits/{hit_id}/").status_code == 200


def test_panel_context_for_the_inspection_screen(rf, officer_a):
    request = rf.get("/")
    request.user = officer_a
    ctx = panel_context(request, 42)
    assert ctx["face"].inspection_id == 42 and ctx["face"].empty
    from django.template.loader import render_to_string

    html = render_to_string("biometrics/_inspection_panel.html", {**ctx, "inspection_id": 42, "request": request})
    assert 'id="face-panel-42"' in html and "Fingerprints" in html
