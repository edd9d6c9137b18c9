"""Devices made through the real registration service (their credential is real)."""

from __future__ import annotations

import itertools
import uuid

from django.utils import timezone

from devices.services import device_register

_numbers = itertools.count(1)


def make_device(kind: str, *, post, booth=None, sector=None, code: str = "", **extra):
    """(device, raw credential), registered by the system."""
    if kind in ("thermal_camera", "surveillance_camera"):
        extra.setdefault("latitude", 33.50)
        extra.setdefault("longitude", 46.00)
    device, raw = device_register(actor=None, code=code or f"DEV{next(_numbers):04d}", kind=kind, post=post,
                                  booth=booth, sector=sector, **extra)
    return device, raw


def event(**fields) -> dict:
    """A device event body: a fresh event_id and the current time, plus `fields`."""
    return {"event_id": str(uuid.uuid4()), "time": timezone.now().isoformat(), **fields}
