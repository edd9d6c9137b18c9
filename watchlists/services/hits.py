"""Raising and adjudicating hits: the one workflow for name, document, vehicle, face and
fingerprint matches."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import Role
from audit.services import audit_log, audit_log_many
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


def _hit_target(entry, matched_person_id) -> tuple[dict, object]:
    if (entry is None) == (matched_person_id is None):
        raise ValidationError({"entry": "a hit targets exactly one watchlist entry or one other traveler"})
    if entry is None:
        return {"matched_person_id": matched_person_id}, None
    field = _ENTRY_FIELD.get(type(entry))
    if field is None:
        raise ValidationError({"entry": f"not a watchlist entry: {type(entry).__name__}"})
    return {field: entry}, entry.watchlist


def _target_key(target: dict) -> tuple:
    (field, value), = target.items()
    return field, getattr(value, "pk", value)


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
    return hit_raise_many(
        actor=actor, source=source, inspection_id=inspection_id, person_id=person_id, post=post, query=query,
        found=[{"score": score, "threshold": threshold, "entry": entry, "matched_person_id": matched_person_id,
                "action": action, "matched_name": matched_name, "explanation": explanation}],
    )[0]


def hit_raise_many(
    *,
    actor,
    source: str,
    found: list[dict],
    inspection_id: int | None = None,
    person_id: int | None = None,
    post=None,
    query: dict | None = None,
) -> list[tuple[Hit, bool]]:
    """Store the hits of one screening (pending), each audited, in one transaction; returns
    [(hit, created)] in the order of `found`.

    Each item of `found` has `score`, `threshold`, one of `entry`, `matched_person_id` or
    `person_entry_id` + `watchlist` (a name screening that has just read the active entry), and
    optionally `action`, `matched_name`, `explanation`. Everything is validated before anything
    is written; the hits and their audit events are inserted in one statement each, so a screening
    with ten hits costs about what one costs."""
    if source not in HitSource.values:
        raise ValidationError({"source": f"unknown hit source {source!r}"})
    prepared = []
    for item in found:
        score = item["score"]
        if not 0.0 <= score <= 1.0:
            raise ValidationError({"score": "score must be between 0 and 1"})
        if item.get("person_entry_id") is not None:
            # a screening that already read the entry (active, in this list) passes its id
            watchlist = item["watchlist"]
            target = {"person_entry_id": int(item["person_entry_id"])}
        else:
            target, watchlist = _hit_target(item.get("entry"), item.get("matched_person_id"))
        resolved_action = item.get("action") or (watchlist.action if watchlist else HitAction.REFER)
        if resolved_action not in HitAction.values:
            raise ValidationError({"action": f"unknown action {resolved_action!r}"})
        prepared.append((item, target, watchlist, resolved_action))
    if not prepared:
        return []
    with transaction.atomic():
        existing: dict[tuple, Hit] = {}
        if inspection_id is not None:
            for hit in Hit.objects.select_for_update().filter(inspection_id=inspection_id, source=source):
                for field in ("person_entry", "document_entry", "vehicle_entry", "matched_person"):
                    target_id = getattr(hit, f"{field}_id")
                    if target_id is not None:
                        existing.setdefault((field, target_id), hit)
        results: list[tuple[Hit, bool]] = []
        new_hits: list[Hit] = []
        seen: dict[tuple, Hit] = {}
        for item, target, watchlist, resolved_action in prepared:
            field, value = _target_key(target)
            key = (field.removesuffix("_id"), value)
            if key in existing:
                results.append((existing[key], False))
                continue
            if key in seen:  # the same target twice in one screening: one hit
                results.append((seen[key], False))
                continue
            hit = Hit(
                source=source, score=round(float(item["score"]), 4), threshold=float(item["threshold"]),
                action=resolved_action, watchlist=watchlist, inspection_id=inspection_id,
                person_id=person_id, post=post, query=query or {},
                matched_name=(item.get("matched_name") or "")[:300],
                explanation=item.get("explanation") or {}, **target,
            )
            seen[key] = hit
            new_hits.append(hit)
            results.append((hit, True))
        if len(new_hits) == 1:
            new_hits[0].save()
        elif new_hits:
            Hit.objects.bulk_create(new_hits)
        audit_log_many(actor=actor, records=[
            {"action": "hit.raise", "obj": hit, "metadata": {
                "source": source, "score": hit.score, "watchlist": hit.watchlist.code if hit.watchlist else None,
                "inspection_id": inspection_id,
            }}
            for hit in new_hits
        ])
    return results


def hits_move_to_person(*, inspection_ids: list[int], person_id: int) -> int:
    """Hits raised during these inspections now concern another traveler (a supervisor split a
    wrong merge); returns how many moved. The caller audits the split in the same transaction."""
    if not inspection_ids:
        return 0
    return Hit.objects.filter(inspection_id__in=list(inspection_ids)).update(person_id=person_id)


def _hit_decide(*, actor, hit: Hit, decision: str, reason: str, note: str, policy: str, audit_action: str,
                metadata: dict | None = None) -> Hit:
    """Confirm or dismiss a pending hit that `actor` may reach through `policy` (one audited
    transaction); dismissals need a reason code, 'other' a note."""
    if decision not in (HitStatus.CONFIRMED, HitStatus.DISMISSED):
        raise ValidationError({"decision": _("decision must be 'confirmed' or 'dismissed'")})
    if decision == HitStatus.DISMISSED and reason not in DismissReason.values:
        raise ValidationError({"reason": _("a dismissal needs one of the reason codes: %(codes)s")
                               % {"codes": ", ".join(DismissReason.values)}})
    note = (note or "").strip()
    if decision == HitStatus.DISMISSED and reason == DismissReason.OTHER and not note:
        raise ValidationError({"note": _("explain the dismissal when the reason is 'other'")})
    with transaction.atomic():
        locked = Hit.objects.restrict(actor, policy).select_for_update().filter(pk=hit.pk).first()
        if locked is None:
            raise PermissionDenied(_("this hit is outside your remit"))
        if locked.status != HitStatus.PENDING:
            raise ValidationError({"decision": _("this hit was already %(status)s")
                                   % {"status": str(locked.get_status_display()).lower()}})
        locked.status = decision
        locked.dismiss_reason = reason if decision == HitStatus.DISMISSED else ""
        locked.adjudication_note = note
        locked.adjudicated_by = actor
        locked.adjudicated_at = timezone.now()
        locked.save(update_fields=["status", "dismiss_reason", "adjudication_note", "adjudicated_by", "adjudicated_at"])
        audit_log(actor=actor, action=audit_action, obj=locked,
                  changes={"status": [HitStatus.PENDING, decision]},
                  metadata={"reason": locked.dismiss_reason, "note": locked.adjudication_note,
                            "action": locked.action, **(metadata or {})})
    return locked


def hit_adjudicate(*, actor, hit: Hit, decision: str, reason: str = "", note: str = "") -> Hit:
    """A supervisor confirms or dismisses a pending hit from the queue; dismissals need a reason."""
    if getattr(actor, "role", None) not in (Role.SUPERVISOR, Role.ADMIN):
        raise PermissionDenied(_("only supervisors and administrators adjudicate hits"))
    return _hit_decide(actor=actor, hit=hit, decision=decision, reason=reason, note=note, policy="adjudicate",
                       audit_action="hit.adjudicate")


def hit_resolve(*, actor, hit: Hit, decision: str, reason: str = "", note: str = "", inspection_id: int) -> Hit:
    """The officer at the booth resolves a hit of the inspection on the spot: "not this person"
    (dismissed, with a reason code: it counts in the list's false-positive rate) or confirmed.
    The caller (the inspection workflow) checks that the inspection is open and the officer's."""
    if hit.inspection_id != inspection_id:
        raise ValidationError({"hit": _("this hit was not raised by this inspection")})
    return _hit_decide(actor=actor, hit=hit, decision=decision, reason=reason, note=note, policy="resolve",
                       audit_action="hit.resolve", metadata={"inspection_id": inspection_id, "on_the_spot": True})


def hits_merge_person(*, source_id: int, target_id: int) -> dict[str, list[int]]:
    """Two traveler records are one person (travelers' person_merge): the hits about the source
    traveler (``person_id``) and those that matched it (``matched_person_id``) now name the
    target. Returns the ids moved per field, for :func:`hits_unmerge_person`. The caller audits."""
    screened = sorted(Hit.objects.filter(person_id=source_id).values_list("pk", flat=True))
    matched = sorted(Hit.objects.filter(matched_person_id=source_id).values_list("pk", flat=True))
    Hit.objects.filter(pk__in=screened).update(person_id=target_id)
    Hit.objects.filter(pk__in=matched).update(matched_person_id=target_id)
    return {"person_id": screened, "matched_person_id": matched}


def hits_unmerge_person(*, moved: dict, source_id: int, target_id: int) -> None:
    """Undo :func:`hits_merge_person`: the hits listed in ``moved`` that still name the target name
    the source again."""
    Hit.objects.filter(pk__in=moved.get("person_id", []), person_id=target_id).update(person_id=source_id)
    Hit.objects.filter(pk__in=moved.get("matched_person_id", []), matched_person_id=target_id).update(
        matched_person_id=source_id)
