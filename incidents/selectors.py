"""Reads of the incidents app, always through restricted querysets."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from core.geo import centroid
from core.models import Sector
from devices.models import BORDER_CAMERA_KINDS, Detection, Device, DeviceKind, PatrolPosition
from incidents.models import OPEN_STATUSES, Incident, IncidentStatus, Outcome

# Closed incidents stay on the map this long after they closed.
MAP_CLOSED_HOURS = 6
# A handset's positions older than this are not drawn.
MAP_POSITION_HOURS = 6
TRAIL_POINTS = 200


def incidents_visible(*, user):
    """The incidents the user may see, newest activity first."""
    return (Incident.objects.restrict(user, "view")
            .select_related("post", "sector", "camera", "patrol", "dispatched_by", "closed_by"))


def incident_detections(*, incident: Incident):
    """The detections of an incident, in the order they were seen."""
    return (Detection.objects.filter(incident_link__incident=incident)
            .select_related("device", "sector").order_by("observed_at", "pk"))


def incident_positions(*, incident: Incident, limit: int = TRAIL_POINTS) -> list[PatrolPosition]:
    """The dispatched patrol's positions from the dispatch until the incident closed (or now),
    oldest first (the latest `limit`)."""
    if incident.patrol_id is None or incident.dispatched_at is None:
        return []
    qs = PatrolPosition.objects.filter(device_id=incident.patrol_id, at__gte=incident.dispatched_at)
    if incident.closed_at is not None:
        qs = qs.filter(at__lte=incident.closed_at)
    return list(reversed(qs.order_by("-at", "-pk")[:limit]))


def apprehensions(*, user=None, since: datetime | None = None, post_id: int | None = None):
    """Incidents closed with persons apprehended (`persons_count` of them), newest first: where
    the registration of irregular migrants starts. With a user, only the incidents they may see;
    without one (a background job), all."""
    qs = Incident.objects.restrict(user, "view") if user is not None else Incident.objects.all()
    qs = qs.filter(outcome=Outcome.APPREHENDED, status=IncidentStatus.CLOSED).select_related("post", "sector", "camera", "patrol")
    if since is not None:
        qs = qs.filter(closed_at__gte=since)
    if post_id is not None:
        qs = qs.filter(post_id=post_id)
    return qs.order_by("-closed_at", "-pk")


def camera_stats(*, user, since: datetime | None = None) -> list[dict]:
    """Per border camera the user may see (by the camera that opened each incident): incidents,
    closed ones, false alarms and their share of the closed ones, and the time from the first
    detection to the patrol's contact (median and mean, seconds, over the incidents with one)."""
    cameras = (Device.objects.restrict(user, "view").filter(kind__in=BORDER_CAMERA_KINDS)
               .select_related("post", "sector").order_by("post__code", "code"))
    incidents = Incident.objects.restrict(user, "view").filter(camera__in=cameras)
    if since is not None:
        incidents = incidents.filter(first_detection_at__gte=since)
    per: dict[int, dict] = {}
    for camera_id, status, outcome, first, contact in incidents.values_list(
            "camera_id", "status", "outcome", "first_detection_at", "contact_at"):
        row = per.setdefault(camera_id, {"incidents": 0, "closed": 0, "false_alarms": 0, "contact": []})
        row["incidents"] += 1
        if status == IncidentStatus.CLOSED:
            row["closed"] += 1
            row["false_alarms"] += outcome == Outcome.FALSE_ALARM
        if contact is not None:
            row["contact"].append(max(0.0, (contact - first).total_seconds()))
    out = []
    for camera in cameras:
        row = per.get(camera.pk, {"incidents": 0, "closed": 0, "false_alarms": 0, "contact": []})
        seconds = row.pop("contact")
        out.append({
            "camera": camera, "code": camera.code, "kind": camera.kind, "post": camera.post.code,
            "sector": camera.sector.code if camera.sector_id else None, **row,
            "false_alarm_share": row["false_alarms"] / row["closed"] if row["closed"] else None,
            "contacts": len(seconds),
            "median_seconds_to_contact": statistics.median(seconds) if seconds else None,
            "mean_seconds_to_contact": statistics.fmean(seconds) if seconds else None,
        })
    return out


def _sector_feature(sector: Sector) -> dict:
    lat, lon = centroid(sector.geometry)
    return {"type": "Feature", "geometry": sector.geometry, "properties": {
        "code": sector.code, "name": sector.name, "name_local": sector.name_local, "post": sector.post.code,
        "buffer_m": sector.buffer_m, "label_at": [lat, lon]}}


def map_data(*, user, now: datetime | None = None) -> dict:
    """What the supervisor's map draws, for the posts the user may see: sectors (GeoJSON),
    border cameras (health), incidents open or closed within MAP_CLOSED_HOURS, and the patrol
    handsets' latest positions (with the trail of the dispatched ones)."""
    now = now or timezone.now()
    sectors = Sector.objects.restrict(user, "view").filter(is_active=True).select_related("post")
    cameras = (Device.objects.restrict(user, "view").filter(kind__in=BORDER_CAMERA_KINDS, is_active=True)
               .exclude(latitude=None).exclude(longitude=None).select_related("sector"))
    incidents = list(incidents_visible(user=user).filter(
        Q(status__in=OPEN_STATUSES) | Q(closed_at__gte=now - timedelta(hours=MAP_CLOSED_HOURS))
    ).order_by("-last_detection_at")[:500])
    handsets = list(Device.objects.restrict(user, "view").filter(kind=DeviceKind.PATROL_HANDSET, is_active=True))
    dispatched = {i.patrol_id: i for i in incidents if i.patrol_id and i.status in OPEN_STATUSES}
    patrols = []
    for handset in handsets:
        recent = PatrolPosition.objects.filter(device=handset, at__gte=now - timedelta(hours=MAP_POSITION_HOURS))
        incident = dispatched.get(handset.pk)
        if incident is not None:
            trail = [p for p in incident_positions(incident=incident)]
        else:
            trail = list(recent.order_by("-at", "-pk")[:1])
        if not trail:
            continue
        last = trail[-1] if incident is not None else trail[0]
        patrols.append({
            "code": handset.code, "online": handset.is_online(now), "incident": incident.pk if incident else None,
            "latitude": last.latitude, "longitude": last.longitude, "at": last.at.isoformat(),
            "status": last.status, "trail": [[p.latitude, p.longitude] for p in trail] if incident else [],
        })
    return {
        "now": now.isoformat(),
        "sectors": {"type": "FeatureCollection", "features": [_sector_feature(s) for s in sectors]},
        "cameras": [{"code": c.code, "kind": c.kind, "latitude": c.latitude, "longitude": c.longitude,
                     "sector": c.sector.code if c.sector_id else None, "online": c.is_online(now)} for c in cameras],
        "incidents": incidents,
        "patrols": patrols,
    }
