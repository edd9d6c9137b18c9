"""Events are stored before they are acted on; handlers' results, refusals and failures; health."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from devices import hooks
from devices.models import AlertKind, DeviceAlert, DeviceEvent, EventStatus
from devices.selectors import booth_device_status, device_state, health_by_place, open_alerts
from devices.services import devices_check_offline
from devices.tests.factories import event, make_device

pytestmark = pytest.mark.django_db

MRZ = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
       "L898902C36UTO7408122F1204159ZE184226B<<<<<10")


def _post(api, raw, path, body):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api.post(f"/api/v1/devices/{path}", body, format="json")


@pytest.fixture
def reader(booth_a):
    return make_device("document_reader", post=booth_a.post, booth=booth_a, code="READER1")


def test_handler_result_is_returned_and_kept_and_audit_names_the_device(api, reader, monkeypatch):
    seen = []

    def handler(ev):
        assert DeviceEvent.objects.filter(pk=ev.pk).exists()  # stored before it is acted on
        seen.append(ev.payload["mrz"])
        from audit.services import audit_log
        audit_log(actor=None, action="test.device_did", obj=ev)
        return {"inspection_id": 42}

    monkeypatch.setitem(hooks._handlers, "document", hooks.Registered(handler, False))
    _device, raw = reader
    body = event(mrz=MRZ)
    response = _post(api, raw, "documents", body)
    assert response.status_code == 201, response.content
    assert response.json()["result"] == {"inspection_id": 42}
    assert _post(api, raw, "documents", body).json()["result"] == {"inspection_id": 42}
    assert len(seen) == 1  # the repeat did not act again
    assert AuditEvent.objects.get(action="test.device_did").actor_device == "READER1"


def test_rejection_is_answered_with_its_status_and_kept(api, reader, monkeypatch):
    def handler(ev):
        raise hooks.EventRejected("no_officer", "nobody is signed in at this booth", status=409)

    monkeypatch.setitem(hooks._handlers, "document", hooks.Registered(handler, False))
    _device, raw = reader
    response = _post(api, raw, "documents", event(mrz=MRZ))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_officer"
    assert DeviceEvent.objects.get().status == EventStatus.REJECTED


def test_failure_keeps_the_event_and_a_resend_acts_again(api, reader, monkeypatch):
    calls = {"n": 0}

    def handler(ev):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database hiccup")
        return {"ok": True}

    monkeypatch.setitem(hooks._handlers, "document", hooks.Registered(handler, False))
    _device, raw = reader
    body = event(mrz=MRZ)
    first = _post(api, raw, "documents", body)
    assert first.status_code == 202 and first.json()["status"] == "failed"
    second = _post(api, raw, "documents", body)
    assert second.status_code == 200 and second.json()["result"] == {"ok": True}
    assert DeviceEvent.objects.count() == 1 and calls["n"] == 2


def test_background_handler_runs_after_commit(api, post_b, monkeypatch, django_capture_on_commit_callbacks):
    from core.tests.factories import SectorFactory

    done = []
    monkeypatch.setitem(hooks._handlers, "detection",
                        hooks.Registered(lambda ev: done.append(ev.pk) or {"incident": 1}, True))
    sector = SectorFactory(post=post_b, code="SEC9")
    _cam, raw = make_device("thermal_camera", post=post_b, sector=sector, latitude=33.5, longitude=46.0)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(api, raw, "detections", event(**{"class": "person"}, confidence=0.9, latitude=33.5,
                                                       longitude=46.0))
    assert response.status_code == 201
    stored = DeviceEvent.objects.get()
    assert done == [stored.pk] and stored.status == EventStatus.PROCESSED  # eager in the embedded default


def test_three_missed_heartbeats_make_a_device_offline_with_an_alert(api, post_b, supervisor):
    from core.tests.factories import SectorFactory

    sector = SectorFactory(post=post_b, code="SEC2")
    camera, raw = make_device("thermal_camera", post=post_b, sector=sector, heartbeat_seconds=30)
    assert device_state(camera) == "unseen"
    assert _post(api, raw, "heartbeat", event()).status_code == 201
    camera.refresh_from_db()
    assert devices_check_offline(now=timezone.now() + timedelta(seconds=80)) == []  # two missed: still online
    later = timezone.now() + timedelta(seconds=95)
    assert [d.pk for d in devices_check_offline(now=later)] == [camera.pk]
    assert devices_check_offline(now=later) == []  # one alert, not one per check
    camera.refresh_from_db()
    assert device_state(camera, later) == "offline"
    alert = DeviceAlert.objects.get(device=camera)
    assert alert.kind == AlertKind.OFFLINE and alert.is_open
    assert [a.pk for a in open_alerts(supervisor)] == [alert.pk]
    assert AuditEvent.objects.filter(action="device.offline", object_id=str(camera.pk)).exists()
    # It comes back: the alert closes.
    assert _post(api, raw, "heartbeat", event()).status_code == 201
    alert.refresh_from_db()
    camera.refresh_from_db()
    assert not alert.is_open and camera.offline_since is None


def test_error_status_opens_an_alert_and_healthy_closes_it(api, reader):
    device, raw = reader
    _post(api, raw, "heartbeat", event(status="error", error_codes=["CAMERA_FAULT"]))
    assert DeviceAlert.objects.get(kind=AlertKind.ERROR).detail == "CAMERA_FAULT"
    _post(api, raw, "heartbeat", event(status="ok"))
    assert not DeviceAlert.objects.filter(closed_at__isnull=True).exists()


def test_booth_status_and_health_by_place(api, reader, booth_a, officer_a, officer_b):
    device, raw = reader
    scanner, _raw = make_device("fingerprint_scanner", post=booth_a.post, booth=booth_a, code="FP1")
    _post(api, raw, "heartbeat", event())
    status = booth_device_status(booth_a.pk)
    assert [(s["code"], s["role"], s["state"]) for s in status] == [("READER1", "reader", "ready"),
                                                                    ("FP1", "scanner", "unseen")]
    health = health_by_place(officer_a)
    assert health[0].total == 2 and health[0].counts["ready"] == 1
    assert health_by_place(officer_b) == []  # another post's devices are not shown
