"""Green-border indicators that incidents publishes for the statistics (core.indicators).

``incidents.detections``: incidents first detected in the period, by sector and object class.
FRAN counts detections, not persons: one person detected on two nights is two detections, and a
group seen together is one.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count

from incidents.models import Incident


def detections_by_sector(*, since: datetime, until: datetime, post_ids: list[int] | None) -> list[dict]:
    qs = Incident.objects.filter(first_detection_at__gte=since, first_detection_at__lt=until)
    if post_ids is not None:
        qs = qs.filter(post_id__in=post_ids)
    rows = (qs.values("sector__code", "object_class").annotate(count=Count("id"))
            .order_by("sector__code", "object_class"))
    return [{"sector": r["sector__code"] or "", "object_class": r["object_class"], "count": r["count"]}
            for r in rows]
