"""Reads of the watchlists app, always through restricted querysets."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Case, CharField, Count, IntegerField, Max, Min, Prefetch, Q, Value, When
from django.db.models.functions import Cast, Concat

from watchlists.models import (
    ACTION_SEVERITY,
    BLOCKING_ACTIONS,
    DocumentEntry,
    Hit,
    HitStatus,
    ImportJob,
    PersonEntry,
    PersonEntryName,
    VehicleEntry,
    Watchlist,
)

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


HIT_GROUPS_PER_PAGE = 20


def _group_key():
    """Hits on the same traveler form one group; a hit without a traveler is a group of its own."""
    return Case(
        When(person_id__isnull=False, then=Concat(Value("p"), Cast("person_id", CharField()))),
        default=Concat(Value("h"), Cast("pk", CharField())),
        output_field=CharField(),
    )


def hit_queue(*, user, status: str | None = None, list_code: str | None = None):
    """The hits the user may see, with their severity rank and traveler group."""
    hits = Hit.objects.restrict(user, "view").annotate(severity_rank=_SEVERITY, group_key=_group_key())
    if status in HitStatus.values:
        hits = hits.filter(status=status)
    if list_code:
        hits = hits.filter(watchlist__code=list_code)
    return hits


def hit_queue_groups(*, user, status: str | None = None, list_code: str | None = None, page_number=None,
                     per_page: int = HIT_GROUPS_PER_PAGE, hits=None):
    """One page of the hit queue as groups, one per traveler, the most serious group first (then
    the newest); inside a group, most serious then highest score. Returns (page, groups), each
    group {"key", "person_id", "action", "hits"}. ``hits``: the queue already filtered (a
    ``watchlists.filters.HitFilter`` over ``hit_queue(user=user)``), instead of status and list."""
    if hits is None:
        hits = hit_queue(user=user, status=status, list_code=list_code)
    keys = (hits.order_by().values("group_key").annotate(top=Min("severity_rank"), last=Max("created_at"))
            .order_by("top", "-last", "group_key"))
    page = Paginator(keys, per_page).get_page(page_number)
    wanted = [row["group_key"] for row in page.object_list]
    members = (hits.filter(group_key__in=wanted)
               .select_related("watchlist", "post", "person_entry", "document_entry", "vehicle_entry")
               .prefetch_related(Prefetch("person_entry__names",
                                          queryset=PersonEntryName.objects.order_by("-is_primary", "pk")))
               .order_by("severity_rank", "-score", "pk"))
    by_key: dict[str, list] = {}
    for hit in members:
        by_key.setdefault(hit.group_key, []).append(hit)
    groups = [{"key": k, "person_id": by_key[k][0].person_id, "action": by_key[k][0].action, "hits": by_key[k]}
              for k in wanted if k in by_key]
    return page, groups


def hits_for_api(*, user):
    """The hits the user may see, newest first, with what their serializer reads (list, entry and
    its names in display order) loaded up front; filter with ``watchlists.filters.HitFilter``."""
    return (Hit.objects.restrict(user, "view").select_related("watchlist", "person_entry")
            .prefetch_related(Prefetch("person_entry__names",
                                       queryset=PersonEntryName.objects.order_by("-is_primary", "pk")))
            .order_by("-created_at", "-pk"))


# Reads the pages and the API shared or built themselves.

_NAMES_IN_ORDER = Prefetch("names", queryset=PersonEntryName.objects.order_by("-is_primary", "pk"))


def watchlists_visible(*, user):
    """The lists the user may see, with their owner agency."""
    return Watchlist.objects.restrict(user, "view").select_related("owner_agency")


def can_change_watchlist(*, user, watchlist_id: int) -> bool:
    return Watchlist.objects.restrict(user, "change").filter(pk=watchlist_id).exists()


def watchlist_rows(*, user) -> list[dict]:
    """The lists page: each visible list with its active person entries, its false-positive rate
    and whether the user may change it (three queries whatever the number of lists)."""
    rates = {r["watchlist"].pk: r for r in false_positive_rates(user=user)}
    lists = watchlists_visible(user=user).annotate(
        n_persons=Count("personentrys", filter=Q(personentrys__is_active=True), distinct=True))
    changeable = set(Watchlist.objects.restrict(user, "change").values_list("pk", flat=True))
    return [{"wl": wl, "rate": rates.get(wl.pk), "can_change": wl.pk in changeable} for wl in lists]


def person_entries_matching(entries, text: str):
    """Person entries among ``entries`` with a name containing ``text`` (normalised as the names
    are: case, diacritics and punctuation aside); all of them for an empty text."""
    from watchlists.names.normalize import normalize_text

    text = (text or "").strip()
    if not text:
        return entries
    return entries.filter(names__normalized__contains=normalize_text(text)).distinct()


def watchlist_person_entries(*, watchlist):
    """The person entries of one list with their names in display order, last changed first."""
    return PersonEntry.objects.filter(watchlist=watchlist).prefetch_related(_NAMES_IN_ORDER).order_by("-updated_at")


def watchlist_other_entries(*, watchlist, limit: int = 50) -> dict:
    """The list page's documents, vehicles (last changed first) and latest imports."""
    return {
        "documents": DocumentEntry.objects.filter(watchlist=watchlist).order_by("-updated_at")[:limit],
        "vehicles": VehicleEntry.objects.filter(watchlist=watchlist).order_by("-updated_at")[:limit],
        "imports": ImportJob.objects.filter(watchlist=watchlist)[:10],
    }


def entries_of_list(*, model, user, action: str, code: str):
    """The entries of one kind (``model``) of the list ``code`` the user may ``action``, with what
    their serializer reads loaded up front, oldest first."""
    qs = model.objects.restrict(user, action).filter(watchlist__code=code).select_related("watchlist")
    if model is PersonEntry:
        qs = qs.prefetch_related(_NAMES_IN_ORDER)
    return qs.order_by("pk")


def hits_by_ids(*, user, ids):
    """Hits of the queue by id (cards posted with errors that the filters would hide), with what
    their cards read."""
    return list(hit_queue(user=user).filter(pk__in=list(ids)).select_related(
        "watchlist", "post", "person_entry", "document_entry", "vehicle_entry").prefetch_related(
        Prefetch("person_entry__names", queryset=PersonEntryName.objects.order_by("-is_primary", "pk"))))


def lists_in_force(*, kinds=None, user=None):
    """The watchlists in force today: active, and valid today (no dates, or today between them),
    by code. ``kinds``: only lists of these kinds (``ListKind`` values); ``user``: only the lists
    the user may see (None: every list, for system jobs and border inspections). Screening and the
    biometric searches both read the lists to search here."""
    from django.utils import timezone

    today = timezone.localdate()
    qs = Watchlist.objects.restrict(user, "view") if user is not None else Watchlist.objects.all()
    qs = qs.filter(is_active=True).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today), Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    return qs.order_by("code")
