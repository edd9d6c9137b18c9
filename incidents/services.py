"""Writes of the incidents app: detections grouped into incidents, dispatch, contact, outcome.

Every change is audited in its own transaction; what a device caused (a detection opening an
incident, a patrol's position making contact) is written inside the device's acting context
(`audit.context.acting_device`, bound by devices around its handlers), so the audit event
carries the device."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import Role
from audit.services import audit_log
from core.geo import distance_m
from devices.models import Detection, Device, DeviceKind, PatrolPosition
from incidents.models import (
    CLASS_RANK,
    OPEN_STATUSES,
    ContactSource,
    Incident,
    IncidentDetection,
    IncidentStatus,
    Outcome,
)

# A PostgreSQL advisory lock per post serialises the grouping of its detections, so that two
# workers never open two incidents for one track (SQLite serialises writers already).
_GROUPING_LOCK = 0x494E4344  # "INCD"


def _lock_post(post_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_GROUPING_LOCK, post_id])


def _window() -> timedelta:
    return timedelta(seconds=settings.INCIDENTS_WINDOW_SECONDS)


def _near(incident: Incident, detection: Detection) -> bool:
    """Whether the detection lies within the merge distance of the incident's last position
    (an incident or a detection without a position is near: the sector and window decide)."""
    if None in (incident.latitude, incident.longitude, detection.latitude, detection.longitude):
        return True
    gap = distance_m(incident.latitude, incident.longitude, detection.latitude, detection.longitude)
    return gap <= settings.INCIDENTS_MERGE_DISTANCE_M


def _incident_for(detection: Detection) -> Incident | None:
    """The open incident a detection belongs to: the one holding the same camera's track within
    the window; else the nearest-in-time one of the same sector (the same camera when the
    detection has no sector) within the window and the merge distance."""
    at = detection.observed_at
    candidates = (
        Incident.objects.select_for_update()
        .filter(post_id=detection.post_id, status__in=OPEN_STATUSES,
                last_detection_at__gte=at - _window(), first_detection_at__lte=at + _window())
        .order_by("-last_detection_at", "-pk")
    )
    if detection.track_id:
        same_track = candidates.filter(links__detection__device_id=detection.device_id,
                                       links__detection__track_id=detection.track_id).first()
        if same_track is not None:
            return same_track
    place = (candidates.filter(sector_id=detection.sector_id) if detection.sector_id
             else candidates.filter(sector__isnull=True, camera_id=detection.device_id))
    for incident in place[:20]:
        if _near(incident, detection):
            return incident
    return None


def incident_attach_detection(*, detection: Detection) -> tuple[Incident, bool]:
    """Attach a camera's detection to its incident: extend the open incident of its track, or of
    its sector within the time window and merge distance (settings INCIDENTS_WINDOW_SECONDS,
    INCIDENTS_MERGE_DISTANCE_M); open a new one otherwise. Returns (incident, created). A
    detection already attached returns its incident (the handler may run twice)."""
    with transaction.atomic():
        _lock_post(detection.post_id)
        link = IncidentDetection.objects.select_related("incident").filter(detection_id=detection.pk).first()
        if link is not None:
            return link.incident, False
        incident = _incident_for(detection)
        created = incident is None
        if created:
            incident = Incident(
                post_id=detection.post_id, sector_id=detection.sector_id, camera_id=detection.device_id,
                object_class=detection.object_class, first_detection_at=detection.observed_at,
                last_detection_at=detection.observed_at, detection_count=1, max_count=detection.count,
                latitude=detection.latitude, longitude=detection.longitude,
            )
            incident.full_clean()
            incident.save()
        else:
            incident.detection_count += 1
            incident.max_count = max(incident.max_count, detection.count)
            if CLASS_RANK.get(detection.object_class, 0) > CLASS_RANK.get(incident.object_class, 0):
                incident.object_class = detection.object_class
            incident.first_detection_at = min(incident.first_detection_at, detection.observed_at)
            if detection.observed_at >= incident.last_detection_at:
                incident.last_detection_at = detection.observed_at
                if detection.latitude is not None:
                    incident.latitude, incident.longitude = detection.latitude, detection.longitude
            incident.save(update_fields=["detection_count", "max_count", "object_class", "first_detection_at",
                                         "last_detection_at", "latitude", "longitude", "updated_at"])
        IncidentDetection.objects.create(incident=incident, detection=detection)
        audit_log(
            actor=None, action="incident.open" if created else "incident.detection_add", obj=incident,
            metadata={"detection_id": detection.pk, "device": detection.device.code,
                      "track_id": detection.track_id, "object_class": detection.object_class,
                      "count": detection.count, "sector_id": detection.sector_id},
        )
    return incident, created


def _require_supervisor(actor) -> None:
    if getattr(actor, "role", None) not in (Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied(_("only supervisors dispatch patrols and record outcomes"))


def _locked(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


def patrols_for(*, incident: Incident):
    """The patrol handsets that may be dispatched to an incident: active ones of its post."""
    return Device.objects.filter(post_id=incident.post_id, kind=DeviceKind.PATROL_HANDSET,
                                 is_active=True).order_by("code")


def incident_dispatch(*, actor, incident: Incident, patrol: Device) -> Incident:
    """A supervisor sends a patrol (a handset of the incident's post) to an open incident; a
    dispatched incident may be given another patrol until the patrol is on scene."""
    _require_supervisor(actor)
    with transaction.atomic():
        incident = _locked(incident)
        if incident.status not in (IncidentStatus.NEW, IncidentStatus.DISPATCHED):
            raise ValidationError({"status": _("a patrol can be dispatched only to a new or dispatched incident "
                                               "(this one is %(status)s)") % {"status": incident.get_status_display()}})
        if (patrol.kind != DeviceKind.PATROL_HANDSET or patrol.post_id != incident.post_id
                or not patrol.is_active):
            raise ValidationError({"patrol": _("choose an active patrol handset of the incident's post")})
        before = {"status": incident.status, "patrol": incident.patrol.code if incident.patrol_id else None}
        incident.patrol = patrol
        incident.status = IncidentStatus.DISPATCHED
        incident.dispatched_at = timezone.now()
        incident.dispatched_by = actor
        incident.save(update_fields=["patrol", "status", "dispatched_at", "dispatched_by", "updated_at"])
        audit_log(actor=actor, action="incident.dispatch", obj=incident,
                  changes={"status": [before["status"], incident.status], "patrol": [before["patrol"], patrol.code]})
    return incident


def incident_contact(*, incident: Incident, at: datetime, source: str, actor=None,
                     position: PatrolPosition | None = None) -> Incident:
    """The patrol reaches the incident (its first position within INCIDENTS_CONTACT_RADIUS_M, its
    status on_scene, or a supervisor's word): the contact time is kept once; the status becomes
    on scene. Nothing changes when contact was already made or the incident is closed."""
    if source == ContactSource.SUPERVISOR:
        _require_supervisor(actor)
    with transaction.atomic():
        incident = _locked(incident)
        if incident.contact_at is not None or incident.status == IncidentStatus.CLOSED:
            return incident
        if incident.status != IncidentStatus.DISPATCHED:
            raise ValidationError({"status": _("contact is recorded for a dispatched incident")})
        incident.contact_at = at
        incident.contact_source = source
        incident.status = IncidentStatus.ON_SCENE
        incident.save(update_fields=["contact_at", "contact_source", "status", "updated_at"])
        audit_log(actor=actor, action="incident.contact", obj=incident,
                  changes={"status": [IncidentStatus.DISPATCHED, IncidentStatus.ON_SCENE]},
                  metadata={"source": source, "at": at, "position_id": position.pk if position else None,
                            "seconds_from_detection": incident.seconds_to_contact})
    return incident


def incident_close(*, incident: Incident, outcome: str, persons: int | None = None, note: str = "",
                   actor=None, device: Device | None = None) -> Incident:
    """Record the outcome and close the incident: by a supervisor (`actor`) or by the dispatched
    patrol's handset (`device`). Persons apprehended need their count (at least one): it is what
    the registration of irregular migrants starts from; the other outcomes take no count."""
    if device is None:
        _require_supervisor(actor)
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("choose one of: %(choices)s") % {"choices": ", ".join(Outcome.values)}
    elif outcome == Outcome.APPREHENDED and (persons is None or persons < 1):
        errors["persons"] = _("give the number of persons apprehended (at least 1)")
    elif outcome != Outcome.APPREHENDED and persons is not None:
        errors["persons"] = _("a number of persons is recorded only for an apprehension")
    if len(note) > 500:
        errors["note"] = _("at most 500 characters")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incident = _locked(incident)
        if incident.status == IncidentStatus.CLOSED:
            raise ValidationError({"status": _("this incident is already closed")})
        if device is not None and incident.patrol_id != device.pk:
            raise PermissionDenied(_("only the patrol dispatched to this incident reports its outcome"))
        before = incident.status
        incident.status = IncidentStatus.CLOSED
        incident.outcome = outcome
        incident.persons_count = persons if outcome == Outcome.APPREHENDED else None
        incident.outcome_note = note
        incident.closed_at = timezone.now()
        incident.closed_by = actor if device is None else None
        incident.closed_by_device = device.code if device is not None else ""
        incident.full_clean()
        incident.save()
        audit_log(actor=actor, action="incident.close", obj=incident,
                  changes={"status": [before, incident.status], "outcome": ["", outcome],
                           "persons_count": [None, incident.persons_count]},
                  metadata={"by_device": incident.closed_by_device} if device is not None else None)
    return incident


# --- patrol handsets' positions -------------------------------------------------------------------

# A handset reports the outcome in its message: "outcome: apprehended 4", "outcome=false_alarm",
# "OUTCOME no_contact searched the wadi" (the position API has no outcome field of its own).
_OUTCOME_MESSAGE = re.compile(
    r"^\s*outcome\s*[:=]?\s*(?P<outcome>[a-z_]+)(?:\s+(?:persons\s*[:=]?\s*)?(?P<persons>\d{1,5})\b)?\s*(?P<note>.*)$",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class ReportedOutcome:
    outcome: str
    persons: int | None
    note: str


def parse_outcome_message(message: str) -> ReportedOutcome | None:
    """The outcome a handset's message reports, or None when the message is not an outcome.
    Raises ValidationError({"message": ...}) for an outcome message that cannot be understood."""
    match = _OUTCOME_MESSAGE.match(message or "")
    if match is None:
        return None
    outcome = match["outcome"].lower()
    if outcome not in Outcome.values:
        raise ValidationError({"message": _("unknown outcome %(outcome)s: use one of %(choices)s")
                               % {"outcome": outcome, "choices": ", ".join(Outcome.values)}})
    persons = int(match["persons"]) if match["persons"] else None
    return ReportedOutcome(outcome, persons, match["note"].strip()[:500])


@dataclass(frozen=True)
class PositionEffect:
    incident: Incident | None
    contact: bool
    closed: bool


def incident_for_position(*, position: PatrolPosition) -> Incident | None:
    """The incident a handset's position speaks of: the one it names, else the open incident the
    handset is dispatched to (the latest). ValidationError naming `incident` when the named one
    is not dispatched to this handset."""
    if position.incident_ref:
        incident = Incident.objects.filter(pk=position.incident_ref).first()
        if incident is None or incident.patrol_id != position.device_id:
            raise ValidationError({"incident": _("incident %(id)s is not dispatched to this patrol")
                                   % {"id": position.incident_ref}})
        return incident
    return (Incident.objects.filter(patrol_id=position.device_id, status__in=OPEN_STATUSES)
            .order_by("-dispatched_at", "-pk").first())


def incident_apply_position(*, position: PatrolPosition) -> PositionEffect:
    """What a dispatched patrol's position does to its incident: the first one within
    INCIDENTS_CONTACT_RADIUS_M of the incident (or with status on_scene) is the contact; a
    message "outcome: <outcome> [persons]" closes it (see parse_outcome_message)."""
    incident = incident_for_position(position=position)
    if position.outcome:  # the outcome as a field of the position (the message is its note)
        reported = ReportedOutcome(position.outcome, position.persons, (position.message or "").strip()[:500])
    else:
        reported = parse_outcome_message(position.message)
    if incident is None:
        if reported is not None:
            raise ValidationError({"incident": _("this patrol is dispatched to no open incident")})
        return PositionEffect(None, False, False)
    if incident.status == IncidentStatus.CLOSED:
        if reported is not None:
            raise ValidationError({"incident": _("incident %(id)s is already closed") % {"id": incident.pk}})
        return PositionEffect(incident, False, False)
    contact = False
    if incident.contact_at is None and incident.status == IncidentStatus.DISPATCHED:
        near = (incident.latitude is not None and distance_m(
            position.latitude, position.longitude, incident.latitude, incident.longitude,
        ) <= settings.INCIDENTS_CONTACT_RADIUS_M)
        on_scene = position.status == "on_scene"
        if near or on_scene:
            incident = incident_contact(incident=incident, at=position.at, position=position,
                                        source=ContactSource.POSITION if near else ContactSource.STATUS)
            contact = True
    closed = False
    if reported is not None:
        incident = incident_close(incident=incident, outcome=reported.outcome, persons=reported.persons,
                                  note=reported.note, device=position.device)
        closed = True
    return PositionEffect(incident, contact, closed)
