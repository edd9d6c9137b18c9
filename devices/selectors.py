"""Reads of the devices app: device status at a booth, health per post and sector, alerts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from devices.models import BORDER_CAMERA_KINDS, Device, DeviceAlert, DeviceEvent

# What the checkpoint screen shows for a booth, in this order.
BOOTH_ROLES = [("document_reader", "reader"), ("chip_reader", "reader"), ("face_camera", "camera"),
               ("fingerprint_scanner", "scanner")]


def device_state(device: Device, now=None) -> str:
    """ready, offline (missed heartbeats), error (reports one), unseen (never heard from), revoked."""
    if not device.is_active:
        return "revoked"
    if device.last_seen_at is None:
        return "unseen"
    if not device.is_online(now):
        return "offline"
    if device.reported_status == "error":
        return "error"
    return "ready"


def booth_device_status(booth_id: int | None, now=None) -> list[dict]:
    """The booth's active devices with their state, readers first: what the officer's screen shows
    (no personal data; not restricted: the officer is signed in to this booth)."""
    if not booth_id:
        return []
    now = now or timezone.now()
    order = {kind: i for i, (kind, _role) in enumerate(BOOTH_ROLES)}
    roles = dict(BOOTH_ROLES)
    devices = sorted(Device.objects.filter(booth_id=booth_id, is_active=True),
                     key=lambda d: (order.get(d.kind, 99), d.code))
    states = [(d, device_state(d, now)) for d in devices]
    return [{"code": d.code, "kind": d.kind, "role": roles.get(d.kind, "other"), "label": d.get_kind_display(),
             "state": state, "online": state in ("ready", "error"), "status": d.reported_status}
            for d, state in states]


@dataclass
class PlaceHealth:
    label: str
    post_code: str
    sector_code: str = ""
    counts: dict = field(default_factory=lambda: defaultdict(int))
    devices: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.devices)

    @property
    def offline(self) -> int:
        return self.counts["offline"]


def health_by_place(user, *, post_id: int | None = None, now=None) -> list[PlaceHealth]:
    """Device health per post and per sector, for the devices the user may see."""
    now = now or timezone.now()
    qs = Device.objects.restrict(user, "view").filter(is_active=True).select_related("post", "booth", "sector")
    if post_id:
        qs = qs.filter(post_id=post_id)
    places: dict[tuple, PlaceHealth] = {}
    for device in qs.order_by("post__code", "sector__code", "code"):
        key = (device.post.code, device.sector.code if device.sector_id else "")
        if key not in places:
            label = f"{device.post.code} · {device.sector.name}" if device.sector_id else str(device.post)
            places[key] = PlaceHealth(label=label, post_code=key[0], sector_code=key[1])
        state = device_state(device, now)
        places[key].counts[state] += 1
        places[key].devices.append((device, state))
    return list(places.values())


def open_alerts(user, *, post_id: int | None = None):
    """Open alerts, border cameras first, newest first."""
    qs = (DeviceAlert.objects.restrict(user, "view").filter(closed_at__isnull=True)
          .select_related("device", "device__post", "device__sector"))
    if post_id:
        qs = qs.filter(post_id=post_id)
    alerts = list(qs.order_by("-opened_at")[:200])
    alerts.sort(key=lambda a: (a.device.kind not in BORDER_CAMERA_KINDS, -a.opened_at.timestamp()))
    return alerts


def device_recent_events(user, device: Device, limit: int = 50):
    return (DeviceEvent.objects.restrict(user, "view").filter(device=device)
            .defer("payload").order_by("-received_at", "-pk")[:limit])
