"""Reads of the live operations page: every figure from the rollups or from small indexed reads
(the last minutes of inspections, the open queues), never a scan of the movements.

Settings (read with defaults):
* ``BMIS_LIVE_REFRESH_SECONDS`` (10): how often the page refreshes its figures (htmx);
* ``BMIS_LIVE_HOURS`` (8): the hours shown in the flow table and used for seconds per traveler;
* ``BMIS_LIVE_STAFFED_MINUTES`` (15): a booth is staffed when a document was read at it within
  these minutes.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from analytics.anomalies import HOUR, alerts_open, flow_bands
from analytics.histogram import summary
from analytics.models import InspectionRollup, MovementRollup
from analytics.rollups import hour_of
from core.indicators import indicator_sources
from core.models import Booth, BorderPost
from travelers.models import Inspection, InspectionStatus, SecondaryInspection, SecondaryStatus, TransportMode
from travelers.selectors import inspections_open_too_long
from watchlists.models import ACTION_SEVERITY, Hit, HitAction, HitStatus


def live_settings() -> dict:
    return {
        "refresh": int(getattr(settings, "BMIS_LIVE_REFRESH_SECONDS", 10)),
        "hours": int(getattr(settings, "BMIS_LIVE_HOURS", 8)),
        "staffed_minutes": int(getattr(settings, "BMIS_LIVE_STAFFED_MINUTES", 15)),
    }


class UnknownPost(ValueError):
    """The post asked for does not exist or is not one the user may see."""


@dataclass
class Scope:
    posts: list[BorderPost]  # every post the user may see (the choices)
    post: BorderPost | None  # the post chosen, or None: all of them (national for a national remit)
    post_ids: list[int]

    @property
    def national(self) -> bool:
        return self.post is None


def live_scope(user, post_code: str = "") -> Scope:
    posts = list(BorderPost.objects.restrict(user, "view").filter(is_active=True).order_by("code"))
    post_code = (post_code or "").strip().upper()
    if post_code:
        chosen = next((p for p in posts if p.code == post_code), None)
        if chosen is None:
            raise UnknownPost(post_code)
        return Scope(posts=posts, post=chosen, post_ids=[chosen.pk])
    return Scope(posts=posts, post=None, post_ids=[p.pk for p in posts])


MODES = [*TransportMode.values, ""]


def mode_label(mode: str) -> str:
    return str(dict(TransportMode.choices).get(mode, _("Not recorded")))


def flow_table(post_ids: list[int], now: datetime, hours: int) -> dict:
    """Travelers per hour (the running one first) by direction and by mode of transport."""
    current = hour_of(now)
    first = current - HOUR * (hours - 1)
    rows = (MovementRollup.objects.filter(post_id__in=post_ids, hour__gte=first, hour__lte=current)
            .values("hour", "direction", "transport_mode").annotate(n=Sum("count")).order_by())
    table: dict[datetime, dict] = {current - HOUR * i: {"entry": 0, "exit": 0, "modes": defaultdict(int), "total": 0}
                                   for i in range(hours)}
    used_modes = set()
    for row in rows:
        cell = table.get(row["hour"])
        if cell is None:
            continue
        cell[row["direction"]] = cell.get(row["direction"], 0) + row["n"]
        cell["modes"][row["transport_mode"]] += row["n"]
        cell["total"] += row["n"]
        used_modes.add(row["transport_mode"])
    modes = [m for m in MODES if m in used_modes]
    return {
        "modes": [{"value": m, "label": mode_label(m)} for m in modes],
        "rows": [{"hour": hour, "running": hour == current, "entry": cell["entry"], "exit": cell["exit"],
                  "modes": [cell["modes"].get(m, 0) for m in modes], "total": cell["total"]}
                 for hour, cell in sorted(table.items(), reverse=True)],
    }


def flow_series(post_ids: list[int], now: datetime, hours: int = 24) -> list[dict]:
    """The last `hours` hours (oldest first) with their expected band (combined over the posts).

    The bands and the finished hours do not change within an hour: they are cached until the
    hour ends; only the running hour is counted again at each refresh (one indexed query)."""
    from analytics.anomalies import _combined_counts, anomaly_settings

    current = hour_of(now)
    options = anomaly_settings()
    scope_key = hashlib.sha256(repr((sorted(post_ids), hours, sorted(options.items()))).encode()).hexdigest()
    key = f"analytics:live-bands:{scope_key}:{current.isoformat()}"
    bands = cache.get(key)
    if bands is None:
        wanted = [current - HOUR * i for i in range(hours - 1, -1, -1)]
        bands = flow_bands(post_ids, wanted, combined=True, options=options)
        cache.set(key, bands, 3600)
    else:
        bands = dict(bands)
        bands[current] = (_combined_counts(post_ids, [current]).get(current, 0), bands[current][1])
    series = []
    for hour in sorted(bands):
        observed, band = bands[hour]
        departure = band.departure(observed) if band else ""
        if hour == current and departure == "low":
            departure = ""  # the running hour is still counting
        series.append({"hour": hour, "observed": observed, "running": hour == current,
                       "expected": band.expected if band else None, "low": band.low if band else None,
                       "high": band.high if band else None, "departure": departure})
    return series


def flow_chart_svg(series: list[dict], *, rtl: bool, title: str, labels: dict) -> str:
    """The flow and its band as SVG (analytics.charts), cached by its numbers and language."""
    from analytics.charts import ACCENT, MUTED, PREVIOUS, Chart, Series, render_svg

    key_source = repr([(s["hour"].isoformat(), s["observed"], s["low"], s["high"]) for s in series]) + repr(rtl) + title
    key = "analytics:live-chart:" + hashlib.sha256(key_source.encode()).hexdigest()
    svg = cache.get(key)
    if svg is not None:
        return svg
    from django.utils import timezone as tz

    hour_labels = [tz.localtime(s["hour"]).strftime("%H") for s in series]
    chart_series = [Series(labels["observed"], [float(s["observed"]) for s in series], colour=ACCENT)]
    if any(s["expected"] is not None for s in series):
        chart_series += [
            Series(labels["expected"], [float(s["expected"] or 0) for s in series], colour=MUTED, dashed=True),
            Series(labels["low"], [float(s["low"] or 0) for s in series], colour=PREVIOUS, dashed=True),
            Series(labels["high"], [float(s["high"] or 0) for s in series], colour=PREVIOUS, dashed=True),
        ]
    svg = render_svg(Chart(title=title, labels=hour_labels, series=chart_series, kind="line",
                           y_label=labels["y"]), rtl=rtl, chart_id="live-flow", height=2.6)
    cache.set(key, svg, 600)
    return svg


def seconds_per_traveler(post_ids: list[int], now: datetime, hours: int) -> dict:
    """Median and 90th percentile of seconds from document read to decision, per booth and per
    officer, over the last `hours` hours (from the histogram rollup: analytics.histogram)."""
    since = hour_of(now) - HOUR * (hours - 1)
    base = InspectionRollup.objects.filter(post_id__in=post_ids, hour__gte=since)
    booths: dict[int, dict[int, int]] = defaultdict(dict)
    officers: dict[int, dict[int, int]] = defaultdict(dict)
    for row in base.values("booth_id", "bucket").annotate(n=Sum("count")).order_by():
        booths[row["booth_id"]][row["bucket"]] = row["n"]
    for row in base.values("officer_id", "bucket").annotate(n=Sum("count")).order_by():
        officers[row["officer_id"]][row["bucket"]] = row["n"]
    booth_objects = {b.pk: b for b in Booth.objects.filter(pk__in=booths).select_related("post")}
    users = dict(get_user_model().objects.filter(pk__in=officers).values_list("pk", "username"))
    booth_rows = [{"label": (f"{booth_objects[b].post.code}/{booth_objects[b].code}" if b in booth_objects
                             else _("No booth")), **summary(counts)} for b, counts in booths.items()]
    officer_rows = [{"label": users.get(o, str(o)), **summary(counts)} for o, counts in officers.items()]
    all_counts: dict[int, int] = defaultdict(int)
    for counts in booths.values():
        for bucket, n in counts.items():
            all_counts[bucket] += n
    return {"booths": sorted(booth_rows, key=lambda r: (-(r["p90"] or 0), r["label"])),
            "officers": sorted(officer_rows, key=lambda r: (-(r["p90"] or 0), r["label"])),
            "overall": summary(all_counts)}


def booths_staffed(post_ids: list[int], now: datetime, minutes: int) -> dict:
    active = Booth.objects.filter(post_id__in=post_ids, is_active=True).count()
    staffed = (Inspection.objects.filter(post_id__in=post_ids, read_at__gte=now - timedelta(minutes=minutes),
                                         booth__isnull=False).values("booth_id").distinct().count())
    return {"staffed": staffed, "active": active, "minutes": minutes}


def inspections_now(user, post_ids: list[int], now: datetime) -> dict:
    """Inspections open (and those open too long) and the secondary queue with waiting times.
    The queue is read by its status index (waiting or in progress), not by excluding the done
    ones, which would read every secondary inspection ever made."""
    from watchlists.selectors import most_serious_hits

    open_count = Inspection.objects.filter(post_id__in=post_ids, status=InspectionStatus.OPEN).count()
    late = list(inspections_open_too_long(user=user, now=now).filter(post_id__in=post_ids)[:50])
    for item in late:
        item.open_minutes = max(0, int((now - item.read_at).total_seconds() // 60))
    queue = list(SecondaryInspection.objects.restrict(user, "view")
                 .filter(status__in=[SecondaryStatus.WAITING, SecondaryStatus.IN_PROGRESS],
                         inspection__post_id__in=post_ids)
                 .select_related("inspection__post").order_by("referred_at")[:200])
    hits = most_serious_hits(user=user, inspection_ids=[item.inspection_id for item in queue[:12]])
    for item in queue:
        item.waiting_minutes = max(0, int((now - item.referred_at).total_seconds() // 60))
        item.most_serious_hit = hits.get(item.inspection_id)
    waiting = [item for item in queue if item.status == SecondaryStatus.WAITING]
    return {"open": open_count, "late": late, "queue": queue[:12], "queue_count": len(queue),
            "waiting_count": len(waiting),
            "longest_wait": max((item.waiting_minutes for item in waiting), default=None)}


def hits_pending(user, post_ids: list[int]) -> list[dict]:
    counts = dict(Hit.objects.restrict(user, "view").filter(status=HitStatus.PENDING, post_id__in=post_ids)
                  .values("action").annotate(n=Count("id")).values_list("action", "n").order_by())
    labels = dict(HitAction.choices)
    return [{"action": action, "label": labels[action], "count": counts.get(action, 0)}
            for action in sorted(ACTION_SEVERITY, key=ACTION_SEVERITY.get)]


def devices_now(user, scope: Scope) -> dict:
    from devices.selectors import health_by_place, open_alerts

    places = health_by_place(user, post_id=scope.post.pk if scope.post else None)
    codes = {p.code for p in scope.posts} if scope.post is None else {scope.post.code}
    totals: dict[str, int] = defaultdict(int)
    for place in places:
        if place.post_code in codes:
            for state, n in place.counts.items():
                totals[state] += n
    alerts = open_alerts(user, post_id=scope.post.pk if scope.post else None)
    return {"ready": totals["ready"], "offline": totals["offline"], "error": totals["error"],
            "unseen": totals["unseen"], "total": sum(totals.values()), "alerts": len(alerts)}


INDICATOR_LABELS = {
    "incidents.detections": lambda: _("Green-border detections"),
    "incidents.incidents": lambda: _("Green-border incidents"),
    "registrations.apprehensions": lambda: _("Persons apprehended"),
}


def indicators_today(post_ids: list[int], since: datetime, until: datetime) -> list[dict]:
    """What the other layer-3 apps publish (core.indicators: incidents, registrations), counted
    since the start of the day; empty when none is registered (the page says so)."""
    found = []
    for name, fn in sorted(indicator_sources().items()):
        rows = fn(since=since, until=until, post_ids=post_ids)
        label = INDICATOR_LABELS.get(name)
        found.append({"name": name, "label": label() if label else name,
                      "count": sum(int(r.get("count", 0)) for r in rows)})
    return found


def flow_alerts(user, post_ids: list[int]):
    return alerts_open(user=user, post_ids=post_ids)
