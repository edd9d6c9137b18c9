"""Handlers of device events for the travelers app (registered in TravelersConfig.ready through
devices.hooks): a booth reader's document read is held for the officer's screen; a capture from
the booth's camera or scanner lands on the booth's open inspection.

They run inside devices' transaction and audit context (the device as actor_device) and return
the dict the device is answered with; a refusal is devices.hooks.EventRejected."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from core.errors import field_errors
from devices.hooks import EventRejected
from travelers.services.booth_routing import NoOpenInspection, booth_capture_attach, booth_read_hold


def _booth_of(event):
    booth = event.device.booth
    if booth is None:
        raise EventRejected("not_at_booth", "this device is not installed at a booth: it cannot route to an officer")
    return booth


def document_read(event) -> dict:
    """A read on the booth's document reader: held until the officer signed in at the booth opens it."""
    booth = _booth_of(event)
    payload = event.payload or {}
    try:
        read = booth_read_hold(booth=booth, device_event_id=event.pk, device_code=event.device.code,
                               mrz=payload.get("mrz") or "", direction=payload.get("direction") or "",
                               now=event.received_at)
    except ValidationError as exc:
        raise EventRejected("invalid", "the read cannot be routed", fields=field_errors(exc), status=400) from None
    return {"routing": "held", "booth": booth.code, "booth_read": read.pk, "expires_at": read.expires_at.isoformat()}


def capture(event) -> dict:
    """A face or fingerprint capture from the booth's camera or scanner, for the booth's open inspection."""
    booth = _booth_of(event)
    payload = event.payload or {}
    files = {f.role: bytes(f.data) for f in event.files.all()}
    fingers = sorted((int(role.split("_", 1)[1]), data) for role, data in files.items()
                     if role.startswith("finger_") and role.split("_", 1)[1].isdigit())
    try:
        result = booth_capture_attach(booth_id=booth.pk, modality=payload.get("modality") or "",
                                      face=files.get("face"), fingers=fingers)
    except NoOpenInspection:
        raise EventRejected("no_open_inspection", "no inspection is open at this booth: read the document first",
                            status=409) from None
    except ValidationError as exc:
        raise EventRejected("invalid_capture", "the capture was refused", fields=field_errors(exc, "image"),
                            status=400) from None
    if payload.get("missing"):
        result["missing"] = payload["missing"]
    return result
