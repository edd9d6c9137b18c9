"""The inspection workflow: read a document, open the inspection, decide, secondary inspection."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.permissions import post_ids
from audit.services import audit_log, model_changes
from core.models import Booth, BorderPost, Direction
from travelers.models import (
    Decision,
    Inspection,
    InspectionStatus,
    Movement,
    MovementDecision,
    ReasonCode,
    SecondaryInspection,
    SecondaryStatus,
    TransportMode,
    Visa,
)
from travelers.mrz import DocumentFields, FieldError, MRZResult, parse, validate_fields
from travelers.services.persons import document_resolve, fields_dict
from travelers.services.stay import (
    entry_verdict_for,
    exit_preview,
    open_entry,
    overstay_resolve,
    visa_on_arrival_issue,
)

# Problems an officer may proceed past with a recorded override reason, once the data is
# otherwise complete: the document is what it is (expired, unknown issuer, a wrong check digit
# on a genuine document). Anything else must be corrected in the manual form first.
OVERRIDABLE_KINDS = frozenset({"check_digit", "expired", "unknown_code", "date_order", "document_code"})


class DocumentInvalid(ValidationError):
    """The document data has field-level problems; nothing was saved."""

    def __init__(self, errors: list[FieldError], *, result: MRZResult | None = None, overridable: bool = False):
        self.field_errors = errors
        self.result = result
        self.overridable = overridable
        messages: dict[str, list[str]] = {}
        for error in errors:
            messages.setdefault(error.field, []).append(error.text)
        super().__init__(messages)


def _today(now: datetime):
    return timezone.localdate(now)


def _missing(fields: DocumentFields) -> list[FieldError]:
    """What the records cannot do without, override or not."""
    errors = []
    for name, value in (
        ("document_number", fields.document_number), ("issuing_state", fields.issuing_state),
        ("nationality", fields.nationality), ("primary_identifier", fields.primary_identifier),
    ):
        if not value:
            errors.append(FieldError(name, "required", f"{name.replace('_', ' ')} is required"))
    if fields.date_of_expiry is None:
        errors.append(FieldError("date_of_expiry", "required", "date of expiry is required"))
    return errors


def read_document(*, mrz: str = "", document: DocumentFields | None = None, today) -> tuple[
    DocumentFields | None, list[FieldError], MRZResult | None
]:
    """Parse an MRZ and/or validate typed data: (fields, errors, mrz result)."""
    extra = settings.TRAVELERS_EXTRA_CODES
    result = parse(mrz, today=today, extra_codes=extra) if mrz.strip() else None
    if document is not None:
        errors = validate_fields(
            document_code=document.document_code, issuing_state=document.issuing_state,
            primary_identifier=document.primary_identifier, secondary_identifier=document.secondary_identifier,
            document_number=document.document_number, nationality=document.nationality,
            date_of_birth=document.date_of_birth, sex=document.sex, date_of_expiry=document.date_of_expiry,
            today=today, extra_codes=extra,
        )
        return document, errors, result
    if result is None:
        return None, [FieldError("mrz", "required", "read the MRZ or type the document data")], None
    if result.format is None:
        return None, list(result.errors), result
    return result.fields(), list(result.errors), result


def inspection_start(
    *,
    actor,
    post: BorderPost,
    direction: str,
    booth: Booth | None = None,
    mrz: str = "",
    document: DocumentFields | None = None,
    override_reason: str = "",
    transport_mode: str = "",
    carrier: str = "",
    now: datetime | None = None,
) -> Inspection:
    """Open an inspection from an MRZ as read, or from typed data (manual entry, or the officer's
    correction of an MRZ read, which keeps the MRZ as read for the record).

    Any field-level problem raises DocumentInvalid and saves nothing, unless every remaining
    problem is overridable and ``override_reason`` is given: then the inspection opens and the
    override (problems, corrections, reason) goes to the audit trail."""
    now = now or timezone.now()
    today = _today(now)
    if direction not in (Direction.ENTRY, Direction.EXIT):
        raise ValidationError({"direction": "direction must be entry or exit"})
    if transport_mode and transport_mode not in TransportMode.values:
        raise ValidationError({"transport_mode": f"unknown mode of transport {transport_mode!r}"})
    allowed = post_ids(actor)
    if allowed is not None and post.pk not in allowed:
        raise PermissionDenied("you are not assigned to this border post")
    if booth is not None and booth.post_id != post.pk:
        raise ValidationError({"booth": "this booth is not at this border post"})

    fields, errors, result = read_document(mrz=mrz, document=document, today=today)
    if fields is None:
        raise DocumentInvalid(errors, result=result)
    missing = _missing(fields)
    if missing:
        raise DocumentInvalid(missing + errors, result=result)
    override_reason = (override_reason or "").strip()
    overridable = all(e.kind in OVERRIDABLE_KINDS for e in errors)
    if errors and not (override_reason and overridable):
        raise DocumentInvalid(errors, result=result, overridable=overridable)

    corrections = {}
    if document is not None and result is not None and result.format is not None:
        corrections = model_changes(fields_dict(result.fields()), fields_dict(document))
    mrz_problems = [e.as_dict() for e in (result.errors if result is not None else [])]
    problems = [e.as_dict() for e in errors]

    with transaction.atomic():
        person, travel_document, rule = document_resolve(
            actor=actor, fields=fields, mrz="\n".join(result.lines) if result else "",
            mrz_format=(result.format or "") if result else "", now=now,
        )
        if direction == Direction.ENTRY:
            verdict = entry_verdict_for(
                person=person, nationality=fields.nationality, document_expiry=fields.date_of_expiry, today=today,
            ).as_dict()
        else:
            verdict = {"direction": "exit", **exit_preview(person=person, today=today).as_dict()}
        inspection = Inspection(
            post=post, booth=booth, officer=actor, direction=direction, person=person,
            document=travel_document, source="manual" if document is not None else "mrz",
            mrz="\n".join(result.lines) if result else "",
            document_errors=problems or mrz_problems,
            override_reason=override_reason if errors else "",
            steps=[{"step": "document_read", "at": now.isoformat(), "source": "manual" if document else "mrz",
                    "problems": len(errors), "link": rule}],
            stay_verdict=verdict, transport_mode=transport_mode, carrier=(carrier or "").strip().upper()[:40],
            read_at=now,
        )
        # Foreign keys are objects already loaded and checked above: validate the values only.
        inspection.full_clean(exclude=["post", "booth", "officer", "person", "document", "reason_code"])
        inspection.save()
        audit_log(actor=actor, action="inspection.start", obj=inspection, metadata={
            "post": post.code, "booth": booth.code if booth else None, "direction": direction,
            "person_id": person.pk, "document_id": travel_document.pk, "link": rule,
            "source": inspection.source,
        })
        if errors or corrections:
            audit_log(actor=actor, action="inspection.override", obj=inspection, changes=corrections, metadata={
                "problems": problems, "mrz_problems": mrz_problems, "reason": override_reason,
            })

    from travelers.screening import screen_inspection

    screen_inspection(actor=actor, inspection=inspection)
    return inspection


def _reason(code: str, decision: str) -> ReasonCode:
    reason = ReasonCode.objects.filter(code=code).first()
    if reason is None or not reason.applies_to(decision):
        raise ValidationError({"reason_code": f"choose a reason code for this {decision}"})
    return reason


def _movement_record(*, actor, inspection: Inspection, admitted: bool, now: datetime) -> Movement:
    """The movement of a decided inspection (inside the decision's transaction)."""
    today = _today(now)
    person = inspection.person
    movement = Movement(
        person=person, document=inspection.document, inspection=inspection, direction=inspection.direction,
        post=inspection.post, booth=inspection.booth, officer=actor, occurred_at=now,
        transport_mode=inspection.transport_mode, carrier=inspection.carrier,
        decision=MovementDecision.ADMITTED if admitted else MovementDecision.REFUSED,
    )
    detail: dict = {}
    if admitted and inspection.direction == Direction.ENTRY:
        verdict = entry_verdict_for(
            person=person, nationality=inspection.document.nationality,
            document_expiry=inspection.document.date_of_expiry, today=today,
        )
        movement.permitted_until = verdict.until
        if verdict.visa_id:
            visa = Visa.objects.select_for_update().get(pk=verdict.visa_id)
            visa.entries_used += 1
            visa.save(update_fields=["entries_used"])
            movement.visa = visa
        elif verdict.code == "visa_on_arrival" and verdict.until:
            movement.visa = visa_on_arrival_issue(
                actor=actor, person=person, today=today, until=verdict.until, inspection_id=inspection.pk
            )
        detail = {"verdict": verdict.code, "permitted_until": verdict.until}
    elif admitted:
        entry = open_entry(person)
        assessment = exit_preview(person=person, today=today)
        movement.stay_days = assessment.stay_days
        movement.overstay_days = assessment.overstay_days if entry is not None else None
        detail = assessment.as_dict()
    movement.full_clean(exclude=["person", "document", "inspection", "post", "booth", "officer", "visa"])
    movement.save()
    audit_log(actor=actor, action="movement.create", obj=movement, metadata={
        "inspection_id": inspection.pk, "person_id": person.pk, "direction": movement.direction,
        "decision": movement.decision, **detail,
    })
    if admitted and inspection.direction == Direction.EXIT:
        overstay_resolve(exit_movement=movement)
    return movement


def inspection_decide(
    *, actor, inspection: Inspection, decision: str, reason_code: str = "", notes: str = "",
    now: datetime | None = None,
) -> Inspection:
    """Record the officer's decision. Admit and refuse write the movement; refer queues the
    traveler for secondary inspection. Refusals and referrals need a reason code; admitting a
    traveler whom the permission-to-stay check did not allow needs a note."""
    now = now or timezone.now()
    notes = (notes or "").strip()
    if decision not in Decision.values:
        raise ValidationError({"decision": "decision must be admit, refuse or refer"})
    reason = _reason(reason_code, decision) if decision != Decision.ADMIT else None
    if reason is not None and reason.code == "R9" and not notes:
        raise ValidationError({"notes": "explain the reason in the notes"})
    with transaction.atomic():
        locked = Inspection.objects.restrict(actor, "decide").select_for_update().filter(pk=inspection.pk).first()
        if locked is None:
            raise PermissionDenied("this inspection is outside your remit")
        if locked.status != InspectionStatus.OPEN:
            raise ValidationError({"decision": "this inspection was already decided"})
        verdict = locked.stay_verdict or {}
        if (decision == Decision.ADMIT and locked.direction == Direction.ENTRY
                and verdict.get("allowed") is False and not notes):
            raise ValidationError({"notes": "the permission-to-stay check did not allow entry: "
                                            "explain the admission in the notes"})
        locked.decision = decision
        locked.reason_code = reason
        locked.notes = notes
        locked.decided_at = now
        locked.seconds_to_decision = round(max(0.0, (now - locked.read_at).total_seconds()), 3)
        locked.steps = [*locked.steps, {"step": "decision", "at": now.isoformat(), "decision": decision}]
        if decision == Decision.REFER:
            locked.status = InspectionStatus.REFERRED
            locked.save()
            SecondaryInspection.objects.create(inspection=locked, referred_at=now)
        else:
            locked.status = InspectionStatus.CLOSED
            locked.save()
            _movement_record(actor=actor, inspection=locked, admitted=decision == Decision.ADMIT, now=now)
        audit_log(actor=actor, action="inspection.decide", obj=locked,
                  changes={"decision": ["", decision], "status": [InspectionStatus.OPEN, locked.status]},
                  metadata={"reason_code": reason.code if reason else None,
                            "seconds_to_decision": locked.seconds_to_decision,
                            "verdict_overridden": decision == Decision.ADMIT and verdict.get("allowed") is False})
    return locked


def secondary_take(*, actor, secondary: SecondaryInspection, now: datetime | None = None) -> SecondaryInspection:
    now = now or timezone.now()
    with transaction.atomic():
        locked = (SecondaryInspection.objects.restrict(actor, "decide").select_for_update()
                  .filter(pk=secondary.pk).first())
        if locked is None:
            raise PermissionDenied("this referral is outside your remit")
        if locked.status != SecondaryStatus.WAITING:
            raise ValidationError({"status": "this traveler is already being inspected"})
        locked.status, locked.taken_by, locked.taken_at = SecondaryStatus.IN_PROGRESS, actor, now
        locked.save(update_fields=["status", "taken_by", "taken_at"])
        audit_log(actor=actor, action="secondaryinspection.take", obj=locked,
                  changes={"status": [SecondaryStatus.WAITING, SecondaryStatus.IN_PROGRESS]})
    return locked


def secondary_decide(
    *, actor, secondary: SecondaryInspection, outcome: str, reason_code: str = "", notes: str = "",
    now: datetime | None = None,
) -> SecondaryInspection:
    """The outcome of secondary inspection: admit or refuse, which writes the movement."""
    now = now or timezone.now()
    notes = (notes or "").strip()
    if outcome not in (Decision.ADMIT, Decision.REFUSE):
        raise ValidationError({"outcome": "outcome must be admit or refuse"})
    reason = _reason(reason_code, outcome) if outcome == Decision.REFUSE else None
    if reason is not None and reason.code == "R9" and not notes:
        raise ValidationError({"notes": "explain the reason in the notes"})
    with transaction.atomic():
        locked = (SecondaryInspection.objects.restrict(actor, "decide").select_for_update()
                  .select_related("inspection").filter(pk=secondary.pk).first())
        if locked is None:
            raise PermissionDenied("this referral is outside your remit")
        if locked.status == SecondaryStatus.DONE:
            raise ValidationError({"outcome": "this secondary inspection is closed"})
        before = locked.status
        locked.status, locked.outcome, locked.reason_code = SecondaryStatus.DONE, outcome, reason
        locked.notes, locked.closed_at = notes, now
        if locked.taken_by_id is None:
            locked.taken_by, locked.taken_at = actor, now
        locked.save()
        inspection = Inspection.objects.select_for_update().get(pk=locked.inspection_id)
        inspection.status = InspectionStatus.CLOSED
        inspection.steps = [*inspection.steps, {"step": "secondary", "at": now.isoformat(), "outcome": outcome}]
        inspection.save(update_fields=["status", "steps"])
        _movement_record(actor=actor, inspection=inspection, admitted=outcome == Decision.ADMIT, now=now)
        audit_log(actor=actor, action="secondaryinspection.decide", obj=locked,
                  changes={"status": [before, SecondaryStatus.DONE], "outcome": ["", outcome]},
                  metadata={"reason_code": reason.code if reason else None, "inspection_id": inspection.pk})
    return locked
