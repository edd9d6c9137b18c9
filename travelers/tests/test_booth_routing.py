"""Booth routing through the real device API (a device credential), the real database and the
officer's real session: a document read on a booth's reader opens the inspection on the screen of
the officer signed in at that booth (once), expires when nobody opens it, and captures from the
booth's camera or scanner land on the booth's open inspection."""

from __future__ import annotations

import base64
import io
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from core.models import Direction
from core.tests.factories import BoothFactory
from devices.models import DeviceEvent
from devices.tests.factories import event, make_device
from travelers.models import BoothRead, BoothReadOutcome, BoothReadStatus, Inspection
from travelers.services.booth_routing import booth_read_claim, booth_read_pending, booth_reads_expire
from travelers.tests.factories import passport

pytestmark = pytest.mark.django_db

POLL = "/travelers/checkpoint/booth"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_X_BMIS_PASSIVE": "1"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The booth's device status and capture marker are cached by booth id: none from another test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 150)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def reader(booth_a):
    return make_device("document_reader", post=booth_a.post, booth=booth_a, code="READER-A1")


@pytest.fixture
def camera(booth_a):
    return make_device("face_camera", post=booth_a.post, booth=booth_a, code="CAM-A1")


@pytest.fixture
def scanner(booth_a):
    return make_device("fingerprint_scanner", post=booth_a.post, booth=booth_a, code="SCAN-A1")


def device_post(api, device, path, **fields):
    _device, raw = device
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api.post(f"/api/v1/devices/{path}", event(**fields), format="json")


def read_document(api, reader, mrz=None, **fields):
    response = device_post(api, reader, "documents", mrz=mrz or passport(), **fields)
    assert response.status_code == 201, response.content
    return response.json()


def test_a_read_is_held_and_opens_once_on_the_booth_officers_screen(api, login, officer_a, booth_a, reader, rules):
    body = read_document(api, reader)
    assert body["status"] == "processed"
    assert body["result"]["routing"] == "held" and body["result"]["booth"] == booth_a.code
    read = BoothRead.objects.get()
    assert read.status == BoothReadStatus.PENDING and read.mrz

    client = login(officer_a, booth=booth_a)
    r = client.get(POLL, **HTMX)
    html = r.content.decode()
    assert r.status_code == 200
    # The inspection replaces the screen's result area, as a typed MRZ would.
    assert 'id="result" hx-swap-oob="innerHTML"' in html and "article class=\"inspection" in html
    assert "HADDAD" in html and "N1234567" in html
    inspection = Inspection.objects.get()
    assert (inspection.officer, inspection.booth, inspection.direction, inspection.source) == (
        officer_a, booth_a, Direction.ENTRY, "mrz")
    assert inspection.steps[0]["device"] == "READER-A1"
    start = AuditEvent.objects.get(action="inspection.start", object_id=str(inspection.pk))
    assert start.actor_user_id == officer_a.pk and start.actor_device == "READER-A1"
    read.refresh_from_db()
    assert (read.status, read.outcome, read.inspection, read.claimed_by, read.mrz) == (
        BoothReadStatus.CLAIMED, BoothReadOutcome.OPENED, inspection, officer_a, "")

    # The next polls find nothing: no second inspection; with the screen's state, nothing to swap.
    state = html.split('data-state="', 1)[1].split('"', 1)[0]
    assert client.get(POLL, {"state": state}, **HTMX).status_code == 204
    assert Inspection.objects.count() == 1
    # The device sending the same event again gets the first answer and opens nothing new.
    assert DeviceEvent.objects.filter(kind="document").count() == 1


def test_an_empty_poll_is_one_query_of_ours_and_writes_nothing(login, officer_a, booth_a, reader):
    client = login(officer_a, booth=booth_a)
    first = client.get(POLL, **HTMX)
    assert first.status_code == 200  # the device strip, first time
    state = first.content.decode().split('data-state="', 1)[1].split('"', 1)[0]
    audits = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as queries:
        r = client.get(POLL, {"state": state}, **HTMX)
    assert r.status_code == 204
    sql = [q["sql"] for q in queries.captured_queries]
    ours = [s for s in sql if "travelers_boothread" in s]
    assert len(ours) == 1, sql
    assert not [s for s in sql if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))], sql
    assert AuditEvent.objects.count() == audits


def test_only_the_officer_at_the_readers_booth_gets_the_read(api, login, client, officer_a, officer_b, booth_a,
                                                             booth_b, post_a, reader, rules):
    read_document(api, reader)
    # An officer at another post's booth, and one at another booth of the same post.
    login(officer_b, booth=booth_b)
    assert client.get(POLL, **HTMX).status_code in (200, 204)
    other_booth = BoothFactory(post=post_a, code="A2")
    client.logout()
    login(officer_a, booth=other_booth)
    assert "article class=\"inspection" not in client.get(POLL, **HTMX).content.decode()
    assert Inspection.objects.count() == 0
    assert BoothRead.objects.get().status == BoothReadStatus.PENDING
    client.logout()
    login(officer_a, booth=booth_a)
    assert "article class=\"inspection" in client.get(POLL, **HTMX).content.decode()
    assert Inspection.objects.get().booth == booth_a


def test_two_polls_with_the_same_pending_read_open_one_inspection(api, officer_a, booth_a, reader, rules):
    read_document(api, reader)
    seen_by_first, seen_by_second = booth_read_pending(booth_a.pk), booth_read_pending(booth_a.pk)
    first = booth_read_claim(actor=officer_a, booth=booth_a, read=seen_by_first)
    second = booth_read_claim(actor=officer_a, booth=booth_a, read=seen_by_second)
    assert first is not None and first.inspection is not None
    assert second is None
    assert Inspection.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_open_one_inspection(api, officer_a, booth_a, reader, rules):
    read_document(api, reader)
    barrier = threading.Barrier(4)
    results = []

    def claim():
        try:
            barrier.wait()
            results.append(booth_read_claim(actor=officer_a, booth=booth_a))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len([c for c in results if c is not None]) == 1
    assert Inspection.objects.count() == 1


def test_a_read_nobody_opens_expires_and_is_reported(api, login, officer_a, booth_a, reader, settings, caplog):
    settings.TRAVELERS_BOOTH_READ_SECONDS = 5
    read_document(api, reader)
    read = BoothRead.objects.get()
    assert read.expires_at == read.received_at + timedelta(seconds=5)
    # Not yet: the periodic task leaves it.
    assert booth_reads_expire(now=read.received_at + timedelta(seconds=4)) == 0
    BoothRead.objects.filter(pk=read.pk).update(received_at=timezone.now() - timedelta(seconds=10),
                                                expires_at=timezone.now() - timedelta(seconds=5))
    client = login(officer_a, booth=booth_a)
    with caplog.at_level("WARNING", logger="travelers.services.booth_routing"):
        html = client.get(POLL, **HTMX).content.decode()
    assert "article class=\"inspection" not in html
    assert Inspection.objects.count() == 0
    read.refresh_from_db()
    assert (read.status, read.mrz) == (BoothReadStatus.EXPIRED, "")
    audit = AuditEvent.objects.get(action="booth_read.expire")
    assert audit.actor_device == "READER-A1" and audit.metadata["booth"] == booth_a.code
    assert any("expired" in r.getMessage() and "READER-A1" in r.getMessage() for r in caplog.records)
    assert "HADDAD" not in caplog.text  # no personal data in the log


def test_the_periodic_task_expires_reads(api, reader, settings):
    from travelers.tasks import booth_reads_expire_task

    read_document(api, reader)
    BoothRead.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert booth_reads_expire_task() == {"expired": 1}
    assert BoothRead.objects.get().status == BoothReadStatus.EXPIRED


def test_a_later_read_replaces_one_still_waiting(api, login, officer_a, booth_a, reader, rules):
    read_document(api, reader, mrz=passport(document_number="A1111111"))
    read_document(api, reader, mrz=passport(document_number="B2222222"))
    assert list(BoothRead.objects.order_by("pk").values_list("status", flat=True)) == [
        BoothReadStatus.SUPERSEDED, BoothReadStatus.PENDING]
    html = login(officer_a, booth=booth_a).get(POLL, **HTMX).content.decode()
    assert "B2222222" in html and "A1111111" not in html


def test_a_read_with_mrz_errors_is_shown_like_a_typed_one(api, login, officer_a, booth_a, reader, rules):
    line1, line2 = passport().split("\n")
    bad = line1 + "\n" + line2[:9] + ("0" if line2[9] != "0" else "1") + line2[10:]  # document number check digit
    read_document(api, reader, mrz=bad)
    html = login(officer_a, booth=booth_a).get(POLL, **HTMX).content.decode()
    assert 'id="result" hx-swap-oob="innerHTML"' in html
    assert "The document cannot be accepted as read" in html and 'data-kind="check_digit"' in html
    assert 'name="document_number"' in html  # the correction form, filled from the read
    assert Inspection.objects.count() == 0
    assert BoothRead.objects.get().outcome == BoothReadOutcome.INVALID


def test_direction_from_the_read_then_the_booth_then_the_screen(api, login, officer_a, booth_a, reader, rules):
    client = login(officer_a, booth=booth_a)
    read_document(api, reader, mrz=passport(document_number="C3333333"), direction="exit")
    client.get(POLL, {"direction": "entry"}, **HTMX)
    assert Inspection.objects.get(document__number="C3333333").direction == Direction.EXIT
    read_document(api, reader, mrz=passport(document_number="D4444444"))
    client.get(POLL, {"direction": "exit", "transport_mode": "vehicle", "carrier": "12345 BGD"}, **HTMX)
    inspection = Inspection.objects.get(document__number="D4444444")
    assert (inspection.direction, inspection.transport_mode, inspection.carrier) == ("exit", "vehicle", "12345 BGD")
    booth_a.direction = Direction.ENTRY
    booth_a.save()
    read_document(api, reader, mrz=passport(document_number="E5555555"))
    client.get(POLL, {"direction": "exit"}, **HTMX)
    assert Inspection.objects.get(document__number="E5555555").direction == Direction.ENTRY


def test_a_reader_not_at_a_booth_is_refused(api, post_a):
    device = make_device("document_reader", post=post_a, code="READER-POST")
    r = device_post(api, device, "documents", mrz=passport())
    assert r.status_code == 409, r.content
    assert r.json()["error"]["code"] == "not_at_booth"
    assert BoothRead.objects.count() == 0


def test_the_poll_needs_a_signed_in_booth(client, login, supervisor_a):
    assert client.get(POLL).status_code in (302, 401, 403)
    login(supervisor_a)
    assert client.get(POLL, **HTMX).status_code == 204


def test_the_checkpoint_shows_the_booths_devices(api, login, officer_a, booth_a, reader, camera, scanner):
    device_post(api, reader, "heartbeat", status="ok")
    scanner_device = scanner[0]
    scanner_device.last_seen_at = timezone.now() - timedelta(hours=1)
    scanner_device.save(update_fields=["last_seen_at"])
    html = login(officer_a, booth=booth_a).get("/travelers/checkpoint/").content.decode()
    assert 'id="booth-poll"' in html and 'hx-trigger="every 500ms"' in html and "data-passive" in html
    assert 'data-device="READER-A1" data-role="reader" data-state="ready"' in html
    assert 'data-device="CAM-A1" data-role="camera" data-state="unseen"' in html
    assert 'data-device="SCAN-A1" data-role="scanner" data-state="offline"' in html


# -- captures -------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _png(tif: bytes) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.open(io.BytesIO(tif)).save(buf, format="PNG")
    return buf.getvalue()


def test_a_capture_with_no_open_inspection_is_refused(api, camera, officer_a, booth_a, reader, rules):
    r = device_post(api, camera, "captures", modality="face", image=_b64(_jpeg()))
    assert r.status_code == 409, r.content
    assert r.json()["error"]["code"] == "no_open_inspection"
    # Nor on an inspection left open at the booth long ago.
    read_document(api, reader)
    inspection = booth_read_claim(actor=officer_a, booth=booth_a).inspection
    Inspection.objects.filter(pk=inspection.pk).update(read_at=timezone.now() - timedelta(minutes=31))
    r = device_post(api, camera, "captures", modality="face", image=_b64(_jpeg()))
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_open_inspection"


@pytest.mark.django_db(transaction=True)
def test_a_face_capture_lands_on_the_booths_open_inspection(api, login, officer_a, booth_a, reader, camera, rules):
    from biometrics.models.face import FaceIdentification, FaceImage
    from biometrics.tests.face.conftest import read_fixture

    read_document(api, reader)
    client = login(officer_a, booth=booth_a)
    html = client.get(POLL, **HTMX).content.decode()
    state = html.split('data-state="', 1)[1].split('"', 1)[0]
    inspection = Inspection.objects.get()

    r = device_post(api, camera, "captures", modality="face", image=_b64(read_fixture("img10.jpg")))
    assert r.status_code == 201, r.content
    result = r.json()["result"]
    assert result["inspection"] == inspection.pk and result["accepted"] is True
    image = FaceImage.objects.get(inspection_id=inspection.pk)
    assert (image.source, image.person_id, image.post_id) == ("device", inspection.person_id, booth_a.post_id)
    assert FaceIdentification.objects.filter(inspection_id=inspection.pk).exists()
    assert AuditEvent.objects.get(action="face_image.create").actor_device == "CAM-A1"
    # The screen's next poll redraws the inspection's biometrics panel.
    html = client.get(POLL, {"state": state}, **HTMX).content.decode()
    assert f'id="biometrics-{inspection.pk}"' in html and 'hx-swap-oob="true"' in html


@pytest.mark.django_db(transaction=True)
def test_a_fingerprint_capture_is_enrolled_and_searched(api, login, officer_a, booth_a, reader, scanner, rules):
    from biometrics.models.fingerprint import FingerprintImpression, FingerprintSearch
    from biometrics.tests.conftest import fingerprint_fixture

    read_document(api, reader)
    login(officer_a, booth=booth_a).get(POLL, **HTMX)
    inspection = Inspection.objects.get()
    r = device_post(api, scanner, "captures", modality="fingerprint",
                    fingers=[{"position": 2, "image": _b64(_png(fingerprint_fixture("db1_101_1.tif")))}],
                    missing=[{"position": 1, "reason": "bandaged"}])
    assert r.status_code == 201, r.content
    result = r.json()["result"]
    assert result["inspection"] == inspection.pk and result["enrolled"] == [2]
    impression = FingerprintImpression.objects.get(person_id=inspection.person_id)
    assert impression.capture.source == "device" and impression.capture.inspection_id == inspection.pk
    search = FingerprintSearch.objects.get(pk=result["identify_search"])
    assert search.kind == "identify" and search.inspection_id == inspection.pk


def test_a_face_capture_without_a_face_is_answered_with_coaching(api, officer_a, booth_a, reader, camera, rules):
    read_document(api, reader)
    booth_read_claim(actor=officer_a, booth=booth_a)
    r = device_post(api, camera, "captures", modality="face", image=_b64(_jpeg()))
    assert r.status_code == 201, r.content
    result = r.json()["result"]
    assert result["accepted"] is False and result["quality"]["issues"][0]["code"] == "no_face"
