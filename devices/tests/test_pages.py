"""Supervisor pages of the registry: health, register (credential shown once), rotate, revoke,
alerts; officers and other posts' supervisors are refused."""

from __future__ import annotations

import pytest

from core.tests.factories import SectorFactory
from devices.models import Device, DeviceAlert, DeviceCredential
from devices.tests.factories import make_device

pytestmark = pytest.mark.django_db


def test_officers_get_no_device_pages(client, officer_a):
    client.force_login(officer_a)
    assert client.get("/devices/").status_code == 403
    assert client.get("/devices/new/").status_code == 403


def test_register_shows_the_credential_once_and_it_works(client, api, supervisor_a, booth_a):
    client.force_login(supervisor_a)
    response = client.post("/devices/new/", {
        "code": "pa-a1-reader", "kind": "document_reader", "post": booth_a.post.pk, "booth": booth_a.pk,
        "heartbeat_seconds": 30, "vendor": "Regula", "model": "7028M"})
    assert response.status_code == 200, response.content[:500]
    assert "no-store" in response["Cache-Control"]
    raw = response.context["credential"]
    assert raw.startswith("bmisdev_") and raw in response.content.decode()
    device = Device.objects.get(code="PA-A1-READER")
    assert device.booth == booth_a
    assert raw not in client.get(f"/devices/{device.code}/").content.decode()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.post("/api/v1/devices/heartbeat", {"event_id": "e1", "time": "2026-12-03T10:00:00+00:00"},
                    format="json").status_code == 201


def test_register_errors_name_the_field(client, supervisor_a, post_a, post_b):
    client.force_login(supervisor_a)
    response = client.post("/devices/new/", {"code": "CAM1", "kind": "thermal_camera", "post": post_a.pk,
                                             "heartbeat_seconds": 30})
    assert response.status_code == 200
    assert "sector" in response.context["form"].errors
    # Another post is not in the choices of a supervisor of post A.
    response = client.post("/devices/new/", {"code": "X1", "kind": "document_reader", "post": post_b.pk,
                                             "heartbeat_seconds": 30})
    assert "post" in response.context["form"].errors
    assert not Device.objects.exists()


def test_rotate_and_revoke_from_the_page(client, supervisor_a, booth_a):
    device, raw = make_device("document_reader", post=booth_a.post, booth=booth_a, code="R1")
    client.force_login(supervisor_a)
    response = client.post("/devices/R1/rotate/", {"grace_minutes": 0})
    assert response.status_code == 200 and response.context["credential"] != raw
    assert DeviceCredential.objects.filter(device=device, revoked_at__isnull=True).count() == 1
    response = client.post("/devices/R1/revoke/", {"reason": "stolen from booth A1"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert not device.is_active


def test_other_posts_devices_are_not_found(client, supervisor_a, booth_b):
    make_device("document_reader", post=booth_b.post, booth=booth_b, code="RB")
    client.force_login(supervisor_a)
    assert client.get("/devices/RB/").status_code == 404
    assert client.post("/devices/RB/revoke/", {"reason": "not mine at all"}).status_code == 404
    assert "/devices/RB/" not in client.get("/devices/").content.decode()


def test_dark_border_camera_is_announced(client, supervisor, post_b):
    from datetime import timedelta

    from django.utils import timezone

    from devices.services import devices_check_offline

    sector = SectorFactory(post=post_b, code="SB1")
    camera, _raw = make_device("thermal_camera", post=post_b, sector=sector, code="TC-B1")
    Device.objects.filter(pk=camera.pk).update(last_seen_at=timezone.now() - timedelta(minutes=10))
    devices_check_offline()
    client.force_login(supervisor)
    page = client.get("/devices/panel/").content.decode()
    assert "border camera has gone dark" in page and "TC-B1" in page
    alert = DeviceAlert.objects.get()
    client.post(f"/devices/alerts/{alert.pk}/acknowledge/")
    alert.refresh_from_db()
    assert alert.acknowledged_by == supervisor


def test_edit_changes_only_what_changed_and_audits_it(client, supervisor_a, booth_a):
    from audit.models import AuditEvent

    device, _raw = make_device("document_reader", post=booth_a.post, booth=booth_a, code="R2", vendor="Regula")
    client.force_login(supervisor_a)
    response = client.post("/devices/R2/edit/", {"code": "R2", "kind": "document_reader", "post": booth_a.post.pk,
                                                "booth": booth_a.pk, "vendor": "Access-IS", "model": "",
                                                "serial": "SN-9", "firmware": "", "heartbeat_seconds": 30})
    assert response.status_code == 302, response.content[:300]
    device.refresh_from_db()
    assert (device.vendor, device.serial, device.model) == ("Access-IS", "SN-9", "")
    changes = AuditEvent.objects.get(action="device.update").changes
    assert set(changes) == {"vendor", "serial"}
