"""Reads of the travelers app, always through restricted querysets; reads of a person audited."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404

from audit.services import audit_log, audit_read
from travelers.models import Inspection, Movement, Overstay, Person, SecondaryInspection, SecondaryStatus


def person_get(*, user, pk: int, purpose: str = "") -> Person:
    """The person (404 outside the user's remit); the read is audited."""
    person = get_object_or_404(Person.objects.restrict(user, "view"), pk=pk)
    audit_read(actor=user, obj=person, purpose=purpose)
    return person


def audit_person_list(*, user, person_ids, purpose: str) -> None:
    """A page or response that shows several persons (a queue, a list) is one audited read."""
    ids = sorted({pk for pk in person_ids if pk is not None})
    if not ids:
        return
    with transaction.atomic():
        audit_log(actor=user, action="person.list", object_type="travelers.person",
                  metadata={"person_ids": ids, "purpose": purpose})


def person_movements(*, user, person: Person):
    return (
        Movement.objects.restrict(user, "view")
        .filter(person=person)
        .select_related("post", "booth", "document", "officer")
        .order_by("-occurred_at", "-pk")
    )


def inspection_get(*, user, pk: int) -> Inspection:
    return get_object_or_404(
        Inspection.objects.restrict(user, "view").select_related(
            "person", "document", "post", "booth", "reason_code", "officer"
        ),
        pk=pk,
    )


def secondary_queue(*, user):
    return (
        SecondaryInspection.objects.restrict(user, "view")
        .exclude(status=SecondaryStatus.DONE)
        .select_related("inspection__person", "inspection__document", "inspection__post",
                        "inspection__reason_code", "taken_by")
        .order_by("referred_at")
    )


def overstays_open(*, user):
    return (
        Overstay.objects.restrict(user, "view")
        .filter(resolved_at__isnull=True)
        .select_related("person", "entry__post", "entry__document")
        .order_by("permitted_until")
    )


def inspections_recent(*, user, limit: int = 200):
    return (
        Inspection.objects.restrict(user, "view")
        .select_related("person", "post", "booth", "officer", "reason_code")
        .order_by("-read_at")[:limit]
    )
