"""Reads of the travelers app, always through restricted querysets; reads of a person audited."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from audit.services import audit_log, audit_read
from core.models import BorderPost
from devices.selectors import booth_device_status
from travelers import telemetry
from travelers.models import (
    Inspection,
    InspectionStatus,
    Movement,
    Overstay,
    Person,
    ReasonCode,
    SecondaryInspection,
    SecondaryStatus,
)
from travelers.services.rules import decision_rules
from watchlists.models import BLOCKING_ACTIONS, Hit, HitStatus, Watchlist
from watchlists.selectors import hits_for_inspection, most_serious_hits


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
            "person", "document", "post", "booth", "reason_code", "officer", "supervisor_override_by",
            "movement__post", "movement__booth", "movement__document",
        ),
        pk=pk,
    )


def inspection_decision_rules_for(*, user, inspection: Inspection) -> dict:
    """What stops an admission, as `user` may see it: a hit on a list the user may not see keeps
    its id and action (the inspection is blocked all the same) but not its list's code."""

    stage = "secondary" if inspection.status == InspectionStatus.REFERRED else "primary"
    rules = decision_rules(inspection, stage=stage).as_dict()
    visible = set(Hit.objects.restrict(user, "view").filter(inspection_id=inspection.pk).values_list("pk", flat=True))
    for block in rules["blocks"]:
        if block["kind"] == "hit" and block["hit_id"] not in visible:
            block["list"] = None
    return rules


def inspection_as_seen(*, user, pk: int) -> Inspection:
    """An inspection with what `user` may see of it computed in memory (never saved): its
    screening summary (`screening`) and its decision rules (`rules_as_seen`), for the API."""
    inspection = inspection_get(user=user, pk=pk)
    inspection.screening = inspection_screening_for(user=user, inspection=inspection)
    inspection.rules_as_seen = inspection_decision_rules_for(user=user, inspection=inspection)
    return inspection


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


def inspection_screening_panel(*, user, inspection: Inspection, resolve_errors: dict | None = None) -> dict:
    """The screening panel of an inspection as `user` may see it: the summary and the hits of the
    lists they may see (each marked `resolvable` on the spot, with any errors of a resolution just
    refused), the decision rules, and the blocks behind lists they may not see (the officer is told
    that one exists, not what it is). `rules_key` changes whenever what blocks an admission does."""

    inspection.screening = inspection_screening_for(user=user, inspection=inspection)
    hits = list(hits_for_inspection(user=user, inspection_id=inspection.pk))
    stage = "secondary" if inspection.status == InspectionStatus.REFERRED else "primary"
    rules = decision_rules(inspection, stage=stage)
    resolvable = inspection.status in (InspectionStatus.OPEN, InspectionStatus.REFERRED)
    errors = resolve_errors or {}
    for hit in hits:
        hit.resolvable = resolvable and hit.status == HitStatus.PENDING and hit.action in BLOCKING_ACTIONS
        hit.errors, hit.chosen_reason = errors.get(hit.pk, ([], ""))
    visible = {hit.pk for hit in hits}
    hidden = [b for b in rules.hit_blocks if b.hit_id not in visible]
    return {
        "hits": hits,
        "hit_count": len(hits) + len(hidden),
        "rules": rules,
        "hidden_blocks": hidden,
        "rules_key": ",".join(f"{b.kind}:{b.hit_id}:{b.status}" for b in rules.blocks) + f"|{int(rules.overridden)}",
    }


def inspection_screen(*, user, inspection: Inspection, resolve_errors: dict | None = None) -> dict:
    """Everything the inspection screen shows, read for `user`: the traveler (the read is audited:
    the inspection came through the restricted queryset, and a person is visible wherever one of
    their inspections is), the document, the stay verdict, the last movements, the screening panel,
    the reason codes while it is open, the referral and the movement once there."""

    person = inspection.person
    audit_read(actor=user, obj=person, purpose="inspection")
    is_open = inspection.status == InspectionStatus.OPEN
    return {
        "inspection": inspection,
        "person": person,
        "document": inspection.document,
        "document_expired": inspection.document.date_of_expiry < timezone.localdate(),
        "movements": list(person_movements(user=user, person=person)[:10]),
        "verdict": inspection.stay_verdict or {},
        **inspection_screening_panel(user=user, inspection=inspection, resolve_errors=resolve_errors),
        "reasons": list(ReasonCode.objects.filter(is_active=True).order_by("code")) if is_open else [],
        "is_open": is_open,
        "secondary": (SecondaryInspection.objects.filter(inspection=inspection).select_related("handover_agency")
                      .first() if inspection.status in (InspectionStatus.REFERRED, InspectionStatus.CLOSED) else None),
        "movement": getattr(inspection, "movement", None),
    }


def booth_devices(booth_id: int | None) -> tuple[list[dict], str]:
    """The booth's devices and their state for the checkpoint screen (devices.selectors), cached a
    few seconds (settings.TRAVELERS_BOOTH_DEVICES_CACHE_SECONDS) so the screen's frequent poll
    costs no query for them; and a short key that changes when any state does."""
    if not booth_id:
        return [], ""
    key = f"travelers:booth-devices:{booth_id}"
    devices = cache.get(key)
    if devices is None:
        devices = [{k: d.get(k) for k in ("code", "kind", "role", "state", "online")}
                   for d in booth_device_status(booth_id)]
        timeout = settings.TRAVELERS_BOOTH_DEVICES_CACHE_SECONDS
        if timeout:
            cache.set(key, devices, timeout=timeout)
    state = "|".join(f"{d['code']}={d['state']}" for d in devices)
    return devices, hashlib.blake2s(state.encode(), digest_size=4).hexdigest()
