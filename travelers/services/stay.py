"""Stay rules, visas and the overstay scan; the pure rules are in travelers.stay."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.permissions import Role
from audit.services import audit_log, model_changes
from core.models import Direction
from travelers import stay
from travelers.models import (
    Movement,
    MovementDecision,
    Overstay,
    Person,
    StayRegime,
    StayRule,
    Visa,
    VisaCategory,
)
from travelers.mrz import is_known_code


def rule_for(nationality: str) -> stay.Rule:
    """The rule for holders of ``nationality``: nationals, a configured rule, or visa required."""
    if nationality == settings.TRAVELERS_HOME_NATIONALITY:
        return stay.Rule(stay.NATIONAL)
    row = StayRule.objects.filter(nationality=nationality).first()
    if row is None:
        return stay.Rule(stay.VISA_REQUIRED)
    return stay.Rule(row.regime, row.max_stay_days, row.period_days)


def _visa_info(visa: Visa) -> stay.VisaInfo:
    return stay.VisaInfo(
        id=visa.pk, category=visa.category, number=visa.number, valid_from=visa.valid_from,
        valid_until=visa.valid_until, entries_allowed=visa.entries_allowed,
        entries_used=visa.entries_used, max_stay_days=visa.max_stay_days, revoked=visa.revoked,
    )


def past_stays(person: Person, *, before=None) -> list[stay.Stay]:
    """The person's stays from admitted entries and exits (in time order)."""
    movements = Movement.objects.filter(person=person, decision=MovementDecision.ADMITTED)
    if before is not None:
        movements = movements.filter(occurred_at__lt=before)
    stays: list[stay.Stay] = []
    entry_day = None
    for movement in movements.order_by("occurred_at", "pk"):
        day = timezone.localdate(movement.occurred_at)
        if movement.direction == Direction.ENTRY:
            if entry_day is not None:  # two entries in a row: the exit was not recorded
                stays.append(stay.Stay(entry_day, entry_day))
            entry_day = day
        elif entry_day is not None:
            stays.append(stay.Stay(entry_day, day))
            entry_day = None
    if entry_day is not None:
        stays.append(stay.Stay(entry_day, None))
    return stays


def open_entry(person: Person) -> Movement | None:
    """The last admitted entry not followed by an admitted exit."""
    last = (
        Movement.objects.filter(person=person, decision=MovementDecision.ADMITTED)
        .order_by("-occurred_at", "-pk").first()
    )
    if last is not None and last.direction == Direction.ENTRY:
        return last
    return None


def entry_verdict_for(*, person: Person, nationality: str, document_expiry, today: date) -> stay.Verdict:
    visas = [_visa_info(v) for v in Visa.objects.filter(person=person)]
    verdict = stay.entry_verdict(
        rule=rule_for(nationality), today=today, visas=visas,
        past_stays=past_stays(person), document_expiry=document_expiry,
    )
    # An entry while the last one has no exit: the exit was missed, or the traveler overstayed.
    previous = open_entry(person)
    if previous is not None:
        notes = [f"previous entry on {timezone.localdate(previous.occurred_at).isoformat()} has no recorded exit"]
        if previous.permitted_until and previous.permitted_until < today:
            notes.append(f"that stay was permitted until {previous.permitted_until.isoformat()}: overstay of "
                         f"{(today - previous.permitted_until).days} days")
        verdict = replace(verdict, notes=[*verdict.notes, *notes])
    return verdict


def exit_preview(*, person: Person, today: date) -> stay.ExitAssessment:
    entry = open_entry(person)
    if entry is None:
        return stay.exit_assessment(entry=None, permitted_until=None, exit_day=today)
    return stay.exit_assessment(
        entry=timezone.localdate(entry.occurred_at), permitted_until=entry.permitted_until, exit_day=today
    )


def _require_staff(actor) -> None:
    if getattr(actor, "role", None) not in (Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied("only supervisors and administrators manage stay rules and visas")


def stay_rule_set(
    *, actor, nationality: str, regime: str, max_stay_days: int | None = None,
    period_days: int | None = None, note: str = "",
) -> StayRule:
    """Create or change the rule for one nationality (audited with the old and new values)."""
    _require_staff(actor)
    nationality = (nationality or "").strip().upper()
    if not is_known_code(nationality, settings.TRAVELERS_EXTRA_CODES):
        raise ValidationError({"nationality": f"{nationality or '(empty)'} is not an ICAO Doc 9303 code"})
    if regime not in StayRegime.values:
        raise ValidationError({"regime": f"unknown regime {regime!r}"})
    with transaction.atomic():
        rule = StayRule.objects.select_for_update().filter(nationality=nationality).first()
        before = {}
        if rule is None:
            rule = StayRule(nationality=nationality)
        else:
            before = {"regime": rule.regime, "max_stay_days": rule.max_stay_days,
                      "period_days": rule.period_days, "note": rule.note}
        rule.regime, rule.max_stay_days, rule.period_days, rule.note = regime, max_stay_days, period_days, note
        rule.updated_by = actor
        rule.full_clean()
        rule.save()
        after = {"regime": regime, "max_stay_days": max_stay_days, "period_days": period_days, "note": note}
        audit_log(actor=actor, action="stayrule.set", obj=rule, changes=model_changes(before, after))
    return rule


def visa_issue(
    *, actor, person: Person, category: str, number: str, issuing_state: str, valid_from: date,
    valid_until: date, entries_allowed: int = 1, max_stay_days: int | None = None, document=None,
) -> Visa:
    """Record a visa or permit for a person (a supervisor's registry entry)."""
    _require_staff(actor)
    if category not in VisaCategory.values:
        raise ValidationError({"category": f"unknown category {category!r}"})
    visa = Visa(
        person=person, category=category, number=(number or "").strip().upper(),
        issuing_state=(issuing_state or "").strip().upper(), valid_from=valid_from,
        valid_until=valid_until, entries_allowed=entries_allowed, max_stay_days=max_stay_days,
        document=document, created_by=actor,
    )
    visa.full_clean()
    with transaction.atomic():
        visa.save()
        audit_log(actor=actor, action="visa.issue", obj=visa, metadata={
            "person_id": person.pk, "category": category, "valid_until": valid_until,
        })
    return visa


def overstay_scan(*, today: date | None = None) -> list[Overstay]:
    """Record every person whose permitted stay ended before ``today`` without an exit.

    Run daily by Celery beat (travelers.overstay_scan). Returns the overstays found this run;
    each new one is audited (actor: the system)."""
    today = today or timezone.localdate()
    now = timezone.now()
    found: list[Overstay] = []
    candidates = (
        Movement.objects.filter(
            direction=Direction.ENTRY, decision=MovementDecision.ADMITTED,
            permitted_until__lt=today, overstay__isnull=True,
        )
        .select_related("person")
        .order_by("permitted_until", "pk")
    )
    for entry in candidates:
        exited = Movement.objects.filter(
            person_id=entry.person_id, direction=Direction.EXIT, decision=MovementDecision.ADMITTED,
            occurred_at__gt=entry.occurred_at,
        ).exists()
        if exited:
            continue
        with transaction.atomic():
            overstay, created = Overstay.objects.get_or_create(
                entry=entry,
                defaults={"person_id": entry.person_id, "permitted_until": entry.permitted_until,
                          "detected_at": now},
            )
            if created:
                audit_log(actor=None, action="overstay.detect", obj=overstay, metadata={
                    "person_id": entry.person_id, "permitted_until": entry.permitted_until,
                    "days_over": (today - entry.permitted_until).days,
                })
                found.append(overstay)
    return found


def overstay_resolve(*, exit_movement: Movement) -> int:
    """Close the open overstays of the person whose exit was just recorded (same transaction)."""
    count = 0
    for overstay in Overstay.objects.select_for_update().filter(
        person_id=exit_movement.person_id, resolved_at__isnull=True
    ):
        overstay.resolved_at = exit_movement.occurred_at
        overstay.exit = exit_movement
        overstay.save(update_fields=["resolved_at", "exit"])
        audit_log(actor=exit_movement.officer, action="overstay.resolve", obj=overstay,
                  metadata={"exit_movement_id": exit_movement.pk})
        count += 1
    return count


def visa_on_arrival_issue(*, actor, person: Person, today: date, until: date, inspection_id: int) -> Visa:
    """The visa on arrival an officer grants with an admission (inside the decision's transaction)."""
    visa = Visa(
        person=person, category=VisaCategory.VISA_ON_ARRIVAL, number=f"VOA{inspection_id:08d}",
        issuing_state=settings.TRAVELERS_HOME_NATIONALITY, valid_from=today, valid_until=until,
        entries_allowed=1, entries_used=1, max_stay_days=(until - today).days + 1, created_by=actor,
    )
    visa.full_clean()
    visa.save()
    audit_log(actor=actor, action="visa.issue", obj=visa, metadata={
        "person_id": person.pk, "category": visa.category, "valid_until": until, "inspection_id": inspection_id,
    })
    return visa


__all__ = [
    "entry_verdict_for", "exit_preview", "open_entry", "overstay_resolve", "overstay_scan", "past_stays",
    "rule_for", "stay_rule_set", "visa_issue", "visa_on_arrival_issue",
]
