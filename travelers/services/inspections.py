"""The inspection workflow: read a document, open the inspection, decide, secondary inspection."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import Role, post_ids
from audit.services import audit_log, model_changes
from core.errors import Conflict
from core.models import Booth, BorderPost, Direction
from travelers.hooks import movement_recorded, risk_provider
from travelers.models import (
    AbandonReason,
    Decision,
    Inspection,
    InspectionStatus,
    Movement,
    MovementDecision,
    ReasonCode,
    SecondaryInspection,
    SecondaryOutcome,
    SecondaryStatus,
    TransportMode,
    Visa,
)
from travelers.mrz import DocumentFields, FieldError, MRZResult, parse, validate_fields
from travelers.services.civil_registry import registry_check
from travelers.services.persons import document_resolve, fields_dict
from travelers.services.rules import Rules, decision_rules
from travelers.services.screening import screen_inspection
from travelers.services.stay import (
    entry_verdict_for,
    exit_preview,
    open_entry,
    overstay_resolve,
    visa_on_arrival_issue,
)
from watchlists.models import Hit
from watchlists.services import hit_resolve

# Problems an officer may proceed past with a recorded override reason, once the data is
# otherwise complete: the document is what it is (expired, unknown issuer, a wrong check digit
# on a genuine document). Anything else must be corrected in the manual form first.
logger = logging.getLogger(__name__)

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
    device: str = "",
    now: datetime | None = None,
) -> Inspection:
    """Open an inspection from an MRZ as read, or from typed data (manual entry, or the officer's
    correction of an MRZ read, which keeps the MRZ as read for the record).

    Any field-level problem raises DocumentInvalid and saves nothing, unless every remaining
    problem is overridable and ``override_reason`` is given: then the inspection opens and the
    override (problems, corrections, reason) goes to the audit trail. `device`: the code of the
    booth's reader that read the document (booth routing), kept in the read's step."""
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
            mrz_format=(result.format or "") if result else "", now=now, post=post,
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
            corrected_fields=sorted(corrections),
            steps=[{"step": "document_read", "at": now.isoformat(), "source": "manual" if document else "mrz",
                    "problems": len(errors), "link": rule, **({"device": device} if device else {})}],
            stay_verdict=verdict, transport_mode=transport_mode, carrier=(carrier or "").strip().upper()[:40],
            read_at=now,
        )
        # Foreign keys are objects already loaded and checked above: validate the values only.
        inspection.full_clean(exclude=["post", "booth", "officer", "person", "document", "reason_code"])
        inspection.save()
        audit_log(actor=actor, action="inspection.start", obj=inspection, metadata={
            "post": post.code, "booth": booth.code if booth else None, "direction": direction,
            "person_id": person.pk, "document_id": travel_document.pk, "link": rule,
            "source": inspection.source, **({"device": device} if device else {}),
        })
        if errors or corrections:
            audit_log(actor=actor, action="inspection.override", obj=inspection, changes=corrections, metadata={
                "problems": problems, "mrz_problems": mrz_problems, "reason": override_reason,
            })

    screen_inspection(actor=actor, inspection=inspection)
    inspection_risk_assess(inspection=inspection)
    if travel_document.national_id_number:
        # A national identity card: checked against the civil registry when one is configured
        # (after the commit: a slow registry never holds the inspection's transaction open).
        registry_check(actor=actor, national_id_number=travel_document.national_id_number,
                       reason="inspection", inspection=inspection, now=now)
    return inspection


def inspection_risk_assess(*, inspection: Inspection) -> dict:
    """The risk rules' verdict on a screened inspection (the provider analytics registers at
    start-up), stored on `Inspection.risk`. A provider that fails leaves {"status": "unavailable"}
    (the officer is told; the inspection goes on, as with a list that cannot be screened)."""
    provider = risk_provider()
    if provider is None:
        return {}
    try:
        with transaction.atomic():
            risk = {"status": "done", **provider(inspection)}
    except Exception:  # noqa: BLE001 — an analysis failure must not stop the booth
        logger.exception("risk provider failed for inspection %s", inspection.pk)
        risk = {"status": "unavailable", "score": 0, "reasons": [], "action": ""}
    Inspection.objects.filter(pk=inspection.pk).update(risk=risk)
    inspection.risk = risk
    return risk


def _reason(code: str, decision: str) -> ReasonCode:
    reason = ReasonCode.objects.filter(code=code).first()
    if reason is None or not reason.applies_to(decision):
        raise ValidationError({"reason_code": _("choose a reason code for this refusal") if decision == Decision.REFUSE
                               else _("choose a reason code for this referral")})
    return reason


def _movement_record(*, actor, inspection: Inspection, decision: str, now: datetime) -> Movement:
    """The movement of a decided inspection (inside the decision's transaction): admitted, or an
    attempt that did not cross (refused, handed over to an agency, withdrawn)."""
    today = _today(now)
    admitted = decision == MovementDecision.ADMITTED
    person = inspection.person
    movement = Movement(
        person=person, document=inspection.document, inspection=inspection, direction=inspection.direction,
        post=inspection.post, booth=inspection.booth, officer=actor, occurred_at=now,
        transport_mode=inspection.transport_mode, carrier=inspection.carrier,
        decision=decision,
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
    movement_recorded(movement)  # rollups (analytics), in this transaction: never out of step
    audit_log(actor=actor, action="movement.create", obj=movement, metadata={
        "inspection_id": inspection.pk, "person_id": person.pk, "direction": movement.direction,
        "decision": movement.decision, **detail,
    })
    if admitted and inspection.direction == Direction.EXIT:
        overstay_resolve(exit_movement=movement)
    return movement


def _lock_inspection(*, actor, inspection: Inspection, statuses, message, field: str) -> Inspection:
    """The inspection locked for a change by `actor` (PermissionDenied outside their remit), in
    one of `statuses` (else Conflict `not_open`, `message` under `field`)."""
    locked = Inspection.objects.restrict(actor, "decide").select_for_update().filter(pk=inspection.pk).first()
    if locked is None:
        raise PermissionDenied(_("this inspection is outside your remit"))
    if locked.status not in statuses:
        raise Conflict("not_open", message, {field: [message]})
    return locked


_OPEN = (InspectionStatus.OPEN,)
_UNDECIDED = (InspectionStatus.OPEN, InspectionStatus.REFERRED)


def _decision_refused(rules: Rules, decision: str, labels: dict) -> Conflict:
    """The error of a decision the evidence does not allow."""
    allowed = ", ".join(str(labels[d]) for d in sorted(rules.allowed))
    if decision == Decision.ADMIT and rules.unresolved_hit_ids:
        return Conflict(
            "unresolved_hits",
            _("Admission is not possible while hits are unresolved: resolve each hit (not this person, or "
              "confirmed) or ask a supervisor to override. Open now: %(allowed)s.") % {"allowed": allowed},
            {"hits": [str(i) for i in rules.unresolved_hit_ids]},
        )
    reasons = [b.message() for b in rules.blocks]
    return Conflict("decision_not_allowed",
                    _("%(decision)s is not possible here: %(reasons)s Open now: %(allowed)s.")
                    % {"decision": labels[decision], "reasons": " ".join(reasons), "allowed": allowed},
                    {"decision": reasons})


def inspection_decide(
    *, actor, inspection: Inspection, decision: str, reason_code: str = "", notes: str = "",
    now: datetime | None = None,
) -> Inspection:
    """Record the officer's decision. Admit and refuse write the movement; refer queues the
    traveler for secondary inspection. The decision must be one the evidence allows
    (travelers.services.rules: hits, document checks, a supervisor's override), else Conflict
    (409 in the API). Refusals and referrals need a reason code (a refusal on a confirmed hit
    takes its list's reason when none is chosen); admitting a traveler whom the
    permission-to-stay check did not allow needs a note."""
    now = now or timezone.now()
    notes = (notes or "").strip()
    if decision not in Decision.values:
        raise ValidationError({"decision": _("decision must be admit, refuse or refer")})
    with transaction.atomic():
        locked = _lock_inspection(actor=actor, inspection=inspection, statuses=_OPEN, field="decision",
                                  message=_("this inspection was already decided or abandoned"))
        rules = decision_rules(locked)
        if decision not in rules.allowed:
            raise _decision_refused(rules, decision, dict(Decision.choices))
        if decision == Decision.REFUSE and not reason_code and rules.refusal_reason:
            reason_code = rules.refusal_reason
        reason = _reason(reason_code, decision) if decision != Decision.ADMIT else None
        if reason is not None and reason.code == "R9" and not notes:
            raise ValidationError({"notes": _("explain the reason in the notes")})
        verdict = locked.stay_verdict or {}
        if (decision == Decision.ADMIT and locked.direction == Direction.ENTRY
                and verdict.get("allowed") is False and not notes):
            raise ValidationError({"notes": _("the permission-to-stay check did not allow entry: "
                                              "explain the admission in the notes")})
        locked.decision = decision
        locked.reason_code = reason
        locked.notes = notes
        locked.decided_at = now
        locked.seconds_to_decision = round(max(0.0, (now - locked.read_at).total_seconds()), 3)
        locked.steps = [*locked.steps, {"step": "decision", "at": now.isoformat(), "decision": decision}]
        if decision == Decision.REFER:
            locked.status = InspectionStatus.REFERRED
            locked.save()
            SecondaryInspection.objects.create(
                inspection=locked, referred_at=now, required_action=rules.most_serious_action,
                handover_agency_id=rules.handover_agency_id,
            )
        else:
            locked.status = InspectionStatus.CLOSED
            locked.save()
            _movement_record(actor=actor, inspection=locked, now=now, decision=(
                MovementDecision.ADMITTED if decision == Decision.ADMIT else MovementDecision.REFUSED))
        audit_log(actor=actor, action="inspection.decide", obj=locked,
                  changes={"decision": ["", decision], "status": [InspectionStatus.OPEN, locked.status]},
                  metadata={"reason_code": reason.code if reason else None,
                            "seconds_to_decision": locked.seconds_to_decision,
                            "verdict_overridden": decision == Decision.ADMIT and verdict.get("allowed") is False,
                            "supervisor_override": rules.overridden,
                            "blocks": [b.as_dict() | {"message": None} for b in rules.blocks]})
    return locked


def inspection_hit_resolve(
    *, actor, inspection: Inspection, hit_id: int, decision: str, reason: str = "", note: str = "",
) -> Inspection:
    """The officer resolves one hit of an open (or referred) inspection on the spot: "not this
    person" (dismissed, with a reason code) or confirmed. Audited by the hits service in the
    same transaction; returns the inspection."""
    with transaction.atomic():
        locked = _lock_inspection(actor=actor, inspection=inspection, statuses=_UNDECIDED, field="hit",
                                  message=_("the hits of a closed inspection are adjudicated from the hit queue"))
        hit = Hit.objects.restrict(actor, "resolve").filter(pk=hit_id, inspection_id=locked.pk).first()
        if hit is None:
            raise ValidationError({"hit": _("no such hit on this inspection, or not one you may see")})
        hit_resolve(actor=actor, hit=hit, decision=decision, reason=reason, note=note, inspection_id=locked.pk)
        locked.steps = [*locked.steps, {"step": "hit_resolved", "at": timezone.now().isoformat(), "hit": hit.pk,
                                        "decision": decision}]
        locked.save(update_fields=["steps"])
    return locked


def inspection_override(*, actor, inspection: Inspection, reason: str, now: datetime | None = None) -> Inspection:
    """A supervisor lifts what stops an admission (hits, an unverified document) on an open or
    referred inspection, with a reason; audited with what was lifted, shown on the record. The
    hits stay pending for adjudication."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if getattr(actor, "role", None) not in (Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied(_("only a supervisor or an administrator may override"))
    if len(reason) < 10:
        raise ValidationError({"reason": _("give the reason for the override (at least 10 characters)")})
    with transaction.atomic():
        locked = _lock_inspection(actor=actor, inspection=inspection, statuses=_UNDECIDED, field="reason",
                                  message=_("this inspection is closed"))
        if locked.supervisor_override_by_id:
            raise Conflict("already_overridden", _("this inspection was already overridden"),
                           {"reason": [_("this inspection was already overridden")]})
        rules = decision_rules(locked)
        if not rules.blocks:
            raise ValidationError({"reason": _("nothing stops a decision on this inspection: no override needed")})
        locked.supervisor_override_by = actor
        locked.supervisor_override_reason = reason
        locked.supervisor_override_at = now
        locked.steps = [*locked.steps, {"step": "supervisor_override", "at": now.isoformat()}]
        locked.save(update_fields=["supervisor_override_by", "supervisor_override_reason", "supervisor_override_at",
                                   "steps"])
        audit_log(actor=actor, action="inspection.supervisor_override", obj=locked,
                  metadata={"reason": reason, "lifted": [b.as_dict() | {"message": None} for b in rules.blocks]})
    return locked


def inspection_abandon(
    *, actor, inspection: Inspection, reason: str, note: str = "", now: datetime | None = None,
) -> Inspection:
    """End an undecided inspection without a decision ("Next traveler" on an open inspection),
    with a reason; audited. An inspection whose hits or document stop an admission cannot be
    dropped: the officer refers the traveler instead (or a supervisor overrides)."""
    now = now or timezone.now()
    note = (note or "").strip()
    if reason not in AbandonReason.values:
        raise ValidationError({"reason": _("choose why the inspection ends without a decision")})
    if reason == AbandonReason.OTHER and not note:
        raise ValidationError({"note": _("explain in the note why the inspection ends without a decision")})
    with transaction.atomic():
        locked = _lock_inspection(actor=actor, inspection=inspection, statuses=_OPEN, field="reason",
                                  message=_("this inspection was already decided or abandoned"))
        hit_blocks = decision_rules(locked).hit_blocks
        if hit_blocks:
            raise Conflict("blocking_hits", _("This traveler has hits that must be dealt with: refer to secondary "
                                              "inspection instead of moving to the next traveler."),
                           {"reason": [b.message() for b in hit_blocks]})
        locked.status = InspectionStatus.ABANDONED
        locked.abandon_reason, locked.abandon_note = reason, note
        locked.steps = [*locked.steps, {"step": "abandoned", "at": now.isoformat(), "reason": reason}]
        locked.save(update_fields=["status", "abandon_reason", "abandon_note", "steps"])
        audit_log(actor=actor, action="inspection.abandon", obj=locked,
                  changes={"status": [InspectionStatus.OPEN, InspectionStatus.ABANDONED]},
                  metadata={"reason": reason, "note": note,
                            "open_seconds": round(max(0.0, (now - locked.read_at).total_seconds()), 1)})
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


_OUTCOME_MOVEMENT = {
    SecondaryOutcome.ADMIT: MovementDecision.ADMITTED, SecondaryOutcome.REFUSE: MovementDecision.REFUSED,
    SecondaryOutcome.HANDOVER: MovementDecision.HANDED_OVER, SecondaryOutcome.WITHDRAWN: MovementDecision.WITHDRAWN,
}


def secondary_decide(
    *, actor, secondary: SecondaryInspection, outcome: str, reason_code: str = "", notes: str = "",
    handover_agency=None, handover_officer: str = "", now: datetime | None = None,
) -> SecondaryInspection:
    """The outcome of secondary inspection, which writes the movement: admit, refuse (with a
    reason code), arrest and hand over to an agency (which agency, received by whom; the
    officer recording it hands over), or the traveler withdraws the application. The outcome
    must be one the evidence allows (travelers.services.rules, secondary stage)."""
    now = now or timezone.now()
    notes = (notes or "").strip()
    handover_officer = (handover_officer or "").strip()
    if outcome not in SecondaryOutcome.values:
        raise ValidationError({"outcome": _("outcome must be admit, refuse, handover or withdrawn")})
    with transaction.atomic():
        locked = (SecondaryInspection.objects.restrict(actor, "decide").select_for_update()
                  .select_related("inspection").filter(pk=secondary.pk).first())
        if locked is None:
            raise PermissionDenied(_("this referral is outside your remit"))
        if locked.status == SecondaryStatus.DONE:
            raise Conflict("not_open", _("this secondary inspection is closed"),
                           {"outcome": [_("this secondary inspection is closed")]})
        inspection = Inspection.objects.select_for_update().get(pk=locked.inspection_id)
        rules = decision_rules(inspection, stage="secondary")
        if outcome not in rules.allowed:
            raise _decision_refused(rules, outcome, dict(SecondaryOutcome.choices))
        if outcome == SecondaryOutcome.REFUSE and not reason_code and rules.refusal_reason:
            reason_code = rules.refusal_reason
        reason = _reason(reason_code, Decision.REFUSE) if outcome == SecondaryOutcome.REFUSE else None
        if reason is not None and reason.code == "R9" and not notes:
            raise ValidationError({"notes": _("explain the reason in the notes")})
        agency = None
        if outcome == SecondaryOutcome.HANDOVER:
            agency = handover_agency or locked.handover_agency
            errors = {}
            if agency is None:
                errors["handover_agency"] = [_("name the agency the traveler is handed over to")]
            elif not agency.is_active:
                errors["handover_agency"] = [_("this agency is not active")]
            if not handover_officer:
                errors["handover_officer"] = [_("name the officer of that agency who receives the traveler")]
            if errors:
                raise ValidationError(errors)
        if outcome == SecondaryOutcome.WITHDRAWN and not notes:
            raise ValidationError({"notes": _("record in the notes how the traveler withdrew the application")})
        before = locked.status
        locked.status, locked.outcome, locked.reason_code = SecondaryStatus.DONE, outcome, reason
        locked.notes, locked.closed_at = notes, now
        locked.handover_agency = agency if agency is not None else locked.handover_agency
        locked.handover_officer = handover_officer if outcome == SecondaryOutcome.HANDOVER else ""
        if locked.taken_by_id is None:
            locked.taken_by, locked.taken_at = actor, now
        locked.save()
        inspection.status = InspectionStatus.CLOSED
        inspection.steps = [*inspection.steps, {"step": "secondary", "at": now.isoformat(), "outcome": outcome}]
        inspection.save(update_fields=["status", "steps"])
        _movement_record(actor=actor, inspection=inspection, decision=_OUTCOME_MOVEMENT[outcome], now=now)
        audit_log(actor=actor, action="secondaryinspection.decide", obj=locked,
                  changes={"status": [before, SecondaryStatus.DONE], "outcome": ["", outcome]},
                  metadata={"reason_code": reason.code if reason else None, "inspection_id": inspection.pk,
                            "handover_agency": agency.code if outcome == SecondaryOutcome.HANDOVER else None,
                            "supervisor_override": rules.overridden})
    return locked
