"""Reads of the watchlists app, always through restricted querysets."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Q, Value, When

from watchlists.models import ACTION_SEVERITY, BLOCKING_ACTIONS, Hit, HitStatus, Watchlist

_SEVERITY = Case(
    *[When(action=action, then=Value(rank)) for action, rank in ACTION_SEVERITY.items()],
    default=Value(len(ACTION_SEVERITY)),
    output_field=IntegerField(),
)


def hits_for_inspection(*, user, inspection_id: int):
    """The hits of one inspection the user may see, most serious first, then by score."""
    return (
        Hit.objects.restrict(user, "view")
        .filter(inspection_id=inspection_id)
        .select_related("watchlist", "person_entry", "document_entry", "vehicle_entry")
        .annotate(severity_rank=_SEVERITY)
        .order_by("severity_rank", "-score", "pk")
    )


def hits_deciding_inspection(*, inspection_id: int) -> list[dict]:
    """Every hit of an inspection whose action can stop an admission, whoever may see its list:
    the decision rules of the inspection read them to enforce what the hits demand (a hit on a
    list the officer may not see still stops the admission; the officer sees that one exists).
    Plain dicts, most serious first; no personal data of the entry."""
    rows = (
        Hit.objects.filter(inspection_id=inspection_id, action__in=BLOCKING_ACTIONS)
        .exclude(status=HitStatus.DISMISSED)
        .annotate(severity_rank=_SEVERITY)
        .order_by("severity_rank", "-score", "pk")
        .values("pk", "action", "status", "source", "watchlist_id", "watchlist__code", "watchlist__refusal_reason",
                "watchlist__owner_agency_id")
    )
    return [{"id": r["pk"], "action": r["action"], "status": r["status"], "source": r["source"],
             "watchlist_id": r["watchlist_id"], "list": r["watchlist__code"],
             "refusal_reason": r["watchlist__refusal_reason"] or "", "agency_id": r["watchlist__owner_agency_id"]}
            for r in rows]


def most_serious_hits(*, user, inspection_ids: list[int]) -> dict[int, Hit]:
    """Per inspection, its most serious hit the user may see (one query for a whole queue)."""
    best: dict[int, Hit] = {}
    for hit in (Hit.objects.restrict(user, "view").filter(inspection_id__in=list(inspection_ids))
                .select_related("watchlist").annotate(severity_rank=_SEVERITY)
                .order_by("severity_rank", "-score", "pk")):
        best.setdefault(hit.inspection_id, hit)
    return best


def false_positive_rates(*, user):
    """Per visible list: confirmed, dismissed, pending counts and the share of adjudicated hits
    that were dismissed (the false-positive rate supervisors watch)."""
    lists = Watchlist.objects.restrict(user, "view").annotate(
        confirmed=Count("hits", distinct=True, filter=Q(hits__status=HitStatus.CONFIRMED)),
        dismissed=Count("hits", distinct=True, filter=Q(hits__status=HitStatus.DISMISSED)),
        pending=Count("hits", distinct=True, filter=Q(hits__status=HitStatus.PENDING)),
    ).order_by("code")
    rows = []
    for wl in lists:
        adjudicated = wl.confirmed + wl.dismissed
        rows.append({
            "watchlist": wl, "confirmed": wl.confirmed, "dismissed": wl.dismissed, "pending": wl.pending,
            "false_positive_rate": (wl.dismissed / adjudicated) if adjudicated else None,
        })
    return rows
