"""Generated border data for the analytics tests: persons, documents, inspections and movements
written straight to the database (no screening), and folded as the travelers hook does."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from analytics.rollups import movement_fold
from travelers.models import (
    Inspection,
    InspectionStatus,
    Movement,
    Person,
    ReasonCode,
    SecondaryInspection,
    SecondaryStatus,
    TravelDocument,
)

NATIONALITIES = ["IRQ", "IRN", "SYR", "JOR", "TUR", "KWT"]
MODES = ["air", "vehicle", "pedestrian", ""]
DECISIONS = ["admitted", "admitted", "admitted", "refused", "handed_over", "withdrawn"]


def reason_codes() -> list[ReasonCode]:
    codes = []
    for code in ("XA", "XB", "XC"):
        codes.append(ReasonCode.objects.get_or_create(code=code, defaults={"label": code, "use": "both"})[0])
    return codes


def person_with_document(nationality: str, n: int) -> tuple[Person, TravelDocument]:
    person = Person.objects.create(primary_identifier=f"P{n}", nationality=nationality)
    document = TravelDocument.objects.create(
        person=person, kind="passport", document_code="P", number=f"N{n:07d}", issuing_state=nationality,
        nationality=nationality, primary_identifier=f"P{n}", date_of_expiry=date(2031, 1, 1), match_rule="new",
    )
    return person, document


def movement_make(*, post, booth, officer, document, when: datetime, direction: str, mode: str, decision: str,
                  seconds: float | None, referred: bool = False, reason: ReasonCode | None = None,
                  secondary_reason: ReasonCode | None = None, fold: bool = True) -> Movement:
    """One decided inspection and its movement; folded into the rollups when `fold`."""
    decided = when - timedelta(minutes=5) if referred else when
    inspection = Inspection.objects.create(
        post=post, booth=booth, officer=officer, direction=direction, person=document.person, document=document,
        source="mrz", transport_mode=mode, decision="refer" if referred else ("admit" if decision == "admitted"
                                                                            else "refuse"),
        reason_code=reason, status=InspectionStatus.CLOSED,
        read_at=decided - timedelta(seconds=seconds or 0), decided_at=decided, seconds_to_decision=seconds,
    )
    if referred:
        SecondaryInspection.objects.create(inspection=inspection, referred_at=decided, status=SecondaryStatus.DONE,
                                           outcome="refuse" if decision == "refused" else "admit",
                                           reason_code=secondary_reason, closed_at=when)
    movement = Movement.objects.create(
        person=document.person, document=document, inspection=inspection, direction=direction, post=post,
        booth=booth, officer=officer, occurred_at=when, transport_mode=mode, decision=decision,
    )
    if fold:
        movement_fold(Movement.objects.select_related("document", "inspection__reason_code").get(pk=movement.pk))
    return movement


def generate(*, posts, booths, officers, n: int, seed: int, start: datetime | None = None,
             days: int = 3) -> list[Movement]:
    """n random movements over `days` days from `start`."""
    rng = random.Random(seed)
    start = start or datetime(2026, 3, 1, tzinfo=UTC)
    codes = reason_codes()
    documents = [person_with_document(rng.choice(NATIONALITIES), seed * 10000 + i)[1] for i in range(max(1, n // 3))]
    movements = []
    for _ in range(n):
        booth = rng.choice(booths + [None])
        post = booth.post if booth is not None else rng.choice(posts)
        decision = rng.choice(DECISIONS)
        referred = decision != "admitted" and rng.random() < 0.5 or rng.random() < 0.05
        movements.append(movement_make(
            post=post, booth=booth, officer=rng.choice(officers), document=rng.choice(documents),
            when=start + timedelta(seconds=rng.randrange(days * 86400)), direction=rng.choice(["entry", "exit"]),
            mode=rng.choice(MODES), decision=decision, referred=referred,
            seconds=rng.choice([None, round(rng.lognormvariate(3.5, 0.8), 3), rng.uniform(0, 5000)])
            if rng.random() < 0.2 else round(rng.lognormvariate(3.5, 0.8), 3),
            reason=rng.choice(codes + [None]) if decision != "admitted" or referred else None,
            secondary_reason=rng.choice(codes + [None]) if referred else None,
        ))
    return movements
