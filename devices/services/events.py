"""Events pushed by devices: stored first, then acted on by the handler its kind has (hooks).

A device-generated `event_id` makes every send idempotent: a repeat returns the first event and
its result, and creates nothing. An event whose handler broke (status "failed") is acted on again
when the device resends it. Clock skew beyond the tolerance is accepted and flagged: the server's
time is kept beside the device's and is the one incidents and health go by."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.context import acting_device
from core.tasks import enqueue, enqueue_named_on_commit, registered_task
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
    sent_at: datetime | None = None


def _skew(incoming: Incoming, now: datetime) -> tuple[float, list[str]]:
    """(the device's clock minus the server's, in seconds; flags). With `sent_at` the skew is
    measured (the request left the device at sent_at by its clock and arrived now by ours; the
    network's delay is negligible beside the tolerance). Without it, an event time in the past
    may be an event that waited in the agent's queue during an outage, not a wrong clock: only a
    time in the future, or older than DEVICES_MAX_EVENT_AGE_SECONDS, is taken for a clock error."""
    limit = settings.DEVICES_MAX_CLOCK_SKEW_SECONDS
    if incoming.sent_at is not None:
        skew = (incoming.sent_at - now).total_seconds()
        return round(skew, 3), ([FLAG_CLOCK_SKEW] if abs(skew) > limit else [])
    skew = (incoming.device_time - now).total_seconds()
    if skew > limit or -skew > settings.DEVICES_MAX_EVENT_AGE_SECONDS:
        return round(skew, 3), [FLAG_CLOCK_SKEW]
    return (round(skew, 3) if skew > 0 else 0.0), []


def event_time(event: DeviceEvent) -> datetime:
    """When it happened, as far as the server can tell: the device's time, corrected by its
    clock's skew when that is beyond the tolerance (without sent_at: the server's time)."""
    if FLAG_CLOCK_SKEW in (event.flags or []):
        return event.device_time - timedelta(seconds=event.clock_skew_seconds)
    return event.device_time


def _store(device: Device, incoming: Incoming, now: datetime) -> DeviceEvent:
    skew, flags = _skew(incoming, now)
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
    handling failed: then it is handled again.

    New events are the common case (a resend is the exception), so the event is inserted straight
    away and the unique (device, event_id) constraint finds the repeats: one round trip fewer
    than looking first."""
    now = timezone.now()
    try:
        with transaction.atomic():
            event = _store(device, incoming, now)
    except IntegrityError:
        # Sent before (or the same event_id arrived twice at once): the first one stands.
        existing = DeviceEvent.objects.filter(device=device, event_id=incoming.event_id).first()
        if existing is None:
            raise
        if existing.status == EventStatus.FAILED:
            _act(existing)
        return existing, False
    _act(event)
    return event, True


def device_events_accept(*, device: Device, incomings: list[Incoming]) -> list[tuple[DeviceEvent, bool]]:
    """Many events of one device at once (a batch of detections): the same outcome, event by
    event and in order, as device_event_accept on each in turn (stored once; a repeat, also
    within the batch, answered with the first event, and acted on again only if that failed),
    for one lookup of the repeats, one INSERT per table, one transaction and one task queued for
    the lot. Heartbeats are taken one by one (each updates the device's health)."""
    if any(incoming.kind == EventKind.HEARTBEAT for incoming in incomings):
        return [device_event_accept(device=device, incoming=incoming) for incoming in incomings]
    wanted = {incoming.event_id for incoming in incomings}
    known = {event.event_id: event for event in DeviceEvent.objects.filter(device=device, event_id__in=wanted)}
    new: dict[str, Incoming] = {}
    for incoming in incomings:
        if incoming.event_id not in known and incoming.event_id not in new:
            new[incoming.event_id] = incoming
    stored: list[DeviceEvent] = []
    if new:
        try:
            with transaction.atomic():
                stored = _store_many(device, list(new.values()), timezone.now())
        except IntegrityError:
            # Some of them arrived at the same moment by another request: one by one, then.
            return [device_event_accept(device=device, incoming=incoming) for incoming in incomings]
        _act_many(stored)
    created = {event.event_id: event for event in stored}
    answers: list[tuple[DeviceEvent, bool]] = []
    retried: set[str] = set()
    for incoming in incomings:
        event = created.pop(incoming.event_id, None)
        if event is not None:
            answers.append((event, True))
            continue
        event = known.get(incoming.event_id) or next(e for e, _ in answers if e.event_id == incoming.event_id)
        if event.status == EventStatus.FAILED and incoming.event_id not in retried:
            retried.add(incoming.event_id)
            _act(event)
        answers.append((event, False))
    return answers


def _store_many(device: Device, incomings: list[Incoming], now: datetime) -> list[DeviceEvent]:
    """_store for many events of one device (none a heartbeat), a statement per table."""
    events = []
    for incoming in incomings:
        skew, flags = _skew(incoming, now)
        events.append(DeviceEvent(
            device=device, post_id=device.post_id, event_id=incoming.event_id, kind=incoming.kind,
            device_time=incoming.device_time, received_at=now, clock_skew_seconds=skew, flags=flags,
            payload=incoming.payload,
        ))
    DeviceEvent.objects.bulk_create(events)  # sets their primary keys (PostgreSQL, SQLite >= 3.35)
    files, detections, positions = [], [], []
    for event, incoming in zip(events, incomings, strict=True):
        files += [DeviceEventFile(event=event, role=role, content_type=content_type, data=data)
                  for role, (content_type, data) in incoming.files.items()]
        when = event_time(event)
        if incoming.detection is not None:
            detections.append(Detection(event=event, device=device, post_id=device.post_id, observed_at=when,
                                        has_snapshot="snapshot" in incoming.files, **incoming.detection))
        if incoming.position is not None:
            positions.append(PatrolPosition(event=event, device=device, post_id=device.post_id, at=when,
                                            **incoming.position))
    for model, rows in ((DeviceEventFile, files), (Detection, detections), (PatrolPosition, positions)):
        if rows:
            model.objects.bulk_create(rows)
    seen(device=device, now=now)
    return events


def _act_many(events: list[DeviceEvent]) -> None:
    """_act for events just stored (and committed), by kind: those without a handler are processed
    in one statement, those of a background handler are queued in one task."""
    by_kind: dict[str, list[DeviceEvent]] = {}
    for event in events:
        by_kind.setdefault(event.kind, []).append(event)
    for kind, group in by_kind.items():
        registered = handler_for(kind)
        if registered is None:
            now = timezone.now()
            DeviceEvent.objects.filter(pk__in=[event.pk for event in group]).update(
                status=EventStatus.PROCESSED, result={}, error={}, processed_at=now)
            for event in group:
                event.status, event.result, event.error, event.processed_at = EventStatus.PROCESSED, {}, {}, now
        elif registered.background:
            pks = [event.pk for event in group]
            transaction.on_commit(lambda pks=pks: _enqueue_process_many(pks))
        else:
            for event in group:
                device_event_process(event=event)


def _enqueue_process_many(pks: list[int]) -> None:
    """One "devices.process_events" task for the events of a batch (one message to the broker
    instead of one per event). A broker that cannot be reached leaves them accepted: the requeue
    task sends them later, one by one."""
    task = registered_task("devices.process_events")
    if task is None:
        logger.warning("task devices.process_events is not registered; %d events not queued", len(pks))
        return
    enqueue(task, pks)


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
        if event.status == EventStatus.FAILED:
            with transaction.atomic():
                _finish(event, status=EventStatus.ACCEPTED)
                enqueue_named_on_commit("devices.process_event", event.pk)
        else:
            # The event is committed: queued now (or when an enclosing transaction commits).
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
