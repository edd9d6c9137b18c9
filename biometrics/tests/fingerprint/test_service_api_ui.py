"""Fingerprint enrolment, verification and identification through the services, the API and the
officer screens, on real FVC2002 images (read from the shared data sets), including every bad input of the issue."""

from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone
from PIL import Image

from audit.models import AuditEvent
from biometrics.models.fingerprint import (
    FingerprintCapture,
    FingerprintImpression,
    FingerprintProbe,
    FingerprintSearch,
    SearchStatus,
)
from biometrics.services.fingerprint import (
    FingerInput,
    FingerprintInputError,
    fingerprint_enrol,
    fingerprint_gallery_reset,
    fingerprint_purge_expired,
    fingerprint_search_create,
)
from biometrics.tasks.fingerprint import fingerprint_search as search_task
from biometrics.tests.conftest import fingerprint_fixture
from watchlists.models import Hit, PersonEntry, PersonEntryName, Watchlist

ENROL = "/api/v1/biometrics/fingerprints"
VERIFY = "/api/v1/biometrics/fingerprints/verify"
IDENTIFY = "/api/v1/biometrics/fingerprints/identify"


def raw(name: str) -> bytes:
    return fingerprint_fixture(name)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def blank_png() -> bytes:
    return png(Image.new("L", (320, 320), 255))


def face_png() -> bytes:
    face = Image.open(io.BytesIO(raw("face_img12.jpg")))
    face.thumbnail((480, 480))
    return png(face)


@pytest.fixture(autouse=True)
def _fresh_gallery():
    fingerprint_gallery_reset()
    yield
    fingerprint_gallery_reset()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (the eager search task) when the block ends, as a real commit
    would; the test's own transaction never commits."""

    def block():
        return django_capture_on_commit_callbacks(execute=True)

    return block


@pytest.fixture
def wanted(border_agency):
    return Watchlist.objects.create(code="WANTED", name="Wanted persons", owner_agency=border_agency, action="arrest")


@pytest.fixture
def wanted_entry(wanted):
    entry = PersonEntry.objects.create(watchlist=wanted, gender="M", birth_year=1974)
    PersonEntryName.objects.create(entry=entry, full_name="Ahmed Jabir", is_primary=True)
    return entry


@pytest.fixture
def traveler_a(make_traveler, booth_a):
    """traveler_a() -> an inspection of a new traveler at post A (officer A's post)."""
    return lambda: make_traveler(booth=booth_a)


@pytest.fixture
def officer_api(api, officer_a):
    api.force_authenticate(officer_a)
    return api


# ------------------------------------------------------------------------------------ services


@pytest.mark.django_db
def test_enrol_stores_every_finger_with_versions_quality_and_audit(officer_a, post_a):
    capture = fingerprint_enrol(
        actor=officer_a, person_id=501, post=post_a, inspection_id=9,
        fingers=[FingerInput(2, raw("db1_101_1.tif")), FingerInput(3, raw("db1_102_1.tif"), "rolled")],
    )
    imps = list(capture.impressions.order_by("position"))
    assert [i.position for i in imps] == [2, 3]
    assert imps[1].impression_type == "rolled"
    for imp in imps:
        assert imp.extractor_version.startswith("nbis-mindtct/")
        assert imp.matcher_version.startswith("bmis-mcc16b-lssr/")
        assert imp.quality_score >= 30 and imp.minutiae_count >= 12
        assert bytes(imp.image_png)[:8] == b"\x89PNG\r\n\x1a\n"
        assert imp.purpose == "border_control" and imp.retention_until > timezone.localdate()
    event = AuditEvent.objects.get(action="fingerprint_capture.enrol")
    assert event.metadata["positions"] == [2, 3]


@pytest.mark.django_db
def test_re_enrolling_a_finger_replaces_the_active_one(officer_a):
    first = fingerprint_enrol(actor=officer_a, person_id=7, fingers=[FingerInput(1, raw("db1_101_1.tif"))])
    fingerprint_enrol(actor=officer_a, person_id=7, fingers=[FingerInput(1, raw("db1_101_2.tif"))])
    active = FingerprintImpression.objects.filter(person_id=7, position=1, is_active=True)
    assert active.count() == 1 and active.get().capture_id != first.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make_bad", "field", "text"),  # made when the test runs (shared data)
    [
        (lambda: FingerInput(3, b"%PDF-1.4 not an image"), "fingers.1.image", "not a readable image"),
        (lambda: FingerInput(3, blank_png()), "fingers.1.image", "No finger detected"),
        (lambda: FingerInput(3, face_png()), "fingers.1.image", "does not look like a fingerprint"),
        (lambda: FingerInput(3, raw("db1_102_1.tif"), resolution_dpi=150), "fingers.1.resolution_dpi", "150 ppi"),
        (lambda: FingerInput(11, raw("db1_102_1.tif")), "fingers.1.position", "from 1 (right thumb) to 10"),
        (lambda: FingerInput(0, raw("db1_102_1.tif")), "fingers.1.position", "from 1 (right thumb) to 10"),
        (lambda: FingerInput(2, raw("db1_102_1.tif")), "fingers.1.position", "appears more than once"),
        (lambda: FingerInput(3, raw("db1_102_1.tif"), impression_type="smudge"), "fingers.1.impression_type", "plain"),
    ],
)
def test_one_bad_finger_rejects_the_whole_set(officer_a, make_bad, field, text):
    bad = make_bad()
    with pytest.raises(FingerprintInputError) as err:
        fingerprint_enrol(actor=officer_a, person_id=42, fingers=[FingerInput(2, raw("db1_101_1.tif")), bad])
    messages = err.value.message_dict
    assert field in messages, messages
    assert text in " ".join(messages[field])
    assert FingerprintCapture.objects.count() == 0 and FingerprintImpression.objects.count() == 0
    assert not AuditEvent.objects.filter(action="fingerprint_capture.enrol").exists()


@pytest.mark.django_db
def test_enrol_needs_exactly_one_subject(officer_a, wanted_entry):
    fingers = [FingerInput(1, raw("db1_101_1.tif"))]
    with pytest.raises(Exception) as err:
        fingerprint_enrol(actor=officer_a, fingers=fingers)
    assert "person_id" in err.value.message_dict
    with pytest.raises(Exception) as err:
        fingerprint_enrol(actor=officer_a, fingers=fingers, person_id=3, person_entry=wanted_entry)
    assert "person_id" in err.value.message_dict


@pytest.mark.django_db
def test_verify_matches_the_same_finger_and_rejects_another(officer_a, committed):
    fingerprint_enrol(actor=officer_a, person_id=11, fingers=[FingerInput(1, raw("db1_101_1.tif"))])
    with committed():
        same = fingerprint_search_create(actor=officer_a, kind="verify", person_id=11,
                                         fingers=[FingerInput(1, raw("db1_101_2.tif"))])
    same.refresh_from_db()
    assert same.status == SearchStatus.DONE and same.decision == "match"
    assert same.result["fingers"]["1"]["score"] > same.threshold
    with committed():
        other = fingerprint_search_create(actor=officer_a, kind="verify", person_id=11,
                                          fingers=[FingerInput(1, raw("db1_102_1.tif"))])
    other.refresh_from_db()
    assert other.decision == "no_match"
    with committed():
        absent = fingerprint_search_create(actor=officer_a, kind="verify", person_id=11,
                                           fingers=[FingerInput(4, raw("db1_101_2.tif"))])
    absent.refresh_from_db()
    assert absent.decision == "no_reference"
    assert AuditEvent.objects.filter(action="fingerprint_search.complete").count() == 3


@pytest.mark.django_db
def test_identify_raises_hits_against_travelers_and_watchlist_persons(officer_a, supervisor, post_a, wanted_entry, committed,
                                                                     traveler_a):
    seen = traveler_a().person_id  # candidates name only travelers the officer may see (post A's)
    fingerprint_enrol(actor=officer_a, person_id=seen, fingers=[FingerInput(1, raw("db1_101_1.tif"))])
    fingerprint_enrol(actor=supervisor, person_entry=wanted_entry, fingers=[FingerInput(2, raw("db1_102_1.tif"))])
    with committed():
        search = fingerprint_search_create(
            actor=officer_a, kind="identify", person_id=99, inspection_id=5, post=post_a,
            fingers=[FingerInput(1, raw("db1_101_2.tif")), FingerInput(2, raw("db1_102_2.tif"))],
        )
    search.refresh_from_db()
    assert search.status == SearchStatus.DONE and search.decision == "hit"
    hits = Hit.objects.filter(source="fingerprint", inspection_id=5)
    assert hits.count() == 2
    traveler_hit = hits.get(matched_person_id=seen)
    entry_hit = hits.get(person_entry=wanted_entry)
    assert entry_hit.action == "arrest" and entry_hit.person_id == 99
    assert traveler_hit.score >= search.threshold
    assert {c.get("hit_id") for c in search.result["candidates"] if c["above_threshold"]} == {
        traveler_hit.pk, entry_hit.pk}
    # The supervisors' hit queue links each fingerprint hit to the search that raised it.
    from django.test import Client

    reviewer = Client()
    reviewer.force_login(supervisor)
    queue = reviewer.get("/watchlists/hits/").content.decode()
    assert queue.count(f'href="/biometrics/fingerprints/searches/{search.pk}/"') == 2


@pytest.mark.django_db
def test_identify_excludes_the_screened_traveler_and_respects_positions(officer_a, committed):
    fingerprint_enrol(actor=officer_a, person_id=31, fingers=[FingerInput(1, raw("db1_101_1.tif"))])
    with committed():
        own = fingerprint_search_create(actor=officer_a, kind="identify", person_id=31,
                                        fingers=[FingerInput(1, raw("db1_101_2.tif"))])
    own.refresh_from_db()
    assert own.decision == "no_hit" and not Hit.objects.exists()
    with committed():
        other_finger = fingerprint_search_create(actor=officer_a, kind="identify",
                                                 fingers=[FingerInput(6, raw("db1_101_2.tif"))])
    other_finger.refresh_from_db()
    assert other_finger.decision == "no_hit"


@pytest.mark.django_db
def test_the_gallery_follows_new_and_replaced_enrolments(officer_a, committed, traveler_a):
    pid = traveler_a().person_id
    fingerprint_enrol(actor=officer_a, person_id=pid, fingers=[FingerInput(1, raw("db1_102_1.tif"))])
    with committed():
        first = fingerprint_search_create(actor=officer_a, kind="identify", fingers=[FingerInput(1, raw("db1_101_2.tif"))])
    first.refresh_from_db()
    assert first.decision == "no_hit"
    # The traveler's finger 1 is replaced by one that matches the probe: the next search sees it.
    fingerprint_enrol(actor=officer_a, person_id=pid, fingers=[FingerInput(1, raw("db1_101_1.tif"))])
    with committed():
        second = fingerprint_search_create(actor=officer_a, kind="identify", fingers=[FingerInput(1, raw("db1_101_2.tif"))])
    second.refresh_from_db()
    assert second.decision == "hit"
    assert second.result["candidates"][0]["person_id"] == pid


@pytest.mark.django_db
def test_verify_without_enrolment_is_refused_on_person_id(officer_a, committed):
    with pytest.raises(Exception) as err:
        with committed():
            fingerprint_search_create(actor=officer_a, kind="verify", person_id=12345,
                                      fingers=[FingerInput(1, raw("db1_101_2.tif"))])
    assert "person_id" in err.value.message_dict
    assert not FingerprintSearch.objects.exists()


@pytest.mark.django_db
def test_purge_deletes_expired_fingerprints_and_audits(officer_a):
    capture = fingerprint_enrol(actor=officer_a, person_id=51, fingers=[FingerInput(1, raw("db1_101_1.tif"))])
    assert fingerprint_purge_expired() == 0
    FingerprintImpression.objects.filter(capture=capture).update(retention_until=timezone.localdate() - dt.timedelta(days=1))
    assert fingerprint_purge_expired() == 1
    assert not FingerprintImpression.objects.exists() and not FingerprintCapture.objects.exists()
    assert AuditEvent.objects.filter(action="fingerprint_impression.purge").exists()


def test_search_task_is_durable_and_routed_to_the_biometrics_queue(settings):
    assert search_task.acks_late is True
    assert search_task.max_retries >= 1
    assert search_task.name == "biometrics.fingerprint_search"
    routes = settings.CELERY_TASK_ROUTES
    assert routes["biometrics.*"]["queue"] == "biometrics"


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_identify_runs_on_a_real_worker(officer_a, celery_live_worker, traveler_a):
    # A real traveler at officer A's post: 1:N candidates name only travelers the requester may see.
    pid = traveler_a().person_id
    fingerprint_enrol(actor=officer_a, person_id=pid, fingers=[FingerInput(1, raw("db1_101_1.tif"))])
    search = fingerprint_search_create(actor=officer_a, kind="identify",
                                       fingers=[FingerInput(1, raw("db1_101_2.tif"))])
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        search.refresh_from_db()
        if search.status != SearchStatus.PENDING:
            break
        time.sleep(0.3)
    assert search.status == SearchStatus.DONE and search.decision == "hit"


# ------------------------------------------------------------------------------------ API


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


# ------------------------------------------------------------------------------------ UI


def _upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.django_db
def test_capture_screen_shows_ten_fingers(login, officer_a, booth_a, traveler_a):
    c = login(officer_a, booth_a)
    r = c.get(f"/biometrics/fingerprints/capture/?inspection={traveler_a().pk}")
    assert r.status_code == 200
    html = r.content.decode()
    assert html.count('name="finger_') == 10
    assert "right thumb" in html and "left little" in html


@pytest.mark.django_db
def test_capture_screen_enrols_and_shows_quality(login, officer_a, booth_a, traveler_a):
    c = login(officer_a, booth_a)
    inspection = traveler_a()
    pid = inspection.person_id
    r = c.post("/biometrics/fingerprints/capture/", {
        "action": "enrol", "inspection": str(inspection.pk),
        "finger_1": _upload("a.tif", raw("db1_101_1.tif")), "finger_2": _upload("b.tif", raw("db1_102_1.tif")),
    })
    assert r.status_code == 200, r.content.decode()[:2000]
    html = r.content.decode()
    assert "2 fingers enrolled" in html
    assert html.count('data-state="good"') == 2 and html.count('data-state="missing"') == 8
    assert FingerprintImpression.objects.filter(person_id=pid).count() == 2


@pytest.mark.django_db
def test_capture_screen_marks_poor_and_missing_fingers_and_stores_nothing(login, officer_a, booth_a, traveler_a):
    c = login(officer_a, booth_a)
    r = c.post("/biometrics/fingerprints/capture/", {
        "action": "enrol", "inspection": str(traveler_a().pk),
        "finger_1": _upload("a.tif", raw("db1_101_1.tif")), "finger_2": _upload("face.png", face_png()),
        "finger_3": _upload("blank.png", blank_png()), "finger_4": _upload("notes.txt", b"hello"),
    })
    assert r.status_code == 400
    html = r.content.decode()
    assert "Nothing was stored" in html
    assert 'data-position="1" data-state="good"' in html
    for pos in (2, 3, 4):
        assert f'data-position="{pos}" data-state="poor"' in html
    assert html.count('data-state="missing"') == 6
    assert "does not look like a fingerprint" in html and "No finger detected" in html
    assert not FingerprintImpression.objects.exists()


@pytest.mark.django_db
def test_capture_screen_verify_and_identify(login, officer_a, booth_a, committed, traveler_a):
    c = login(officer_a, booth_a)
    first, screened = traveler_a(), traveler_a()
    pid = first.person_id
    c.post("/biometrics/fingerprints/capture/", {"action": "enrol", "inspection": str(first.pk),
                                                 "finger_1": _upload("a.tif", raw("db1_101_1.tif"))})
    with committed():
        r = c.post("/biometrics/fingerprints/capture/", {"action": "verify", "inspection": str(first.pk),
                                                         "finger_1": _upload("b.tif", raw("db1_101_2.tif"))})
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert 'data-decision="match"' in page
    with committed():
        r = c.post("/biometrics/fingerprints/capture/", {"action": "identify", "inspection": str(screened.pk),
                                                         "finger_1": _upload("b.tif", raw("db1_101_2.tif"))})
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert 'data-decision="hit"' in page and f"Traveler {pid}" in page


@pytest.mark.django_db
def test_capture_screen_bad_fields(login, officer_a, booth_a, committed, traveler_a):
    c = login(officer_a, booth_a)
    with committed():
        r = c.post("/biometrics/fingerprints/capture/", {"action": "verify", "inspection": "abc",
                                                         "finger_1": _upload("b.tif", raw("db1_101_2.tif"))})
    assert r.status_code == 400 and 'data-field="inspection"' in r.content.decode()
    iid = str(traveler_a().pk)
    r = c.post("/biometrics/fingerprints/capture/", {"action": "enrol", "inspection": iid})
    assert r.status_code == 400 and 'data-field="fingers"' in r.content.decode()
    assert "No file was chosen" in r.content.decode()
    r = c.post("/biometrics/fingerprints/capture/", {"action": "enrol", "inspection": iid, "resolution_dpi": "90",
                                                     "finger_1": _upload("b.tif", raw("db1_101_2.tif"))})
    assert r.status_code == 400 and "90 ppi" in r.content.decode()


@pytest.mark.django_db
def test_capture_screen_needs_an_officer(client, login, officer_a):
    r = client.get("/biometrics/fingerprints/capture/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.django_db
def test_inspection_panel_shows_fingerprint_results(officer_a, post_a, committed):
    fingerprint_enrol(actor=officer_a, person_id=701, inspection_id=33, post=post_a,
                      fingers=[FingerInput(1, raw("db1_101_1.tif"))])
    with committed():
        fingerprint_search_create(actor=officer_a, kind="verify", person_id=701, inspection_id=33, post=post_a,
                                  fingers=[FingerInput(1, raw("db1_101_2.tif"))])
    request = RequestFactory().get("/")
    request.user = officer_a
    html = Template("{% load biometrics_tags %}{% biometrics_panel 33 %}").render(Context({"request": request}))
    assert 'data-modality="fingerprint"' in html
    assert "1 finger enrolled" in html and 'data-decision="match"' in html
    empty = Template("{% load biometrics_tags %}{% biometrics_panel 34 %}").render(Context({"request": request}))
    assert "no capture for this inspection" in empty


@pytest.mark.django_db
def test_enrolled_fingers_carry_their_index_record_and_searches_agree_without_it(officer_a, committed, traveler_a):
    from django.core.management import call_command

    from biometrics.fingerprint.identification import FingerprintIndex

    version = FingerprintIndex().prepared_version
    pid = traveler_a().person_id
    fingerprint_enrol(actor=officer_a, person_id=pid, fingers=[FingerInput(1, raw("db1_101_1.tif")),
                                                              FingerInput(2, raw("db1_102_1.tif"))])
    assert all(i.index_data and i.index_version == version for i in FingerprintImpression.objects.all())

    def identify():
        fingerprint_gallery_reset()  # a worker starting afresh
        with committed():
            search = fingerprint_search_create(actor=officer_a, kind="identify", person_id=99,
                                               fingers=[FingerInput(1, raw("db1_101_2.tif"))])
        search.refresh_from_db()
        return [(c["person_id"], round(c["score"], 6)) for c in search.result["candidates"]]

    from_records = identify()
    assert from_records and from_records[0][0] == pid
    FingerprintImpression.objects.update(index_data=None, index_version="")
    assert identify() == from_records  # rebuilt from the templates: the same answer
    call_command("fingerprint_index_prepare")
    assert all(bytes(i.index_data) and i.index_version == version for i in FingerprintImpression.objects.all())
    assert identify() == from_records
