"""Writes of the registrations app: apprehensions and their groups, registrations of persons, case
transitions, and the merge participant that keeps registrations with their person.

A registration is all or nothing: the declared identity becomes a travelers.Person (through
``travelers.services.identity.person_register``), the face and fingers are enrolled through the
biometric contract as ``person:<id>`` (so the person joins the traveler galleries), the case starts
"registered", all in one transaction with its audit event; an unusable image rolls everything back
and comes back as the field's error with the ABIS reason code and coaching message. Deduplication
(``travelers.dedupe_person``) is dispatched once the transaction has committed; the civil-registry
check (a network call) is made after it, outside any transaction of ours."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import Role
from audit.services import audit_log
from core.models import BorderPost, Sector
from registrations.models import (
    FINGER_POSITIONS,
    TRANSITIONS,
    Apprehension,
    BirthPrecision,
    CaseStatus,
    CaseTransition,
    Consent,
    DedupeState,
    FingerMissing,
    Group,
    GroupKind,
    Need,
    ReferralTo,
    Registration,
    RegistrationDocument,
    Relationship,
)

logger = logging.getLogger(__name__)

MAX_AGE = 120
# An apprehension recorded a little ahead of the server's clock (a tablet's clock) is accepted.
CLOCK_TOLERANCE = timedelta(minutes=10)
_DATE_RE = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?)?$")
_NATIONALITY_RE = re.compile(r"^[A-Z]{3}$")
_NATIONAL_ID_RE = re.compile(r"^[A-Z0-9]{4,20}$")
DEDUPE_TASK = "travelers.dedupe_person"


class UnusableBiometrics(ValidationError):
    """An image the ABIS refused: ``reasons`` are the contract's reasons (code, message, position),
    ``fields`` the form/API field of each (``face``, ``finger_3``)."""

    def __init__(self, reasons: list[dict]):
        self.reasons = reasons
        super().__init__({r["field"]: [f"{r['code']}: {r['message']}"] for r in reasons})


# -- apprehensions ------------------------------------------------------------------------------


def _check_post(actor, post: BorderPost | None) -> None:
    if post is None or actor.role in (Role.SUPERVISOR, Role.ADMIN):
        return
    allowed = actor.post_ids()
    if allowed is not None and post.pk not in allowed:
        raise ValidationError({"post": _("You may not record apprehensions at this post.")})


def apprehension_create(
    *, actor, apprehended_at: datetime, post: BorderPost | None = None, sector: Sector | None = None,
    latitude: float | None = None, longitude: float | None = None, unit: str = "", incident_id: int | None = None,
    group_kind: str = GroupKind.HOUSEHOLD, group_note: str = "", now: datetime | None = None,
) -> Group:
    """Record an apprehension (a post or sector, or a position) and its first group; audited.
    Returns the group (``group.apprehension`` is the apprehension)."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if sector is not None:
        if post is None:
            post = sector.post
        elif sector.post_id != post.pk:
            errors["sector"] = _("This sector does not belong to the post.")
    if post is None and (latitude is None or longitude is None):
        errors["post"] = _("Give the post or sector, or the position (latitude and longitude).")
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("Give both latitude and longitude, or neither.")
    if apprehended_at is None:
        errors["apprehended_at"] = _("Give the time of the apprehension.")
    elif apprehended_at > now + CLOCK_TOLERANCE:
        errors["apprehended_at"] = _("The apprehension cannot be in the future.")
    if group_kind not in GroupKind.values:
        errors["group_kind"] = _("Choose household or travel group.")
    if errors:
        raise ValidationError(errors)
    _check_post(actor, post)
    with transaction.atomic():
        apprehension = Apprehension(
            apprehended_at=apprehended_at, post=post, sector=sector, latitude=latitude, longitude=longitude,
            unit=unit.strip(), incident_id=incident_id, recorded_by=actor,
        )
        apprehension.full_clean()
        apprehension.save()
        group = Group(apprehension=apprehension, kind=group_kind, note=group_note.strip())
        group.full_clean()
        group.save()
        audit_log(actor=actor, action="apprehension.create", obj=apprehension, metadata={
            "post": post.code if post else None, "sector": sector.code if sector else None,
            "incident_id": incident_id, "group_id": group.pk, "group_kind": group_kind,
        })
    return group


def group_add(*, actor, apprehension: Apprehension, kind: str = GroupKind.HOUSEHOLD, note: str = "") -> Group:
    """Another group (household, travel group) of the same apprehension; audited."""
    if kind not in GroupKind.values:
        raise ValidationError({"group_kind": _("Choose household or travel group.")})
    with transaction.atomic():
        group = Group(apprehension=apprehension, kind=kind, note=note.strip())
        group.full_clean()
        group.save()
        audit_log(actor=actor, action="group.create", obj=group, metadata={"apprehension_id": apprehension.pk,
                                                                          "kind": kind})
    return group


def group_complete(*, actor, group: Group, now: datetime | None = None) -> Group:
    """The officer reviewed the group and finished it; audited (idempotent)."""
    if not group.members.exists():
        raise ValidationError({"__all__": _("Register at least one person of the group first.")})
    with transaction.atomic():
        group = Group.objects.select_for_update().get(pk=group.pk)
        if group.completed_at is None:
            group.completed_at = now or timezone.now()
            group.save(update_fields=["completed_at"])
            audit_log(actor=actor, action="group.complete", obj=group,
                      metadata={"members": group.members.count()})
    return group


# -- registrations ------------------------------------------------------------------------------


@dataclass
class DocumentInput:
    mrz: str = ""
    page_image: bytes | None = None
    page_name: str = "page.jpg"


@dataclass
class RegistrationData:
    """What the officer recorded about one person (forms and the API build it)."""

    primary_identifier: str
    consent: str
    secondary_identifier: str = ""
    name_original: str = ""
    date_of_birth: str = ""  # YYYY-MM-DD, YYYY-MM or YYYY
    estimated_age: int | None = None
    sex: str = "X"
    nationality: str = "XXX"
    languages: list[str] = field(default_factory=list)
    place_of_origin: str = ""
    national_id_number: str = ""
    relationship: str = ""
    documents: list[DocumentInput] = field(default_factory=list)
    face: bytes | None = None
    face_source: str = "browser"
    fingers: dict[int, bytes] = field(default_factory=dict)
    fingers_missing: dict[int, str] = field(default_factory=dict)
    needs: list[str] = field(default_factory=list)
    needs_note: str = ""
    information_language: str = ""
    leaflet_given: bool = False
    consent_refused_reason: str = ""


def _age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _birth(data: RegistrationData, apprehended_at: datetime, now: datetime, errors: dict) -> tuple:
    """(year, month, day, precision, estimated_age) or field errors: impossible ages never pass."""
    text = (data.date_of_birth or "").strip()
    today = timezone.localdate(now)
    on = timezone.localtime(apprehended_at).date()
    if text and data.estimated_age is not None:
        errors["estimated_age"] = _("Give either a date of birth or an estimated age, not both.")
        return None, None, None, "", None
    if data.estimated_age is not None:
        if not 0 <= data.estimated_age <= MAX_AGE:
            errors["estimated_age"] = _("An estimated age must be from 0 to %(max)s years.") % {"max": MAX_AGE}
        return None, None, None, BirthPrecision.ESTIMATED, data.estimated_age
    if not text:
        errors["date_of_birth"] = _("Give the date of birth (as much of it as is known) or an estimated age.")
        return None, None, None, "", None
    m = _DATE_RE.match(text)
    if m is None:
        errors["date_of_birth"] = _("Write the date of birth as YYYY-MM-DD, YYYY-MM or YYYY.")
        return None, None, None, "", None
    year, month, day = int(m["y"]), m["m"] and int(m["m"]), m["d"] and int(m["d"])
    try:  # the earliest day the partial date could be
        earliest = date(year, month or 1, day or 1)
    except ValueError:
        errors["date_of_birth"] = _("This date does not exist.")
        return None, None, None, "", None
    precision = BirthPrecision.EXACT if day else (BirthPrecision.MONTH if month else BirthPrecision.YEAR)
    if earliest > today:
        errors["date_of_birth"] = _("The date of birth is in the future.")
    elif earliest > on:
        errors["date_of_birth"] = _("The date of birth is after the apprehension.")
    elif _age_on(earliest, on) > MAX_AGE:
        errors["date_of_birth"] = _("An age over %(max)s years is not possible.") % {"max": MAX_AGE}
    return year, month or None, day or None, precision, None


def _clean(data: RegistrationData, in_group: bool, apprehended_at: datetime, now: datetime) -> dict:
    """Every check that needs no write; raises ValidationError with all the field errors at once."""
    errors: dict[str, str] = {}
    if not (data.primary_identifier or "").strip():
        errors["primary_identifier"] = _("Give the surname (or the only name) as the person gives it.")
    birth = _birth(data, apprehended_at, now, errors)
    if data.sex not in ("F", "M", "X"):
        errors["sex"] = _("Choose female, male or unspecified.")
    nationality = (data.nationality or "XXX").strip().upper()
    if not _NATIONALITY_RE.match(nationality):
        errors["nationality"] = _("Give the three-letter code of the nationality (XXX when unknown).")
    national_id = (data.national_id_number or "").strip().upper()
    if national_id and not _NATIONAL_ID_RE.match(national_id):
        errors["national_id_number"] = _("A national ID number has 4 to 20 letters and digits.")
    if in_group and data.relationship not in Relationship.values:
        errors["relationship"] = _("Choose the person's relationship within the group.")
    unknown = [n for n in data.needs if n not in Need.values]
    if unknown:
        errors["needs"] = _("Unknown specific needs: %(needs)s.") % {"needs": ", ".join(unknown)}
    # Consent: recorded either way; refused means a reason and no biometrics.
    if data.consent not in Consent.values:
        errors["consent"] = _("Record whether the person gave consent: no registration without it.")
    elif data.consent == Consent.REFUSED:
        if not data.consent_refused_reason.strip():
            errors["consent_refused_reason"] = _("Give the reason consent was refused.")
        if data.face:
            errors["face"] = _("No face photo may be taken when consent was refused.")
        for position in sorted(data.fingers):
            errors[f"finger_{position}"] = _("No fingerprint may be taken when consent was refused.")
    else:
        for position in range(1, 11):
            image, reason = data.fingers.get(position), data.fingers_missing.get(position, "")
            label = FINGER_POSITIONS[position]
            if image and reason:
                errors[f"finger_{position}"] = _("%(finger)s: give the image or the reason it is missing, not both.") % {
                    "finger": label}
            elif not image and reason not in FingerMissing.values:
                errors[f"finger_{position}"] = _("%(finger)s: give the image or the reason it was not taken.") % {
                    "finger": label}
        bad = [p for p in data.fingers if p not in FINGER_POSITIONS]
        if bad:
            errors["fingers"] = _("Finger positions are 1 to 10.")
    documents = []
    from travelers.mrz import parse

    for index, document in enumerate(data.documents):
        mrz = (document.mrz or "").strip()
        if not mrz and not document.page_image:
            continue
        parsed = parse(mrz) if mrz else None
        if parsed is not None and not parsed.mrz_valid:
            errors["mrz" if len(data.documents) == 1 else f"documents.{index}.mrz"] = (
                _("The MRZ could not be read: %(error)s") % {"error": parsed.errors[0].text})
        documents.append((document, parsed))
    if errors:
        raise ValidationError(errors)
    return {"birth": birth, "nationality": nationality, "national_id": national_id, "documents": documents}


def _place(apprehension: Apprehension) -> str:
    if apprehension.sector_id:
        return apprehension.sector.code
    if apprehension.latitude is not None:
        return f"{apprehension.latitude:.5f},{apprehension.longitude:.5f}"
    return ""


_IDENTITY_FIELDS = {"birth_year": "date_of_birth", "birth_month": "date_of_birth", "birth_day": "date_of_birth",
                    "birth_precision": "date_of_birth"}


def _enrol(actor, person, data: RegistrationData) -> None:
    """Face and fingers through the biometric contract as person:<id>; a refused image raises
    UnusableBiometrics (the caller's transaction rolls back)."""
    from biometrics.abis import BiometricData, Finger, InsertRequest, abis

    payload = BiometricData(
        face=data.face or None, face_source=data.face_source,
        fingers=tuple(Finger(position, image) for position, image in sorted(data.fingers.items())),
    )
    if payload.empty:
        return
    response = abis().insert(InsertRequest(f"person:{person.pk}", payload), actor=actor)
    if response.ok:
        return
    if response.reasons:
        raise UnusableBiometrics([
            {"field": "face" if r.modality == "face" else f"finger_{r.position}", "code": r.code,
             "message": r.message, "modality": r.modality, "position": r.position} for r in response.reasons
        ])
    raise ValidationError({"__all__": _("The biometrics could not be enrolled: %(message)s")
                           % {"message": response.message or response.failure_reason}})


def registration_create(*, actor, data: RegistrationData, apprehension: Apprehension | None = None,
                        group: Group | None = None, new_apprehension: dict | None = None,
                        now: datetime | None = None) -> Registration:
    """Register one person of an apprehension (see the module's docstring); all or nothing,
    audited. ``new_apprehension`` (apprehension_create's arguments) records the apprehension and
    its first group in the same transaction, for the person's group. Raises ValidationError naming
    the fields (UnusableBiometrics for refused images)."""
    now = now or timezone.now()
    if new_apprehension is not None:
        apprehended_at = new_apprehension.get("apprehended_at") or now
    else:
        if apprehension is None:
            apprehension = group.apprehension if group is not None else None
        if apprehension is None:
            raise ValidationError({"group": _("Give the apprehension or the group of the person.")})
        if group is not None and group.apprehension_id != apprehension.pk:
            raise ValidationError({"group": _("This group belongs to another apprehension.")})
        apprehended_at = apprehension.apprehended_at
    cleaned = _clean(data, group is not None or new_apprehension is not None, apprehended_at, now)
    year, month, day, precision, estimated_age = cleaned["birth"]
    from travelers.services.identity import DeclaredIdentity, person_register

    with transaction.atomic():
        if new_apprehension is not None:
            group = apprehension_create(actor=actor, now=now, **new_apprehension)
            apprehension = group.apprehension
        registration = Registration(
            apprehension=apprehension, group=group, relationship=data.relationship if group else "",
            primary_identifier=data.primary_identifier.strip(), secondary_identifier=data.secondary_identifier.strip(),
            name_original=data.name_original.strip(), birth_year=year, birth_month=month, birth_day=day,
            birth_precision=precision, estimated_age=estimated_age, sex=data.sex,
            nationality=cleaned["nationality"], languages=[lang.strip() for lang in data.languages if lang.strip()],
            place_of_origin=data.place_of_origin.strip(), national_id_number=cleaned["national_id"],
            face_taken=bool(data.face), fingers_taken=sorted(data.fingers),
            fingers_missing={str(p): r for p, r in sorted(data.fingers_missing.items()) if p not in data.fingers}
            if data.consent == Consent.GIVEN else {},
            needs=sorted(set(data.needs)), needs_note=data.needs_note.strip(),
            information_language=data.information_language.strip(), leaflet_given=bool(data.leaflet_given),
            consent=data.consent, consent_refused_reason=data.consent_refused_reason.strip(),
            recorded_by=actor,
        )
        registration.full_clean(exclude=["person"])
        registration.save()
        identity = DeclaredIdentity(
            primary_identifier=registration.primary_identifier, secondary_identifier=registration.secondary_identifier,
            name_original=registration.name_original, birth_year=year, birth_month=month, birth_day=day,
            birth_precision=precision, estimated_age=estimated_age, sex=registration.sex,
            nationality=registration.nationality, place_of_origin=registration.place_of_origin,
            languages=tuple(registration.languages),
        )
        try:
            person = person_register(actor=actor, identity=identity, source="registration",
                                     source_ref=f"registration:{registration.pk}", post=apprehension.post,
                                     place=_place(apprehension), now=now)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise ValidationError({_IDENTITY_FIELDS.get(k, k): v for k, v in exc.error_dict.items()}) from exc
            raise
        registration.person = person
        registration.save(update_fields=["person"])
        for document, parsed in cleaned["documents"]:
            row = RegistrationDocument(registration=registration, mrz=(document.mrz or "").strip())
            if parsed is not None:
                row.document_code, row.number = parsed.document_code, parsed.document_number
                row.issuing_state, row.national_id_number = parsed.issuing_state, parsed.national_id_number
                row.parsed = {"primary_identifier": parsed.primary_identifier,
                              "secondary_identifier": parsed.secondary_identifier,
                              "nationality": parsed.nationality, "date_of_birth": parsed.birth.isoformat(),
                              "sex": parsed.sex, "date_of_expiry": parsed.date_of_expiry.isoformat()
                              if parsed.date_of_expiry else "", "format": parsed.format}
            if document.page_image:
                row.page_image.save(document.page_name or "page.jpg", ContentFile(document.page_image), save=False)
            row.save()
            if row.national_id_number and not registration.national_id_number:
                registration.national_id_number = row.national_id_number
                registration.save(update_fields=["national_id_number"])
        _enrol(actor, person, data)
        CaseTransition.objects.create(registration=registration, from_status="", to_status=CaseStatus.REGISTERED,
                                      reason=_("Registered"), actor=actor, at=now)
        audit_log(actor=actor, action="registration.create", obj=registration, metadata={
            "apprehension_id": apprehension.pk, "group_id": group.pk if group else None, "person_id": person.pk,
            "consent": registration.consent, "face": registration.face_taken,
            "fingers_taken": registration.fingers_taken, "fingers_missing": registration.fingers_missing,
            "documents": len(cleaned["documents"]), "needs": registration.needs,
        })
        transaction.on_commit(lambda: registration_dedupe_dispatch(registration_id=registration.pk))
    if registration.national_id_number:
        registration = _registry_check(actor, registration, now)
    registration.refresh_from_db()
    return registration


def _registry_check(actor, registration: Registration, now: datetime) -> Registration:
    """The civil registry asked about the declared national ID number (after the commit: a network
    call). A registry that does not answer gives a "registry not checked" check, retried later by
    travelers' task."""
    from travelers.services.civil_registry import registry_check

    check = registry_check(actor=actor, national_id_number=registration.national_id_number, reason="registration",
                           person=registration.person, now=now)
    if check is not None:
        Registration.objects.filter(pk=registration.pk).update(registry_check=check)
    return registration


def registration_dedupe_dispatch(*, registration_id: int) -> str:
    """Queue travelers' deduplication of the registration's person (by task name); returns the
    state recorded: done (ran at once: eager), dispatched (queued) or unavailable (no such task)."""
    from celery import current_app

    import travelers.tasks  # noqa: F401  (registers travelers' tasks)

    registration = Registration.objects.filter(pk=registration_id).only("person_id").first()
    if registration is None or registration.person_id is None:
        return DedupeState.UNAVAILABLE
    task = current_app.tasks.get(DEDUPE_TASK)
    if task is None:
        state = DedupeState.UNAVAILABLE
    else:
        try:
            result = task.delay(registration.person_id)
        except Exception:  # the broker is down: the registration stands, dedupe is retried by hand
            logger.exception("dedupe dispatch failed for registration %s", registration_id)
            state = DedupeState.PENDING
        else:
            state = DedupeState.DONE if result.ready() else DedupeState.DISPATCHED
    Registration.objects.filter(pk=registration_id).update(dedupe_state=state)
    return state


# -- cases --------------------------------------------------------------------------------------


def case_transition(*, actor, registration: Registration, to_status: str, reason: str, referral_to: str = "",
                    now: datetime | None = None) -> CaseTransition:
    """Move a case to another status along TRANSITIONS, with a reason (and where to for a
    referral); audited. Two officers moving the same case at once: the second sees the new status."""
    now = now or timezone.now()
    if actor.role not in (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied(_("Only officers and supervisors change a case's status."))
    with transaction.atomic():
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        errors = {}
        if to_status not in CaseStatus.values:
            errors["to_status"] = _("Unknown case status.")
        elif to_status not in TRANSITIONS.get(current.case_status, ()):
            errors["to_status"] = _("A case that is %(current)s cannot become %(new)s.") % {
                "current": current.get_case_status_display(), "new": CaseStatus(to_status).label}
        if not reason.strip():
            errors["reason"] = _("Give the reason for the change.")
        if to_status == CaseStatus.REFERRED and referral_to not in ReferralTo.values:
            errors["referral_to"] = _("Choose where the person is referred to.")
        if to_status != CaseStatus.REFERRED and referral_to:
            errors["referral_to"] = _("Only a referral names where to.")
        if errors:
            raise ValidationError(errors)
        transition = CaseTransition(registration=current, from_status=current.case_status, to_status=to_status,
                                    referral_to=referral_to, reason=reason.strip(), actor=actor, at=now)
        transition.full_clean()
        transition.save()
        current.case_status = to_status
        current.referral_to = referral_to if to_status == CaseStatus.REFERRED else current.referral_to
        current.save(update_fields=["case_status", "referral_to"])
        audit_log(actor=actor, action="registration.case_transition", obj=current,
                  changes={"case_status": [transition.from_status, to_status]},
                  metadata={"reason": transition.reason, "referral_to": referral_to, "transition_id": transition.pk})
    return transition


# -- merges -------------------------------------------------------------------------------------


def registrations_move(source_person_id: int, target_person_id: int) -> list[int]:
    """travelers' merge: the source person's registrations now belong to the target."""
    ids = list(Registration.objects.filter(person_id=source_person_id).order_by("pk").values_list("pk", flat=True))
    Registration.objects.filter(pk__in=ids).update(person_id=target_person_id)
    return ids


def registrations_restore(ids: list[int], source_person_id: int) -> None:
    """travelers' unmerge: exactly the registrations that moved go back to the source person."""
    Registration.objects.filter(pk__in=ids).update(person_id=source_person_id)
