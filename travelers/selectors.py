"""Reads of the travelers app, always through restricted querysets; reads of a person audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from audit.services import audit_log, audit_read
from core.models import BorderPost
from travelers import telemetry
from travelers.models import (
    Inspection,
    InspectionStatus,
    Movement,
    Overstay,
    Person,
    SecondaryInspection,
    SecondaryStatus,
)
from watchlists.selectors import most_serious_hits


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


def inspection_screening_for(*, user, inspection: Inspection) -> dict:
    """The inspection's screening summary as `user` may see it: only the lists they may see are
    named (screened or unavailable), and hits are counted only on those lists (and person-to-person
    matches), so a restricted list of another agency leaves no trace."""
    from watchlists.models import Hit, Watchlist

    summary = dict(inspection.screening or {})
    if not summary:
        return summary
    visible = set(Watchlist.objects.restrict(user, "view").values_list("code", flat=True))
    counts: dict[str, int] = {}
    for source in Hit.objects.restrict(user, "view").filter(inspection_id=inspection.pk).values_list("source", flat=True):
        counts[source] = counts.get(source, 0) + 1
    checks = {}
    for kind, check in (summary.get("checks") or {}).items():
        check = dict(check)
        if "lists" in check:
            check["lists"] = [code for code in check["lists"] if code in visible]
        if "hits" in check:
            check["hits"] = counts.get(kind, 0)
        checks[kind] = check
    summary["checks"] = checks
    summary["unavailable_lists"] = [u for u in summary.get("unavailable_lists", [])
                                    if (u.get("list") if isinstance(u, dict) else u) in visible]
    if "hits" in summary:
        summary["hits"] = sum(c.get("hits", 0) for c in checks.values())
    return summary


def inspection_get(*, user, pk: int) -> Inspection:
    return get_object_or_404(
        Inspection.objects.restrict(user, "view").select_related(
            "person", "document", "post", "booth", "reason_code", "officer"
        ),
        pk=pk,
    )


def secondary_queue(*, user, now: datetime | None = None) -> list[SecondaryInspection]:
    """Travelers waiting for or in secondary inspection, longest waiting first; each carries
    `waiting_minutes` and `most_serious_hit` (the most serious hit the user may see, or None)."""
    now = now or timezone.now()
    queue = list(
        SecondaryInspection.objects.restrict(user, "view")
        .exclude(status=SecondaryStatus.DONE)
        .select_related("inspection__person", "inspection__document", "inspection__post",
                        "inspection__reason_code", "inspection__officer", "taken_by", "handover_agency")
        .order_by("referred_at")
    )
    hits = most_serious_hits(user=user, inspection_ids=[item.inspection_id for item in queue])
    for item in queue:
        item.waiting_minutes = max(0, int((now - item.referred_at).total_seconds() // 60))
        item.most_serious_hit = hits.get(item.inspection_id)
    return queue


def inspections_open_too_long(*, user, now: datetime | None = None):
    """Open inspections left undecided longer than their post's alert time, oldest first."""
    now = now or timezone.now()
    posts = BorderPost.objects.restrict(user, "view").values_list("pk", "open_inspection_alert_minutes")
    late = Q()
    for post_id, minutes in posts:
        late |= Q(post_id=post_id, read_at__lt=now - timedelta(minutes=minutes))
    if not late:
        return Inspection.objects.none()
    return (
        Inspection.objects.restrict(user, "view").filter(late, status=InspectionStatus.OPEN)
        .select_related("person", "post", "booth", "officer").order_by("read_at")
    )


def booth_telemetry(*, inspections) -> dict[str, list[dict]]:
    """Seconds from document read to decision per booth and per officer (median, 90th
    percentile, maximum) over the given decided inspections."""
    decided = [i for i in inspections if i.seconds_to_decision is not None]
    booths = telemetry.by_group(
        (f"{i.post.code}/{i.booth.code}" if i.booth else i.post.code, i.seconds_to_decision) for i in decided)
    officers = telemetry.by_group((i.officer.get_username(), i.seconds_to_decision) for i in decided)
    return {"booths": booths, "officers": officers}


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
