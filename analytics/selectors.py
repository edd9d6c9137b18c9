"""Reads of the analytics pages: the trends, drawn from the rollups (never a scan of the movements
per page view), and the records behind each number (restricted querysets, audited reads)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from accounts.permissions import Role, post_ids


def rollups_for(user):
    """Daily movement rollups (the agency's local day) the reader may count: a supervisor's or
    administrator's through the rollup's restricted queryset; a partner agency's client (reading
    ``statistics:read`` through the API, which checks the scope) every post, because what it
    receives is aggregated and suppressed (analytics.statistics). The periods of these pages are
    whole days, so the daily table answers them (several times fewer rows than the hourly one)."""
    from analytics.models import MovementDayRollup

    if getattr(user, "role", None) == Role.PARTNER:
        return MovementDayRollup.objects.all()
    return MovementDayRollup.objects.restrict(user, "view")


def allowed_posts(user) -> list[int] | None:
    return None if getattr(user, "role", None) == Role.PARTNER else post_ids(user)


def _shift_year(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _bucket_starts(since: dt.date, until: dt.date, group: str) -> list[dt.date]:
    if group == "day":
        return [since + dt.timedelta(days=i) for i in range((until - since).days + 1)]
    if group == "week":
        start = since - dt.timedelta(days=since.weekday())
        out = []
        while start <= until:
            out.append(start)
            start += dt.timedelta(days=7)
        return out
    out = []
    start = since.replace(day=1)
    while start <= until:
        out.append(start)
        start = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


_TRUNC = {"week": TruncWeek, "month": TruncMonth}


def _period_bounds(since: dt.date, until: dt.date):
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(since, dt.time.min, tzinfo=tz),
            dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def _series(qs, since: dt.date, until: dt.date, group: str) -> tuple[list[dt.date], list[int]]:
    qs = qs.filter(day__gte=since, day__lte=until)
    if group == "day":
        rows = qs.values("day").annotate(n=Sum("count")).order_by()
        counts = {r["day"]: r["n"] or 0 for r in rows}
    else:
        rows = qs.annotate(bucket=_TRUNC[group]("day")).values("bucket").annotate(n=Sum("count")).order_by()
        counts = {}
        for r in rows:
            b = r["bucket"]
            b = b.date() if isinstance(b, dt.datetime) else b
            counts[b] = counts.get(b, 0) + (r["n"] or 0)
    starts = _bucket_starts(since, until, group)
    return starts, [counts.get(s, 0) for s in starts]


def _filtered(qs, *, post_ids_: list[int] | None, filters: dict[str, str]):
    if post_ids_ is not None:
        qs = qs.filter(post_id__in=post_ids_)
    return qs.filter(**filters)


def trend(*, user, since: dt.date, until: dt.date, group: str, post_ids_: list[int] | None,
          filters: dict[str, str]) -> dict:
    """Movements per day, week or month in the period, and in the same period a year earlier
    (aligned bucket by bucket), from the rollups."""
    qs = _filtered(rollups_for(user), post_ids_=post_ids_, filters=filters)
    starts, values = _series(qs, since, until, group)
    prev_since, prev_until = _shift_year(since, -1), _shift_year(until, -1)
    prev_starts, prev_values = _series(qs, prev_since, prev_until, group)
    # Align last year's buckets with this year's by position (a week or month may differ by one).
    prev_values = (prev_values + [0] * len(values))[:len(values)]
    prev_starts = (prev_starts + [None] * len(starts))[:len(starts)]
    return {"starts": starts, "values": values, "previous": prev_values, "previous_starts": prev_starts,
            "previous_since": prev_since, "previous_until": prev_until,
            "total": sum(values), "previous_total": sum(prev_values)}


def bucket_end(start: dt.date, group: str, until: dt.date) -> dt.date:
    if group == "day":
        end = start
    elif group == "week":
        end = start + dt.timedelta(days=6)
    else:
        end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return min(end, until)


BREAKDOWN_DIMENSIONS = ("post", "nationality", "direction", "transport_mode", "decision", "reason_code")


def breakdowns(*, user, since: dt.date, until: dt.date, post_ids_: list[int] | None, filters: dict[str, str],
               dimensions=BREAKDOWN_DIMENSIONS, limit: int = 12) -> dict[str, list[dict]]:
    """Movements by each dimension in the period and a year earlier, largest first: one grouped
    read of the rollups for all the dimensions (not one per dimension)."""
    qs = _filtered(rollups_for(user), post_ids_=post_ids_, filters=filters)
    start, end = since, until
    pstart, pend = _shift_year(since, -1), _shift_year(until, -1)
    fields = ["post_id" if d == "post" else d for d in dimensions]
    rows = (qs.filter(Q(day__gte=start, day__lte=end) | Q(day__gte=pstart, day__lte=pend))
            .values(*fields)
            .annotate(n=Sum("count", filter=Q(day__gte=start, day__lte=end)),
                      p=Sum("count", filter=Q(day__gte=pstart, day__lte=pend)))
            .order_by())
    sums: dict[str, dict] = {d: defaultdict(lambda: [0, 0]) for d in dimensions}
    for r in rows:
        for d, f in zip(dimensions, fields, strict=True):
            cell = sums[d][r[f]]
            cell[0] += r["n"] or 0
            cell[1] += r["p"] or 0
    out = {}
    for d in dimensions:
        items = [{"value": v, "count": n, "previous": p} for v, (n, p) in sums[d].items() if n or p]
        items.sort(key=lambda r: (-r["count"], -r["previous"], str(r["value"])))
        out[d] = items[:limit]
    return out


def hits_by_list(*, user, since: dt.date, until: dt.date, post_ids_: list[int] | None) -> list[dict]:
    """Hits raised per list in the period with their resolution: confirmed, dismissed (a false
    hit), pending; the false-hit rate is dismissed over resolved. Hits are few (one per screening
    match), read through the restricted queryset."""
    from watchlists.models import Hit

    start, end = _period_bounds(since, until)
    qs = Hit.objects.restrict(user, "view").filter(created_at__gte=start, created_at__lt=end)
    if post_ids_ is not None:
        qs = qs.filter(post_id__in=post_ids_)
    rows = (qs.values("watchlist__code", "watchlist__name")
            .annotate(total=Count("id"), confirmed=Count("id", filter=Q(status="confirmed")),
                      dismissed=Count("id", filter=Q(status="dismissed")),
                      pending=Count("id", filter=Q(status="pending")))
            .order_by("-total", "watchlist__code"))
    out = []
    for r in rows:
        resolved = r["confirmed"] + r["dismissed"]
        out.append({"code": r["watchlist__code"] or "", "name": r["watchlist__name"] or "",
                    "total": r["total"], "confirmed": r["confirmed"], "dismissed": r["dismissed"],
                    "pending": r["pending"], "false_rate": (r["dismissed"] / resolved) if resolved else None})
    return out


def overstays_by_month(*, user, since: dt.date, until: dt.date, post_ids_: list[int] | None) -> list[dict]:
    """Overstays whose permitted stay ended in the period, by month and nationality, through the
    restricted queryset (the overstays table holds one row per overstayer, not the movements)."""
    from travelers.models import Overstay

    qs = Overstay.objects.restrict(user, "view").filter(permitted_until__gte=since, permitted_until__lte=until)
    if post_ids_ is not None:
        qs = qs.filter(entry__post_id__in=post_ids_)
    rows = (qs.annotate(month=TruncMonth("permitted_until")).values("month")
            .annotate(n=Count("id"), open=Count("id", filter=Q(resolved_at__isnull=True))).order_by("month"))
    return [{"month": r["month"], "count": r["n"], "open": r["open"]} for r in rows]


def group_rows(rows, key):
    out = defaultdict(int)
    for r in rows:
        out[key(r)] += r["count"]
    return out
