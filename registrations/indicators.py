"""Green-border indicators that registrations publishes for the statistics (core.indicators).

``registrations.apprehensions``: persons registered after an apprehension in the period, by
sector and declared nationality. FRAN counts detections, not persons: a person apprehended twice
counts twice (each apprehension is registered).

Registered by one line in ``registrations/apps.py`` ``ready()``::

    from core.indicators import register_indicator_source; from registrations.indicators import apprehensions_by_sector; register_indicator_source("registrations.apprehensions", apprehensions_by_sector)
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count


def apprehensions_by_sector(*, since: datetime, until: datetime, post_ids: list[int] | None) -> list[dict]:
    from registrations.models import Registration

    qs = Registration.objects.filter(apprehension__apprehended_at__gte=since,
                                     apprehension__apprehended_at__lt=until)
    if post_ids is not None:
        qs = qs.filter(apprehension__post_id__in=post_ids)
    rows = (qs.values("apprehension__sector__code", "nationality").annotate(count=Count("id"))
            .order_by("apprehension__sector__code", "nationality"))
    return [{"sector": r["apprehension__sector__code"] or "", "nationality": r["nationality"] or "XXX",
             "count": r["count"]} for r in rows]
