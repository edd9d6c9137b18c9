"""Detections and positions for the incidents tests. The service tests make their rows directly
(a DeviceEvent and its Detection, as devices stores them) to control the times; the end-to-end
test sends them through the real device API."""

from __future__ import annotations

import itertools
from datetime import datetime

from django.utils import timezone

from devices.models import Detection, DeviceEvent, PatrolPosition

_numbers = itertools.count(1)


def _event(device, kind: str, at: datetime) -> DeviceEvent:
    return DeviceEvent.objects.create(device=device, post_id=device.post_id, event_id=f"t-{next(_numbers)}",
                                      kind=kind, device_time=at, received_at=at, status="processed")


def make_detection(camera, *, at: datetime | None = None, track_id: str = "", object_class: str = "person",
                   count: int = 1, latitude: float | None = 33.50, longitude: float | None = 46.00,
                   sector="default", confidence: float = 0.9) -> Detection:
    at = at or timezone.now()
    return Detection.objects.create(
        event=_event(camera, "detection", at), device=camera, post_id=camera.post_id,
        sector_id=camera.sector_id if sector == "default" else (sector.pk if sector else None),
        observed_at=at, object_class=object_class, count=count, confidence=confidence,
        latitude=latitude, longitude=longitude, track_id=track_id,
    )


def make_position(handset, *, latitude: float, longitude: float, at: datetime | None = None, status: str = "",
                  message: str = "", incident_ref: int | None = None) -> PatrolPosition:
    at = at or timezone.now()
    return PatrolPosition.objects.create(
        event=_event(handset, "position", at), device=handset, post_id=handset.post_id, at=at,
        latitude=latitude, longitude=longitude, status=status, message=message, incident_ref=incident_ref,
    )
