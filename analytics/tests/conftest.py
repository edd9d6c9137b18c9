import datetime as dt

import pytest
from django.utils import timezone

from travelers.services import stay_rule_set


def hour(d: dt.date, h: int = 10) -> dt.datetime:
    return dt.datetime.combine(d, dt.time(h), tzinfo=timezone.get_current_timezone()).astimezone(dt.UTC)


@pytest.fixture
def rollups(post_a, post_b):
    """Rollup rows (hourly and daily, as the fold keeps them) for November 2026 and November 2025
    (the same period last year) at posts A and B."""
    from analytics.models import MovementDayRollup, MovementRollup

    def add(d, post, n, *, direction="entry", mode="vehicle", nationality="IRN", decision="admitted",
            reason="", h=10):
        dimensions = {"post_id": post.pk, "direction": direction, "transport_mode": mode,
                      "nationality": nationality, "decision": decision, "reason_code": reason}
        MovementRollup.objects.create(hour=hour(d, h), count=n, **dimensions)
        MovementDayRollup.objects.create(day=d, count=n, **dimensions)

    for day in range(1, 31):
        add(dt.date(2026, 11, day), post_a, 20)
        add(dt.date(2026, 11, day), post_a, 10, direction="exit", nationality="TUR")
        add(dt.date(2025, 11, day), post_a, 15)
    add(dt.date(2026, 11, 3), post_a, 3, decision="refused", reason="FD", nationality="SYR")
    add(dt.date(2026, 11, 4), post_a, 40, decision="refused", reason="NV", nationality="IRN")
    add(dt.date(2026, 11, 5), post_b, 50, nationality="SYR")
    return add



@pytest.fixture
def stay_rules(supervisor):
    for nationality in ("JOR", "SYR", "IRN"):
        stay_rule_set(actor=supervisor, nationality=nationality, regime="visa_exempt", max_stay_days=30,
                      period_days=180)
