"""Flow anomalies: the hourly flow of a post against its seasonal baseline (analytics.baseline),
read from the movement rollups (never from the movements).

Settings (read with defaults; none is required):
* ``BMIS_ANOMALY_LEVEL`` (3.0): the band is expected ± level × spread;
* ``BMIS_ANOMALY_WEEKS`` (8): weeks of history (the same hour of the week);
* ``BMIS_ANOMALY_MIN_WEEKS`` (3): fewer weeks of history (a new post) → no band, no alert;
* ``BMIS_ANOMALY_MIN_SPREAD`` (2.0): the smallest spread, in travelers.

Weeks before a post's first recorded movement are not history (a new post is not "quiet").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from analytics.baseline import Band, band
from analytics.models import FlowAlert, MovementRollup
from analytics.rollups import hour_of
from audit.services import audit_log
from core.errors import Conflict
from core.models import BorderPost, PostKind

WEEK = timedelta(days=7)
HOUR = timedelta(hours=1)


def anomaly_settings() -> dict:
    return {
        "level": float(getattr(settings, "BMIS_ANOMALY_LEVEL", 3.0)),
        "weeks": int(getattr(settings, "BMIS_ANOMALY_WEEKS", 8)),
        "min_weeks": int(getattr(settings, "BMIS_ANOMALY_MIN_WEEKS", 3)),
        "min_spread": float(getattr(settings, "BMIS_ANOMALY_MIN_SPREAD", 2.0)),
    }


def _counts(post_ids: list[int] | None, hours: Iterable[datetime]) -> dict[tuple[int, datetime], int]:
    """Travelers per (post, hour) for the given hours (absent: 0)."""
    qs = MovementRollup.objects.filter(hour__in=list(hours))
    if post_ids is not None:
        qs = qs.filter(post_id__in=post_ids)
    return {(row["post_id"], row["hour"]): row["n"]
            for row in qs.values("post_id", "hour").annotate(n=Sum("count")).order_by()}


def first_hours(post_ids: list[int]) -> dict[int, datetime]:
    """The first hour with a movement at each post (an index lookup per post)."""
    found = {}
    for post_id in post_ids:
        hour = (MovementRollup.objects.filter(post_id=post_id).order_by("hour")
                .values_list("hour", flat=True).first())
        if hour is not None:
            found[post_id] = hour
    return found


def flow_bands(post_ids: list[int], hours: list[datetime], *, combined: bool = False,
               options: dict | None = None) -> dict:
    """Observed counts and bands for the given hours.

    Per post: {(post_id, hour): (observed, Band | None)}. With `combined`, the posts' flows are
    added up first (a national or regional view): {hour: (observed, Band | None)}."""
    options = options or anomaly_settings()
    hours = [hour_of(h) for h in hours]
    past = {h: [h - WEEK * i for i in range(1, options["weeks"] + 1)] for h in hours}
    wanted = set(hours) | {p for ps in past.values() for p in ps}
    if combined:
        counts = _combined_counts(post_ids, wanted)
        first = first_hour(post_ids)
        return {hour: _band_of(counts.get(hour, 0),
                               [float(counts.get(p, 0)) for p in past[hour] if first is not None and p >= first],
                               options) for hour in hours}
    counts = _counts(post_ids, wanted)
    starts = first_hours(post_ids)
    found = {}
    for post_id in post_ids:
        first = starts.get(post_id)
        for hour in hours:
            history = [float(counts.get((post_id, p), 0)) for p in past[hour] if first is not None and p >= first]
            found[(post_id, hour)] = _band_of(counts.get((post_id, hour), 0), history, options)
    return found


def _band_of(observed: int, history: list[float], options: dict) -> tuple[int, Band | None]:
    return observed, band(history, level=options["level"], min_spread=options["min_spread"],
                          min_weeks=options["min_weeks"])


def _combined_counts(post_ids: list[int] | None, hours: Iterable[datetime]) -> dict[datetime, int]:
    qs = MovementRollup.objects.filter(hour__in=list(hours))
    if post_ids is not None:
        qs = qs.filter(post_id__in=post_ids)
    return dict(qs.values("hour").annotate(n=Sum("count")).values_list("hour", "n").order_by())


def first_hour(post_ids: list[int]) -> datetime | None:
    """The first hour with a movement at any of the posts (one index scan)."""
    if not post_ids:
        return None
    return (MovementRollup.objects.filter(post_id__in=post_ids).order_by("hour")
            .values_list("hour", flat=True).first())


def checked_posts() -> list[int]:
    """Posts where travelers cross (not green-border sectors)."""
    return list(BorderPost.objects.filter(is_active=True).exclude(kind=PostKind.GREEN_BORDER)
                .values_list("pk", flat=True))


def anomalies_check(*, now: datetime | None = None, post_ids: list[int] | None = None) -> list[FlowAlert]:
    """Compare the last complete hour (above or below the band) and the running hour (above the
    band only: its count can only grow) of each post with its baseline; raise one FlowAlert per
    post and hour (audited), or update the count of one already raised. Returns the alerts raised
    or updated."""
    now = now or timezone.now()
    options = anomaly_settings()
    current = hour_of(now)
    previous = current - HOUR
    post_ids = checked_posts() if post_ids is None else post_ids
    results = flow_bands(post_ids, [previous, current], options=options)
    touched = []
    for (post_id, hour), (observed, expected) in sorted(results.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        if expected is None:
            continue
        partial = hour == current
        departure = expected.departure(observed)
        if not departure or (partial and departure == "low"):
            continue
        with transaction.atomic():
            alert = FlowAlert.objects.select_for_update().filter(post_id=post_id, hour=hour).first()
            if alert is not None:
                if alert.observed == observed and alert.partial == partial:
                    continue
                alert.observed, alert.partial = observed, partial
                alert.save(update_fields=["observed", "partial"])
                touched.append(alert)
                continue
            alert = FlowAlert(post_id=post_id, hour=hour, observed=observed, expected=round(expected.expected, 2),
                              low=round(expected.low, 2), high=round(expected.high, 2), level=options["level"],
                              weeks=expected.weeks, departure=departure, partial=partial)
            alert.full_clean(exclude=["post"])
            alert.save()
            audit_log(actor=None, action="flowalert.raise", obj=alert, metadata={
                "post_id": post_id, "hour": hour.isoformat(), "observed": observed, "expected": alert.expected,
                "low": alert.low, "high": alert.high, "level": alert.level, "departure": departure,
            })
            touched.append(alert)
    return touched


def flow_alert_acknowledge(*, actor, alert: FlowAlert, note: str = "", now: datetime | None = None) -> FlowAlert:
    """A supervisor acknowledges an alert (with an optional note); audited."""
    now = now or timezone.now()
    note = (note or "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": _("the note is too long (at most 2000 characters)")})
    with transaction.atomic():
        locked = FlowAlert.objects.restrict(actor, "acknowledge").select_for_update().filter(pk=alert.pk).first()
        if locked is None:
            raise PermissionDenied(_("this alert is outside your remit"))
        if locked.acknowledged_at is not None:
            message = _("this alert was already acknowledged")
            raise Conflict("already_acknowledged", message, {"alert": [message]})
        locked.acknowledged_by, locked.acknowledged_at, locked.acknowledge_note = actor, now, note
        locked.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledge_note"])
        audit_log(actor=actor, action="flowalert.acknowledge", obj=locked,
                  changes={"acknowledged_at": [None, now.isoformat()]}, metadata={"note": note})
    return locked


def alerts_open(*, user, post_ids: list[int] | None = None, limit: int = 20) -> list[FlowAlert]:
    qs = FlowAlert.objects.restrict(user, "view").filter(acknowledged_at__isnull=True).select_related("post")
    if post_ids is not None:
        qs = qs.filter(post_id__in=post_ids)
    return list(qs.order_by("-hour", "post__code")[:limit])


def group_by_post(alerts: Iterable[FlowAlert]) -> dict[int, list[FlowAlert]]:
    grouped: dict[int, list[FlowAlert]] = defaultdict(list)
    for alert in alerts:
        grouped[alert.post_id].append(alert)
    return grouped
