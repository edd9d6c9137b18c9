"""Raising and adjudicating hits: the one workflow for name, document, vehicle, face and
fingerprint matches."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.permissions import Role
from audit.services import audit_log
from watchlists.models import (
    DismissReason,
    DocumentEntry,
    Hit,
    HitAction,
    HitSource,
    HitStatus,
    PersonEntry,
    VehicleEntry,
)

_ENTRY_FIELD = {PersonEntry: "person_entry", DocumentEntry: "document_entry", VehicleEntry: "vehicle_entry"}


def hit_raise(
    *,
    actor,
    source: str,
    score: float,
    threshold: float,
    entry: PersonEntry | DocumentEntry | VehicleEntry | None = None,
    matched_person_id: int | None = None,
    action: str | None = None,
    inspection_id: int | None = None,
    person_id: int | None = None,
    post=None,
    query: dict | None = None,
    matched_name: str = "",
    explanation: dict | None = None,
) -> tuple[Hit, bool]:
    """Store a hit (pending) and audit it; returns (hit, created).

    A hit is against a watchlist `entry` or against another traveler (`matched_person_id`).
    Within one inspection the same source and target raise one hit, not one per retry."""
    if source not in HitSource.values:
        raise ValidationError({"source": f"unknown hit source {source!r}"})
    if (entry is None) == (matched_person_id is None):
        raise ValidationError({"entry": "a hit targets exactly one watchlist entry or one other traveler"})
    if not 0.0 <= score <= 1.0:
        raise ValidationError({"score": "score must be between 0 and 1"})
    target: dict = {"matched_person_id": matched_person_id}
    watchlist = None
    if entry is not None:
        field = _ENTRY_FIELD.get(type(entry))
        if field is None:
            raise ValidationError({"entry": f"not a watchlist entry: {type(entry).__name__}"})
        target = {field: entry}
        watchlist = entry.watchlist
    resolved_action = action or (watchlist.action if watchlist else HitAction.REFER)
    if resolved_action not in HitAction.values:
        raise ValidationError({"action": f"unknown action {resolved_action!r}"})
    with transaction.atomic():
        if inspection_id is not None:
            existing = Hit.objects.select_for_update().filter(
                inspection_id=inspection_id, source=source, **target
            ).first()
            if existing is not None:
                return existing, False
        hit = Hit(
            source=source, score=round(float(score), 4), threshold=float(threshold),
            action=resolved_action, watchlist=watchlist, inspection_id=inspection_id,
            person_id=person_id, post=post, query=query or {}, matched_name=matched_name[:300],
            explanation=explanation or {}, **target,
        )
        hit.save()
        audit_log(actor=actor, action="hit.raise", obj=hit, metadata={
            "source": source, "score": hit.score, "watchlist": watchlist.code if watchlist else None,
            "inspection_id": inspection_id,
        })
    return hit, True


def hit_adjudicate(*, actor, hit: Hit, decision: str, reason: str = "", note: str = "") -> Hit:
    """A supervisor confirms or dismisses a pending hit; dismissals need a reason."""
    if getattr(actor, "role", None) not in (Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied("only supervisors and administrators adjudicate hits")
    if decision not in (HitStatus.CONFIRMED, HitStatus.DISMISSED):
        raise ValidationError({"decision": "decision must be 'confirmed' or 'dismissed'"})
    if decision == HitStatus.DISMISSED and reason not in DismissReason.values:
        raise ValidationError({"reason": "a dismissal needs one of the reason codes: " + ", ".join(DismissReason.values)})
    if reason == DismissReason.OTHER and not note.strip():
        raise ValidationError({"note": "explain the dismissal when the reason is 'other'"})
    with transaction.atomic():
        locked = Hit.objects.select_for_update().get(pk=hit.pk)
        if locked.status != HitStatus.PENDING:
            raise ValidationError({"decision": f"this hit was already {locked.status}"})
        locked.status = decision
        locked.dismiss_reason = reason if decision == HitStatus.DISMISSED else ""
        locked.adjudication_note = note.strip()
        locked.adjudicated_by = actor
        locked.adjudicated_at = timezone.now()
        locked.save(update_fields=["status", "dismiss_reason", "adjudication_note", "adjudicated_by", "adjudicated_at"])
        audit_log(actor=actor, action="hit.adjudicate", obj=locked,
                  changes={"status": [HitStatus.PENDING, decision]},
                  metadata={"reason": locked.dismiss_reason, "note": locked.adjudication_note})
    return locked
