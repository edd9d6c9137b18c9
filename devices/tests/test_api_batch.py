"""Detections in batches: each detection of a batch is validated, stored, acted on and answered
as if it had been sent alone, idempotent by its event_id."""

from __future__ import annotations

import pytest

from core.tests.factories import SectorFactory
from devices import hooks
from devices.api.serializers import DETECTION_BATCH_MAX
from devices.models import Detection, DeviceEvent, EventStatus
from devices.tests.factories import event, make_device

pytestmark = pytest.mark.django_db

BATCH = "/api/v1/devices/detections/batch"


@pytest.fixture
def camera(post_b):
    sector = SectorFactory(post=post_b, code="SEC1")
    return make_device("thermal_camera", post=post_b, sector=sector, code="THERM1", latitude=33.50, longitude=46.00)


def _detection(**fields) -> dict:
    return event(**{"class": "person", "confidence": 0.9, "latitude": 33.5, "longitude": 46.0, **fields})


def _send(api, raw, body, path=BATCH):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api.post(path, body, format="json")


def test_each_detection_is_answered_as_if_sent_alone(api, camera):
    _device, raw = camera
    before = _detection(track_id="T-1")
    single = _send(api, raw, before, "/api/v1/devices/detections")
    assert single.status_code == 201
    fresh = [_detection(track_id="T-1"), _detection(bearing_deg=90, distance_m=1000), _detection(count=3)]
    outside = _detection(latitude=35.0, longitude=44.0)
    batch = [fresh[0], outside, before, fresh[1], fresh[2]]
    response = _send(api, raw, {"events": batch})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["event_id"] for r in results] == [b["event_id"] for b in batch]
    assert [r["status_code"] for r in results] == [201, 400, 200, 201, 201]
    assert "latitude" in results[1]["error"]["fields"] and "event" not in results[1]
    assert results[2]["event"]["received_at"] == single.json()["received_at"]
    # Incidents act on detections in the background: the answer is "accepted" (stored, queued).
    assert results[0]["event"]["status"] == EventStatus.ACCEPTED
    assert DeviceEvent.objects.count() == Detection.objects.count() == 4

    again = _send(api, raw, {"events": batch}).json()["results"]
    assert [r["status_code"] for r in again] == [200, 400, 200, 200, 200]
    assert [r["event"]["received_at"] for r in again if r["status_code"] == 200] == \
        [r["event"]["received_at"] for r in results if r["status_code"] in (200, 201)]
    assert DeviceEvent.objects.count() == Detection.objects.count() == 4


def test_a_bad_detection_names_its_field_and_refuses_only_itself(api, camera):
    _device, raw = camera
    typo = _detection(confidnce=0.5)
    other_sector = _detection(sector="ELSEWHERE")
    no_id = {k: v for k, v in _detection().items() if k != "event_id"}
    results = _send(api, raw, {"events": [typo, other_sector, no_id, _detection()]}).json()["results"]
    assert [r["status_code"] for r in results] == [400, 403, 400, 201]
    assert results[0]["error"]["fields"]["confidnce"] == ["unknown field"]
    assert results[1]["error"]["code"] == "not_your_place"
    assert results[2]["event_id"] == "" and "event_id" in results[2]["error"]["fields"]
    assert DeviceEvent.objects.count() == 1


@pytest.mark.parametrize("body", [
    {"events": []},
    {"events": [{"event_id": "x"}] * (DETECTION_BATCH_MAX + 1)},
    {"events": "not a list"},
    {"events": ["not an object"]},
    {},
])
def test_a_malformed_batch_is_400_and_stores_nothing(api, camera, body):
    _device, raw = camera
    response = _send(api, raw, body)
    assert response.status_code == 400, response.content
    assert any(name.split(".")[0] == "events" for name in response.json()["error"]["fields"])  # events, events.0
    assert not DeviceEvent.objects.exists()


def test_only_border_cameras_send_detections(api, booth_a):
    _device, raw = make_device("document_reader", post=booth_a.post, booth=booth_a, code="READER1")
    response = _send(api, raw, {"events": [_detection()]})
    assert response.status_code == 403 and response.json()["error"]["code"] == "wrong_device_kind"
    api.credentials()
    assert api.post(BATCH, {"events": [_detection()]}, format="json").status_code == 401


def test_the_background_handler_acts_once_on_each_detection(api, camera, monkeypatch,
                                                            django_capture_on_commit_callbacks):
    calls = []

    def handler(stored):
        calls.append(stored.event_id)
        return {"incident": len(calls)}

    monkeypatch.setitem(hooks._handlers, "detection", hooks.Registered(handler, background=True))
    _device, raw = camera
    batch = [_detection(track_id="T-9") for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        results = _send(api, raw, {"events": batch}).json()["results"]
    assert [r["status_code"] for r in results] == [201, 201, 201]
    with django_capture_on_commit_callbacks(execute=True) as resent:
        _send(api, raw, {"events": batch})
    assert resent == []
    assert calls == [b["event_id"] for b in batch]  # tasks run eagerly here; a resend queues nothing
    assert set(DeviceEvent.objects.values_list("status", flat=True)) == {EventStatus.PROCESSED}


def test_a_batch_is_one_task_and_a_redelivered_task_acts_only_on_the_rest(api, camera, monkeypatch,
                                                                         django_capture_on_commit_callbacks):
    from devices.tasks import process_events_task

    calls = []
    monkeypatch.setitem(hooks._handlers, "detection",
                        hooks.Registered(lambda stored: calls.append(stored.event_id) or {}, background=True))
    _device, raw = camera
    with django_capture_on_commit_callbacks(execute=False) as queued:
        _send(api, raw, {"events": [_detection() for _ in range(4)]})
    assert len(queued) == 1  # one task for the batch, sent once the events are committed
    pks = list(DeviceEvent.objects.order_by("pk").values_list("pk", flat=True))
    assert process_events_task(pks[:2]) == 2 and len(calls) == 2
    assert process_events_task(pks) == 4 and len(calls) == 4  # redelivered with the rest: the first two skipped
    assert set(DeviceEvent.objects.values_list("status", flat=True)) == {EventStatus.PROCESSED}
