"""What travelers offers other apps without them importing its models.

`recent_travelers` is the "recent travelers provider" for the watchlists app's re-screening:
when a watchlist entry is added or changed, watchlists re-screens the persons who crossed
recently. Registration with the watchlists hook is described in docs/architecture.md."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max

from travelers.models import Movement, Person


def recent_travelers(*, since: datetime, until: datetime | None = None) -> list[dict]:
    """Every person with a movement (entry or exit, admitted or refused) in [since, until), with
    what screening needs: names as read and readable, date of birth (possibly partial),
    nationality, sex, document numbers, the last movement. System-level read (no user): the
    caller screens and raises hits through its own audited services."""
    movements = Movement.objects.filter(occurred_at__gte=since)
    if until is not None:
        movements = movements.filter(occurred_at__lt=until)
    last = dict(movements.values("person_id").annotate(at=Max("occurred_at")).values_list("person_id", "at"))
    persons = Person.objects.filter(pk__in=last).prefetch_related("documents").order_by("pk")
    out = []
    for person in persons:
        out.append({
            "person_id": person.pk,
            "primary_identifier": person.primary_identifier,
            "secondary_identifier": person.secondary_identifier,
            "name_readable": person.name_readable,
            "birth_year": person.birth_year,
            "birth_month": person.birth_month,
            "birth_day": person.birth_day,
            "nationality": person.nationality,
            "sex": person.sex,
            "documents": [
                {"issuing_state": d.issuing_state, "kind": d.kind, "number": d.number}
                for d in person.documents.all()
            ],
            "last_movement_at": last[person.pk],
        })
    return out
