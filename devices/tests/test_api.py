"""The device API through the real stack: credentials, idempotency, validation, places."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from audit.models import AuditEvent
from core.tests.factories import SectorFactory
from devices.models import Detection, DeviceEvent, DeviceEventFile, EventStatus
from devices.services import device_credential_rotate, device_revoke
from devices.tests.factories import event, make_device

pytestmark = pytest.mark.django_db


def _jpeg(size=(64, 48)) -> str:
    buf = io.BytesIO()
    Image.new("RGB", size, (90, 120, 150)).save(buf, "JPEG")
    return base64.b64encode(buf.getvalue()).decode()


def _post(api, raw, path, body):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api.post(f"/api/v1/devices/{path}", body, format="json")


@pytest.fixture
def sector(post_b):
    return SectorFactory(post=post_b, code="SEC1")


@pytest.fixture
def camera(post_b, sector):
    return make_device("thermal_camera", post=post_b, sector=sector, code="THERM1", latitude=33.50, longitude=46.00)


@pytest.fixture
def reader(booth_a):
    return make_device("document_reader", post=booth_a.post, booth=booth_a, code="READER1")


def test_heartbeat_is_stored_once_and_updates_health(api, reader):
    device, raw = reader
    body = event(status="degraded", temperature_c=41.5, battery_percent=80, error_codes=["LAMP_WEAK"], firmware="2.1")
    first = _post(api, raw, "heartbeat", body)
    assert first.status_code == 201, first.content
    again = _post(api, raw, "heartbeat", body)
    assert again.status_code == 200
    assert again.json()["received_at"] == first.json()["received_at"]
    assert DeviceEvent.objects.filter(device=device).count() == 1
    device.refresh_from_db()
    assert device.reported_status == "degraded" and device.temperature_c == 41.5
    assert device.error_codes == ["LAMP_WEAK"] and device.firmware == "2.1"
    assert device.is_online()
    firmware = AuditEvent.objects.get(action="device.firmware")
    assert firmware.actor_device == "READER1"


@pytest.mark.parametrize("header", ["Bearer bmisdev_000000000000_" + "x" * 43, "Bearer nonsense", "Basic abc"])
def test_unknown_or_malformed_credentials_are_401(api, header):
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.post("/api/v1/devices/heartbeat", event(), format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] in ("invalid_credential", "malformed_credential")


def test_no_credential_is_401(api):
    assert api.post("/api/v1/devices/heartbeat", event(), format="json").status_code == 401


def test_revoked_device_and_rotated_credential_are_refused(api, reader, admin_user):
    device, raw = reader
    new_raw = device_credential_rotate(actor=admin_user, device=device)
    assert _post(api, raw, "heartbeat", event()).json()["error"]["code"] == "credential_revoked"
    assert _post(api, new_raw, "heartbeat", event()).status_code == 201
    device_revoke(actor=admin_user, device=device, reason="stolen from the booth")
    response = _post(api, new_raw, "heartbeat", event())
    assert response.status_code == 401


def test_partner_token_is_not_a_device_credential(api, make_partner):
    _client, raw = make_partner(["devices:write"])
    assert _post(api, raw, "heartbeat", event()).status_code == 401


def test_wrong_kind_and_other_place_are_403(api, reader, camera, booth_b):
    _device, raw = reader
    response = _post(api, raw, "detections", event(**{"class": "person"}, confidence=0.9, latitude=33.5, longitude=46))
    assert response.status_code == 403 and response.json()["error"]["code"] == "wrong_device_kind"
    response = _post(api, raw, "documents", event(mrz="P<UTOERIKSSON<<ANNA<MARIA" + "<" * 19 + "\n" + "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
                                                  booth=booth_b.code))
    assert response.status_code == 403 and response.json()["error"]["code"] == "not_your_place"
    _cam, cam_raw = camera
    response = _post(api, cam_raw, "detections", event(**{"class": "person"}, confidence=0.9, latitude=33.5,
                                                       longitude=46.0, sector="ELSEWHERE"))
    assert response.status_code == 403
    assert not DeviceEvent.objects.exists()


def test_detection_by_bearing_and_distance_is_placed_and_kept_with_snapshot(api, camera):
    _device, raw = camera
    response = _post(api, raw, "detections", event(**{"class": "person"}, count=4, confidence=0.87, bearing_deg=90,
                                                   distance_m=1000, track_id="T-17", snapshot=_jpeg()))
    assert response.status_code == 201, response.content
    detection = Detection.objects.get()
    assert detection.count == 4 and detection.track_id == "T-17" and detection.has_snapshot
    assert abs(detection.latitude - 33.50) < 0.001 and abs(detection.longitude - 46.0107) < 0.001
    assert DeviceEventFile.objects.get().content_type == "image/jpeg"


@pytest.mark.parametrize(("fields", "field"), [
    ({"latitude": 35.0, "longitude": 44.0}, "latitude"),            # far outside the sector
    ({"latitude": 33.5}, "longitude"),                               # half a position
    ({"latitude": "north", "longitude": 46.0}, "latitude"),          # not a number
    ({"latitude": 33.5, "longitude": 46.0, "snapshot": "%%%"}, "snapshot"),  # not base64
    ({"latitude": 33.5, "longitude": 46.0, "snapshot": base64.b64encode(b"not an image").decode()}, "snapshot"),
    ({"latitude": 33.5, "longitude": 46.0, "confidence": 3}, "confidence"),
    ({"latitude": 33.5, "longitude": 46.0, "class": "ghost"}, "class"),
    ({"latitude": 33.5, "longitude": 46.0, "event_id": "spaces are not allowed"}, "event_id"),
    ({"latitude": 33.5, "longitude": 46.0, "time": "2026-13-45"}, "time"),
])
def test_bad_detections_are_400_naming_the_field(api, camera, fields, field):
    _device, raw = camera
    body = event(**{"class": "person"}, confidence=0.9)
    body.update(fields)
    response = _post(api, raw, "detections", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not DeviceEvent.objects.exists()


def test_oversized_snapshot_is_400(api, camera, settings):
    settings.DEVICES_MAX_FILE_BYTES = 2048
    _device, raw = camera
    response = _post(api, raw, "detections", event(**{"class": "person"}, confidence=0.9, latitude=33.5,
                                                   longitude=46.0, snapshot=_jpeg((400, 400))))
    assert response.status_code == 400
    assert "larger than" in response.json()["error"]["fields"]["snapshot"][0]


def test_clock_skew_is_accepted_flagged_and_server_time_used(api, camera):
    _device, raw = camera
    skewed = (timezone.now() + timedelta(hours=6)).isoformat()
    response = _post(api, raw, "detections", event(**{"class": "vehicle"}, confidence=0.7, latitude=33.5,
                                                   longitude=46.0, time=skewed))
    assert response.status_code == 201
    assert response.json()["flags"] == ["clock_skew"]
    assert response.json()["clock_skew_seconds"] > 6 * 3600 - 60
    detection = Detection.objects.get()
    assert abs((detection.observed_at - timezone.now()).total_seconds()) < 60


def test_position_from_a_handset(api, post_b):
    _device, raw = make_device("patrol_handset", post=post_b, code="HANDSET1")
    response = _post(api, raw, "positions", event(latitude=33.51, longitude=46.01, status="en_route",
                                                  message="leaving the post"))
    assert response.status_code == 201, response.content
    assert DeviceEvent.objects.get().status == EventStatus.PROCESSED


def test_unknown_field_is_refused(api, reader):
    _device, raw = reader
    response = _post(api, raw, "heartbeat", event(temprature_c=40))
    assert response.status_code == 400
    assert "temprature_c" in response.json()["error"]["fields"]


def test_an_event_that_waited_in_a_queue_keeps_its_time(api, camera):
    """Sent ten minutes late by a device whose clock is right (sent_at = now): no skew, the
    detection keeps the device's time. Without sent_at the same lateness is not taken for a wrong
    clock either (it may have waited in a queue)."""
    _device, raw = camera
    late = timezone.now() - timedelta(minutes=10)
    for extra in ({"sent_at": timezone.now().isoformat()}, {}):
        response = _post(api, raw, "detections", event(**{"class": "person"}, confidence=0.9, latitude=33.5,
                                                       longitude=46.0, time=late.isoformat(), **extra))
        assert response.status_code == 201, response.content
        assert response.json()["flags"] == [] and abs(response.json()["clock_skew_seconds"]) < 5
    assert all(abs((d.observed_at - late).total_seconds()) < 1 for d in Detection.objects.all())


def test_a_clock_that_is_off_is_measured_from_sent_at_and_corrected(api, camera):
    """A device clock one hour behind: its event and sent_at are both an hour early; the skew is
    measured from sent_at, flagged, and the detection's time corrected by it."""
    _device, raw = camera
    behind = timedelta(hours=1)
    happened = timezone.now() - timedelta(seconds=30)
    response = _post(api, raw, "detections", event(**{"class": "person"}, confidence=0.9, latitude=33.5,
                                                   longitude=46.0, time=(happened - behind).isoformat(),
                                                   sent_at=(timezone.now() - behind).isoformat()))
    assert response.status_code == 201
    assert response.json()["flags"] == ["clock_skew"]
    assert abs(response.json()["clock_skew_seconds"] + 3600) < 5
    assert abs((Detection.objects.get().observed_at - happened).total_seconds()) < 5


def test_a_time_far_in_the_past_without_sent_at_is_a_clock_error(api, camera):
    _device, raw = camera
    response = _post(api, raw, "detections", event(**{"class": "person"}, confidence=0.9, latitude=33.5,
                                                   longitude=46.0, time="2001-01-01T00:00:00+00:00"))
    assert response.status_code == 201 and response.json()["flags"] == ["clock_skew"]
    assert abs((Detection.objects.get().observed_at - timezone.now()).total_seconds()) < 60
