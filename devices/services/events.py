"""Events pushed by devices: stored first, then acted on by the handler its kind has (hooks).

A device-generated `event_id` makes every send idempotent: a repeat returns the first event and
its result, and creates nothing. An event whose handler broke (status "failed") is acted on again
when the device resends it. Clock skew beyond the tolerance is accepted and flagged: the server's
time is kept beside the device's and is the one incidents and health go by."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.context import acting_device
from core.tasks import enqueue_named_on_commit
from devices.hooks import EventRejected, handler_for
from devices.models import (
    Detection,
    Device,
    DeviceEvent,
    DeviceEventFile,
    EventKind,
    EventStatus,
    PatrolPosition,
)
from devices.services.health import heartbeat_apply, seen

logger = logging.getLogger(__name__)

FLAG_CLOCK_SKEW = "clock_skew"


@dataclass
class Incoming:
    """What a device sent, validated by the API: plain values, files apart."""

    kind: str
    event_id: str
    device_time: datetime
    payload: dict = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    detection: dict | None = None
    position: dict | None = None


def _skew(device_time: datetime, now: datetime) -> tuple[float, list[str]]:
    skew = (device_time - now).total_seconds()
    limit = settings.DEVICES_MAX_CLOCK_SKEW_SECONDS
    return round(skew, 3), ([FLAG_CLOCK_SKEW] if abs(skew) > limit else [])


def event_time(event: DeviceEvent) -> datetime:
    """When it happened, as far as the server can tell: the device's time unless its clock is off."""
    return event.received_at if FLAG_CLOCK_SKEW in (event.flags or []) else event.device_time


def _store(device: Device, incoming: Incoming, now: datetime) -> DeviceEvent:
    skew, flags = _skew(incoming.device_time, now)
    event = DeviceEvent.objects.create(
        device=device, post_id=device.post_id, event_id=incoming.event_id, kind=incoming.kind,
        device_time=incoming.device_time, received_at=now, clock_skew_seconds=skew, flags=flags,
        payload=incoming.payload,
    )
    if incoming.files:
        DeviceEventFile.objects.bulk_create([
            DeviceEventFile(event=event, role=role, content_type=content_type, data=data)
            for role, (content_type, data) in incoming.files.items()
        ])
    when = event_time(event)
    if incoming.detection is not None:
        Detection.objects.create(
            event=event, device=device, post_id=device.post_id, observed_at=when,
            has_snapshot="snapshot" in incoming.files, **incoming.detection,
        )
    if incoming.position is not None:
        PatrolPosition.objects.create(event=event, device=device, post_id=device.post_id, at=when,
                                      **incoming.position)
    if incoming.kind == EventKind.HEARTBEAT:
        heartbeat_apply(device=device, event=event, now=now)
    else:
        seen(device=device, now=now)
    return event


def device_event_accept(*, device: Device, incoming: Incoming) -> tuple[DeviceEvent, bool]:
    """Store the event (committed before anything acts on it), then act on it. Returns the event
    and whether it was new. A repeated event_id returns the first event untouched, unless its
    handling failed: then it is handled again."""
    existing = DeviceEvent.objects.filter(device=device, event_id=incoming.event_id).first()
    if existing is None:
        now = timezone.now()
        try:
            with transaction.atomic():
                event = _store(device, incoming, now)
        except IntegrityError:
            # The same event_id arrived twice at once: the other request stored it.
            existing = DeviceEvent.objects.filter(device=device, event_id=incoming.event_id).first()
            if existing is None:
                raise
            return existing, False
        _act(event)
        return event, True
    if existing.status == EventStatus.FAILED:
        _act(existing)
    return existing, False


def _finish(event: DeviceEvent, *, status: str, result: dict | None = None, error: dict | None = None) -> None:
    event.status = status
    event.result = result or {}
    event.error = error or {}
    event.processed_at = timezone.now()
    event.save(update_fields=["status", "result", "error", "processed_at"])


def _act(event: DeviceEvent) -> None:
    registered = handler_for(event.kind)
    if registered is None:
        if event.status != EventStatus.PROCESSED:
            _finish(event, status=EventStatus.PROCESSED)
        return
    if registered.background:
        with transaction.atomic():
            if event.status == EventStatus.FAILED:
                _finish(event, status=EventStatus.ACCEPTED)
            enqueue_named_on_commit("devices.process_event", event.pk)
        return
    device_event_process(event=event)


def device_event_process(*, event: DeviceEvent) -> DeviceEvent:
    """Run the event's handler once (in its own transaction, as the device): processed with its
    result, rejected with the handler's reason, or failed (kept; a resend tries again)."""
    registered = handler_for(event.kind)
    if registered is None or event.status in (EventStatus.PROCESSED, EventStatus.REJECTED):
        return event
    event.device = Device.objects.select_related("post", "booth", "sector").get(pk=event.device_id)
    try:
        with acting_device(event.device.code), transaction.atomic():
            result = registered.handler(event) or {}
            _finish(event, status=EventStatus.PROCESSED, result=result)
    except EventRejected as exc:
        _finish(event, status=EventStatus.REJECTED, error=exc.as_dict())
    except Exception as exc:  # noqa: BLE001 - the event is kept and reported; never a 500 to a device
        # Class and location only: the event may carry personal data (an MRZ).
        logger.exception("device event %s (%s) failed in its handler: %s", event.pk, event.kind, type(exc).__name__)
        _finish(event, status=EventStatus.FAILED, error={
            "code": "processing_failed", "message": "the event was stored; acting on it failed: send it again later",
            "fields": {}, "status": 202,
        })
    return event
