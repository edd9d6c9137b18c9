"""Device health: heartbeats, "seen", offline after three missed heartbeats, alerts."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from audit.services import audit_log
from devices.models import AlertKind, Device, DeviceAlert, DeviceEvent, ReportedStatus

# Devices that keep sending are marked seen at most this often (a busy camera's every detection
# would otherwise write its row).
_SEEN_EVERY = timedelta(seconds=5)


def _back_online(device: Device, now: datetime) -> None:
    if device.offline_since is None:
        return
    Device.objects.filter(pk=device.pk).update(offline_since=None)
    DeviceAlert.objects.filter(device=device, kind=AlertKind.OFFLINE, closed_at__isnull=True).update(closed_at=now)
    audit_log(actor=None, action="device.online", obj=device, device=device.code,
              metadata={"offline_since": device.offline_since.isoformat()})
    device.offline_since = None


def seen(*, device: Device, now: datetime) -> None:
    """Any event proves the device is alive. Runs inside the event's transaction."""
    if device.last_seen_at is None or now - device.last_seen_at > _SEEN_EVERY or device.offline_since is not None:
        Device.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now
        _back_online(device, now)


def heartbeat_apply(*, device: Device, event: DeviceEvent, now: datetime) -> None:
    """A heartbeat's status, temperature, battery and error codes become the device's; an error
    status opens an alert (closed by the next healthy heartbeat)."""
    data = event.payload
    changes = {
        "last_seen_at": now,
        "reported_status": data.get("status", ReportedStatus.OK),
        "temperature_c": data.get("temperature_c"),
        "battery_percent": data.get("battery_percent"),
        "error_codes": data.get("error_codes") or [],
    }
    firmware = (data.get("firmware") or "").strip()
    if firmware and firmware != device.firmware:
        changes["firmware"] = firmware
        audit_log(actor=None, action="device.firmware", obj=device, device=device.code,
                  changes={"firmware": [device.firmware, firmware]})
    Device.objects.filter(pk=device.pk).update(**changes)
    for name, value in changes.items():
        setattr(device, name, value)
    _back_online(device, now)
    open_error = DeviceAlert.objects.filter(device=device, kind=AlertKind.ERROR, closed_at__isnull=True).first()
    if changes["reported_status"] == ReportedStatus.ERROR and open_error is None:
        DeviceAlert.objects.create(device=device, post_id=device.post_id, kind=AlertKind.ERROR, opened_at=now,
                                   detail=", ".join(changes["error_codes"])[:300])
    elif changes["reported_status"] != ReportedStatus.ERROR and open_error is not None:
        DeviceAlert.objects.filter(pk=open_error.pk).update(closed_at=now)


def devices_check_offline(*, now: datetime | None = None) -> list[Device]:
    """Mark offline the active devices that missed three heartbeats (a device never seen is
    "not yet seen", not offline), each with an alert and an audit event. Returns them."""
    now = now or timezone.now()
    newly = []
    # No device may be declared offline sooner than three of the shortest heartbeat intervals (5 s).
    candidates = Device.objects.filter(is_active=True, offline_since__isnull=True,
                                       last_seen_at__lt=now - timedelta(seconds=3 * 5))
    for device in candidates.only("pk", "code", "post_id", "last_seen_at", "heartbeat_seconds", "is_active"):
        if device.is_online(now):
            continue
        with transaction.atomic():
            updated = Device.objects.filter(pk=device.pk, offline_since__isnull=True).update(
                offline_since=device.last_seen_at + device.offline_after())
            if not updated:
                continue
            DeviceAlert.objects.create(
                device=device, post_id=device.post_id, kind=AlertKind.OFFLINE, opened_at=now,
                detail=f"no heartbeat since {device.last_seen_at.isoformat(timespec='seconds')}",
            )
            audit_log(actor=None, action="device.offline", obj=device,
                      metadata={"last_seen_at": device.last_seen_at.isoformat()})
        newly.append(device)
    return newly


def device_alert_acknowledge(*, actor, alert: DeviceAlert) -> DeviceAlert:
    from devices.services.registry import _require_manager

    _require_manager(actor, alert.device.post)
    with transaction.atomic():
        alert = DeviceAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.acknowledged_at is None:
            alert.acknowledged_at = timezone.now()
            alert.acknowledged_by = actor
            alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
            audit_log(actor=actor, action="device.alert_acknowledge", obj=alert, metadata={"device": alert.device.code})
    return alert


def device_events_purge(*, now: datetime | None = None, heartbeat_days: int = 7) -> int:
    """Heartbeats older than `heartbeat_days` are telemetry, not records: deleted (audited as a count)."""
    now = now or timezone.now()
    old = DeviceEvent.objects.filter(kind="heartbeat", received_at__lt=now - timedelta(days=heartbeat_days))
    with transaction.atomic():
        count, _ = old.delete()
        if count:
            audit_log(actor=None, action="device.heartbeats_purge", metadata={"deleted": count, "days": heartbeat_days})
    return count
