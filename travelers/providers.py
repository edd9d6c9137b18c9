"""What travelers offers other apps without them importing its models.

`recent_travelers` is the "recent travelers provider" for the watchlists app's re-screening:
when a watchlist entry is added or changed, watchlists re-screens the persons who crossed
recently. Registration with the watchlists hook is described in docs/architecture.md."""

from __future__ import annotations

from datetime import datetime

from travelers.models import Inspection, InspectionStatus, Movement, Person


def recent_travelers(since: datetime, until: datetime | None = None) -> list[dict]:
    """Every person with a movement (entry or exit, admitted or refused) in [since, until), in
    the shape of the watchlists re-screening hook: `person_id`, `names` (as read and readable),
    `date_of_birth` ("YYYY", "YYYY-MM", "YYYY-MM-DD" or None), `nationality`, `gender`,
    `document_numbers`, and the `inspection_id` / `post_id` of the last movement. A system-level
    read: the caller screens and raises hits through its own audited services."""
    movements = Movement.objects.filter(occurred_at__gte=since)
    if until is not None:
        movements = movements.filter(occurred_at__lt=until)
    last: dict[int, Movement] = {}
    for movement in movements.order_by("occurred_at", "pk").only(
        "person_id", "inspection_id", "post_id", "occurred_at"
    ):
        last[movement.person_id] = movement
    persons = Person.objects.filter(pk__in=last).prefetch_related("documents").order_by("pk")
    out = []
    for person in persons:
        as_read = f"{person.primary_identifier} {person.secondary_identifier}".strip()
        readable = person.name_readable.replace(",", "")
        names = [as_read] + ([readable] if readable != as_read else [])
        movement = last[person.pk]
        out.append({
            "person_id": person.pk,
            "names": names,
            "date_of_birth": person.birth.isoformat() or None,
            "nationality": person.nationality,
            "gender": person.sex,
            "document_numbers": [d.number for d in person.documents.all()],
            "inspection_id": movement.inspection_id,
            "post_id": movement.post_id,
            "last_movement_at": movement.occurred_at,
        })
    return out


def inspection_for_biometrics(inspection_id: int, user) -> dict | None:
    """The traveler and post of an inspection `user` may see (None otherwise), for the
    biometrics app's capture views (registered in TravelersConfig.ready)."""
    return (
        Inspection.objects.restrict(user, "view")
        .filter(pk=inspection_id)
        .values("person_id", "post_id")
        .first()
    )


def person_for_biometrics(person_id: int, user) -> Person | None:
    """The person if `user` may see them (None otherwise), for the biometrics app's endpoints
    that take a traveler id (registered in TravelersConfig.ready). The caller audits the read."""
    return Person.objects.restrict(user, "view").filter(pk=person_id).first()


def inspection_closed_for_biometrics(inspection_id: int) -> bool:
    """Whether the inspection is closed (decided, or abandoned), for the biometrics services that
    refuse to add a capture to an ended inspection (registered in TravelersConfig.ready)."""
    return Inspection.objects.filter(
        pk=inspection_id, status__in=(InspectionStatus.CLOSED, InspectionStatus.ABANDONED)).exists()


def persons_by_document_for_biometrics(number: str, issuing_state: str, user) -> list[Person]:
    """The persons `user` may see holding a document of this number (and issuing state, when
    given): at most two, so that the caller can tell one from several. The caller audits the read."""
    persons = Person.objects.restrict(user, "view").filter(documents__number=number)
    if issuing_state:
        persons = persons.filter(documents__issuing_state=issuing_state)
    return list(persons.distinct().order_by("pk")[:2])


def visible_person_ids(person_ids, user) -> set[int]:
    """The persons among `person_ids` that `user` may see, for the biometrics app's 1:N candidate
    filter (registered in TravelersConfig.ready)."""
    return set(Person.objects.restrict(user, "view").filter(pk__in=list(person_ids)).values_list("pk", flat=True))
