"""Background jobs of the devices app (Celery, queue "devices")."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from devices.models import DeviceEvent, EventStatus
from devices.services import device_event_process, device_events_purge, devices_check_offline


@shared_task(name="devices.process_event", acks_late=True)
def process_event_task(event_pk: int) -> str:
    """Act on a stored event whose handler runs in the background (detections, positions)."""
    event = DeviceEvent.objects.filter(pk=event_pk).first()
    if event is None:
        return "missing"
    return device_event_process(event=event).status


@shared_task(name="devices.process_events", acks_late=True)
def process_events_task(event_pks: list[int]) -> int:
    """Act on the stored events of one batch (detections sent together), each as process_event
    would, in its own transaction; one message for the lot. Events already acted on are skipped
    (a redelivered message acts on the rest). Returns how many were found."""
    found = 0
    for event in DeviceEvent.objects.filter(pk__in=event_pks).order_by("pk"):
        device_event_process(event=event)
        found += 1
    return found


@shared_task(name="devices.check_offline", acks_late=True)
def check_offline_task() -> int:
    """Every BMIS_DEVICES_CHECK_SECONDS (beat): devices that missed three heartbeats go offline."""
    return len(devices_check_offline())


@shared_task(name="devices.requeue_accepted", acks_late=True)
def requeue_accepted_task() -> int:
    """Events stored but never acted on (the broker was down when they arrived) are queued again."""
    cutoff = timezone.now() - timedelta(seconds=settings.DEVICES_REQUEUE_AFTER_SECONDS)
    pks = list(DeviceEvent.objects.filter(status=EventStatus.ACCEPTED, received_at__lt=cutoff)
               .order_by("pk").values_list("pk", flat=True)[:5000])
    for pk in pks:
        process_event_task.apply_async(args=[pk])
    return len(pks)


@shared_task(name="devices.purge_heartbeats", acks_late=True)
def purge_heartbeats_task() -> int:
    return device_events_purge(heartbeat_days=settings.DEVICES_HEARTBEAT_RETENTION_DAYS)
