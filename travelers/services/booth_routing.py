"""Booth routing: a document read on a booth's reader opens the inspection on the screen of the
officer signed in at that booth, and a capture from the booth's camera or scanner lands on the
booth's open inspection.

The reader's read arrives through the device API (devices); travelers' handler holds it for the
booth (:func:`booth_read_hold`). The officer's checkpoint screen polls; the poll that finds the
booth's pending read claims it (:func:`booth_read_claim`: a conditional update from pending, so
two polls at once cannot both open it) and opens the inspection with the officer as actor and
the device recorded, exactly as a typed MRZ would. A read nobody claims expires
(:func:`booth_reads_expire`, from the poll and a Celery beat task): audited and logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.context import acting_device
from audit.services import audit_log
from core.models import Booth, Direction
from travelers.models import BoothRead, BoothReadOutcome, BoothReadStatus, Inspection, InspectionStatus
from travelers.services.inspections import DocumentInvalid, inspection_start

logger = logging.getLogger(__name__)

_DIRECTIONS = (Direction.ENTRY, Direction.EXIT)


def _capture_key(booth_id: int) -> str:
    return f"travelers:booth-capture:{booth_id}"


def booth_capture_marker(booth_id: int) -> str:
    """What changed last on the booth's open inspection through its devices ("<n>:<inspection id>";
    "" when nothing has): the screen compares it between polls to redraw the biometrics panel."""
    return cache.get(_capture_key(booth_id)) or ""


def _capture_mark(booth_id: int, inspection_id: int) -> None:
    previous = booth_capture_marker(booth_id)
    try:
        n = int(previous.split(":", 1)[0]) + 1 if previous else 1
    except ValueError:
        n = 1
    cache.set(_capture_key(booth_id), f"{n}:{inspection_id}", timeout=24 * 3600)


# -- document reads -------------------------------------------------------------------------------


def booth_read_hold(
    *,
    booth: Booth,
    device_event_id: int,
    device_code: str,
    mrz: str,
    direction: str = "",
    now: datetime | None = None,
) -> BoothRead:
    """Hold a read for the booth until the officer's screen claims it. A later read at the same
    booth replaces one still waiting (the traveler's document was read again, or the next one)."""
    now = now or timezone.now()
    existing = BoothRead.objects.filter(device_event_id=device_event_id).first()
    if existing is not None:  # the device event acted on twice: one read
        return existing
    if direction and direction not in _DIRECTIONS:
        raise ValidationError({"direction": "direction must be entry or exit"})
    with transaction.atomic():
        BoothRead.objects.filter(booth=booth, status=BoothReadStatus.PENDING).update(
            status=BoothReadStatus.SUPERSEDED, mrz="")
        read = BoothRead(
            booth=booth, device_event_id=device_event_id, device_code=device_code[:64], direction=direction,
            mrz=mrz, received_at=now, expires_at=now + timedelta(seconds=settings.TRAVELERS_BOOTH_READ_SECONDS),
        )
        read.full_clean(exclude=["booth", "claimed_by", "inspection"])
        read.save()
        audit_log(actor=None, action="booth_read.hold", obj=read, device=device_code, metadata={
            "booth": booth.code, "post_id": booth.post_id, "device_event_id": device_event_id,
            "expires_at": read.expires_at.isoformat(),
        })
    return read


def booth_read_pending(booth_id: int) -> BoothRead | None:
    """The booth's read waiting to be opened, if any: the poll's one query (index
    travelers_boothread_poll)."""
    return (BoothRead.objects.filter(booth_id=booth_id, status=BoothReadStatus.PENDING)
            .order_by("-received_at").first())


@dataclass
class Claim:
    """What the screen shows for a claimed read: the inspection, or the document's problems
    (as after a typed MRZ), or why it could not be opened."""

    read: BoothRead
    direction: str
    mrz: str = ""  # as read (the read itself no longer keeps it)
    inspection: Inspection | None = None
    invalid: DocumentInvalid | None = None
    refused: ValidationError | PermissionDenied | None = None


def _direction(read: BoothRead, booth: Booth, screen_direction: str) -> str:
    """The read's own direction, else the booth's (an entry or exit booth), else what the officer
    chose on the screen (a booth serving both), else entry."""
    for value in (read.direction, booth.direction, screen_direction):
        if value in _DIRECTIONS:
            return value
    return Direction.ENTRY


def booth_read_claim(
    *,
    actor,
    booth: Booth,
    read: BoothRead | None = None,
    screen_direction: str = "",
    transport_mode: str = "",
    carrier: str = "",
    now: datetime | None = None,
) -> Claim | None:
    """Claim the booth's pending read for `actor` (the officer signed in at the booth) and open the
    inspection from it. None when there is nothing to claim, or another poll claimed it first.

    `read` is the pending read the caller already fetched (booth_read_pending); the claim itself is
    a conditional update from pending, so it succeeds once whatever the number of polls."""
    now = now or timezone.now()
    read = read if read is not None else booth_read_pending(booth.pk)
    if read is None or read.booth_id != booth.pk:
        return None
    if read.expires_at <= now:
        booth_reads_expire(now=now, booth_id=booth.pk)
        return None
    mrz = read.mrz
    won = BoothRead.objects.filter(pk=read.pk, status=BoothReadStatus.PENDING).update(
        status=BoothReadStatus.CLAIMED, claimed_by=actor, claimed_at=now, mrz="")
    if not won:
        return None
    read.status, read.claimed_by, read.claimed_at, read.mrz = BoothReadStatus.CLAIMED, actor, now, ""
    claim = Claim(read=read, direction=_direction(read, booth, screen_direction), mrz=mrz)
    try:
        with acting_device(read.device_code):
            claim.inspection = inspection_start(
                actor=actor, post=booth.post, booth=booth, direction=claim.direction, mrz=mrz,
                transport_mode=transport_mode, carrier=carrier, device=read.device_code, now=now,
            )
        read.outcome = BoothReadOutcome.OPENED
    except DocumentInvalid as exc:
        claim.invalid, read.outcome = exc, BoothReadOutcome.INVALID
    except (ValidationError, PermissionDenied) as exc:
        claim.refused, read.outcome = exc, BoothReadOutcome.REFUSED
    read.inspection = claim.inspection
    with transaction.atomic():
        BoothRead.objects.filter(pk=read.pk).update(outcome=read.outcome, inspection=claim.inspection)
        audit_log(actor=actor, action="booth_read.claim", obj=read, device=read.device_code, metadata={
            "booth": booth.code, "outcome": read.outcome, "direction": claim.direction,
            "inspection_id": claim.inspection.pk if claim.inspection else None,
            "waited_ms": round((now - read.received_at).total_seconds() * 1000),
        })
    return claim


def booth_reads_expire(*, now: datetime | None = None, booth_id: int | None = None) -> int:
    """Expire reads that waited longer than settings.TRAVELERS_BOOTH_READ_SECONDS: each is audited
    (booth_read.expire) and logged (no personal data), and its MRZ dropped. Returns how many."""
    now = now or timezone.now()
    qs = BoothRead.objects.filter(status=BoothReadStatus.PENDING, expires_at__lte=now).select_related("booth")
    if booth_id is not None:
        qs = qs.filter(booth_id=booth_id)
    count = 0
    for read in qs[:1000]:
        with transaction.atomic():
            if not BoothRead.objects.filter(pk=read.pk, status=BoothReadStatus.PENDING).update(
                    status=BoothReadStatus.EXPIRED, mrz=""):
                continue
            audit_log(actor=None, action="booth_read.expire", obj=read, device=read.device_code, metadata={
                "booth": read.booth.code, "post_id": read.booth.post_id, "device_event_id": read.device_event_id,
                "received_at": read.received_at.isoformat(),
            })
        logger.warning("document read %s from device %s at booth %s expired: no officer opened it within %s s",
                       read.pk, read.device_code, read.booth.code, settings.TRAVELERS_BOOTH_READ_SECONDS)
        count += 1
    return count


# -- captures -------------------------------------------------------------------------------------


class NoOpenInspection(Exception):
    """No inspection is open at the booth: a capture has nowhere to go."""


def booth_open_inspection(booth_id: int, now: datetime | None = None) -> Inspection | None:
    """The booth's open inspection (the latest read, if several were left open), if it was opened
    within settings.TRAVELERS_BOOTH_CAPTURE_MINUTES: a capture never lands on a traveler whose
    inspection was left open at the booth hours ago."""
    now = now or timezone.now()
    since = now - timedelta(minutes=settings.TRAVELERS_BOOTH_CAPTURE_MINUTES)
    return (Inspection.objects.filter(booth_id=booth_id, status=InspectionStatus.OPEN, read_at__gte=since)
            .select_related("officer", "post").order_by("-read_at", "-pk").first())


def booth_capture_attach(*, booth_id: int, modality: str, face: bytes | None = None,
                         fingers: list[tuple[int, bytes]] | None = None) -> dict:
    """Attach a capture from the booth's camera or scanner to the booth's open inspection and run
    quality and matching as for a capture made in the browser (biometrics' services), on behalf of
    the inspection's officer (the device is recorded by the caller's audit context).

    Face: a live capture (source "device"): quality coaching, 1:1 against the document, 1:N.
    Fingerprints: verified 1:1 against the traveler's enrolled prints, or enrolled when there are
    none; and searched 1:N (watchlists and other travelers). Raises NoOpenInspection, or the
    ValidationError of biometrics naming the bad field."""
    inspection = booth_open_inspection(booth_id)
    if inspection is None:
        raise NoOpenInspection()
    actor = inspection.officer
    if modality == "face":
        from biometrics.models.face import FacePurpose, FaceSource
        from biometrics.services.face import face_capture

        if not face:
            raise ValidationError({"image": ["a face capture needs its image"]})
        result = face_capture(
            actor=actor, data=face, purpose=FacePurpose.LIVE, source=FaceSource.DEVICE,
            person_id=inspection.person_id, inspection_id=inspection.pk, post=inspection.post, field_name="image",
        )
        outcome = {"inspection": inspection.pk, "modality": "face", "accepted": result.accepted,
                   "quality": result.quality}
    elif modality == "fingerprint":
        from biometrics.models.fingerprint import FingerprintImpression, SearchKind
        from biometrics.services.fingerprint import FingerInput, fingerprint_enrol, fingerprint_search_create

        if not fingers:
            raise ValidationError({"fingers": ["a fingerprint capture needs at least one finger"]})
        inputs = [FingerInput(position=position, image=data) for position, data in fingers]
        enrolled = FingerprintImpression.objects.filter(person_id=inspection.person_id, is_active=True).exists()
        common = {"actor": actor, "fingers": inputs, "person_id": inspection.person_id,
                  "inspection_id": inspection.pk, "post": inspection.post}
        outcome = {"inspection": inspection.pk, "modality": "fingerprint"}
        if enrolled:
            outcome["verify_search"] = fingerprint_search_create(kind=SearchKind.VERIFY, **common).pk
        else:
            capture = fingerprint_enrol(source="device", **common)
            outcome["enrolled"] = sorted(capture.impressions.values_list("position", flat=True))
        outcome["identify_search"] = fingerprint_search_create(kind=SearchKind.IDENTIFY, **common).pk
    else:
        raise ValidationError({"modality": ["modality must be face or fingerprint"]})
    transaction.on_commit(lambda: _capture_mark(booth_id, inspection.pk))
    return outcome
