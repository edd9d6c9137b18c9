"""Reads of the watchlists app, always through restricted querysets."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Q, Value, When

from watchlists.models import ACTION_SEVERITY, Hit, HitStatus, Watchlist

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
