"""Flow anomalies: a planted spike raises an alert, a normal week does not; holidays in the
history do not drag the band; acknowledgement is audited and limited to supervisors of the post."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from analytics.anomalies import anomalies_check, flow_alert_acknowledge, flow_bands
from analytics.baseline import band, mad, median
from analytics.models import FlowAlert, MovementRollup
from analytics.tasks import anomalies_check_task
from audit.models import AuditEvent
from core.errors import Conflict

pytestmark = pytest.mark.django_db

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
WEEKS = 9  # eight weeks of history, then the week under test


def pattern(hour_of_week: int, scale: float) -> float:
    """Travelers expected at an hour of the week: quiet nights, busy days, a busier Friday."""
    hour, day = hour_of_week % 24, hour_of_week // 24
    daily = [2, 1, 1, 1, 2, 6, 20, 45, 70, 80, 85, 80, 75, 80, 85, 90, 95, 85, 70, 50, 35, 20, 10, 5][hour]
    return daily * scale * (1.3 if day == 4 else 1.0)


def plant_weeks(post, *, scale=1.0, seed=1, change=None):
    """Rollup rows for WEEKS weeks: the pattern with ±10 % noise; `change(week, how) -> count or
    None` overrides an hour."""
    rng = random.Random(seed)
    rows = []
    for week in range(WEEKS):
        for how in range(168):
            count = round(pattern(how, scale) * rng.uniform(0.9, 1.1))
            if change is not None:
                changed = change(week, how)
                count = count if changed is None else changed
            if count:
                rows.append(MovementRollup(hour=START + timedelta(weeks=week, hours=how), post=post,
                                           direction="entry", transport_mode="vehicle", nationality="IRQ",
                                           decision="admitted", count=count))
    MovementRollup.objects.bulk_create(rows)


def check_week(week: int, post_ids) -> list[FlowAlert]:
    raised = []
    for how in range(168):
        raised += anomalies_check(now=START + timedelta(weeks=week, hours=how, minutes=30), post_ids=post_ids)
    return raised


def test_a_normal_week_raises_nothing(post_a, post_b):
    plant_weeks(post_a, seed=1)
    plant_weeks(post_b, scale=0.1, seed=2)  # a quiet post: a few travelers an hour
    assert check_week(WEEKS - 1, [post_a.pk, post_b.pk]) == []
    assert not FlowAlert.objects.exists()


def test_a_planted_spike_raises_one_alert_and_a_closed_hour_a_low_one(post_a, supervisor_a):
    spike = (WEEKS - 1, 2 * 24 + 10)  # Wednesday 10:00 of the last week: three times the flow
    closed = (WEEKS - 1, 3 * 24 + 15)  # Thursday 15:00: nobody
    plant_weeks(post_a, change=lambda week, how: (
        round(pattern(how, 1) * 3) if (week, how) == spike else 0 if (week, how) == closed else None))
    raised = check_week(WEEKS - 1, [post_a.pk])
    alerts = list(FlowAlert.objects.order_by("hour"))
    assert [(a.hour, a.departure, a.partial) for a in alerts] == [
        (START + timedelta(weeks=spike[0], hours=spike[1]), "high", False),
        (START + timedelta(weeks=closed[0], hours=closed[1]), "low", False),
    ]
    assert len({a.pk for a in raised}) == 2
    high = alerts[0]
    assert high.observed == 255 and high.low < 85 < high.high < high.observed and high.weeks == 8
    assert AuditEvent.objects.filter(action="flowalert.raise").count() == 2
    # raised while the hour was running (already above), then completed: one alert, updated
    assert any(a.partial for a in raised if a.pk == high.pk)


def test_holidays_in_the_history_do_not_drag_the_band(post_a):
    hour = (WEEKS - 1, 10)  # Monday 10:00
    holidays = {(2, 10): 0, (5, 10): 0, (3, 10): 250}  # two closed Mondays and one festival Monday
    plant_weeks(post_a, change=lambda week, how: holidays.get((week, how)))
    at = START + timedelta(weeks=hour[0], hours=hour[1])
    (observed, expected), = flow_bands([post_a.pk], [at]).values()
    assert 76 <= expected.expected <= 94 and expected.low > 40 and expected.high < 130
    assert expected.departure(observed) == ""


def test_a_new_post_has_no_band_until_it_has_weeks_of_history(post_a):
    MovementRollup.objects.create(hour=START, post=post_a, direction="entry", decision="admitted", count=5)
    (observed, expected), = flow_bands([post_a.pk], [START + timedelta(weeks=1)]).values()
    assert observed == 0 and expected is None
    assert anomalies_check(now=START + timedelta(weeks=1, minutes=5), post_ids=[post_a.pk]) == []


def test_the_task_checks_every_post(post_a):
    plant_weeks(post_a, change=lambda week, how: 400 if (week, how) == (WEEKS - 1, 10) else None)
    from unittest import mock

    with mock.patch("analytics.anomalies.timezone.now", return_value=START + timedelta(weeks=WEEKS - 1, hours=11)):
        assert anomalies_check_task() == 1


def test_acknowledgement_is_audited_once_and_kept_to_the_posts_supervisors(post_a, supervisor_a, officer_a,
                                                                           supervisor, admin_user, post_b):
    from accounts.permissions import Role
    from accounts.tests.factories import UserFactory

    alert = FlowAlert.objects.create(post=post_a, hour=START, observed=300, expected=80, low=40, high=120,
                                     level=3, weeks=8, departure="high")
    other = UserFactory(username="supervisor.b", role=Role.SUPERVISOR, posts=[post_b])
    for user in (officer_a, other):
        with pytest.raises(PermissionDenied):
            flow_alert_acknowledge(actor=user, alert=alert)
    done = flow_alert_acknowledge(actor=supervisor_a, alert=alert, note="  a football match  ")
    assert done.acknowledged_by == supervisor_a and done.acknowledge_note == "a football match"
    event = AuditEvent.objects.get(action="flowalert.acknowledge")
    assert event.metadata["note"] == "a football match"
    with pytest.raises(Conflict):
        flow_alert_acknowledge(actor=supervisor, alert=alert)


def test_baseline_arithmetic():
    assert median([3, 1, 2]) == 2 and median([4, 1, 2, 3]) == 2.5
    assert mad([1, 1, 2, 2, 4, 6, 9]) == 1
    assert band([10, 11], min_weeks=3) is None
    quiet = band([0, 0, 0, 0], min_spread=2)
    assert quiet.low == 0 and quiet.high == 6 and quiet.departure(5) == "" and quiet.departure(7) == "high"
    robust = band([100, 102, 98, 101, 0, 0, 500, 99], level=3)
    assert 98 <= robust.expected <= 101 and robust.departure(100) == "" and robust.departure(300) == "high"
    with pytest.raises(ValueError):
        band([1, 2, 3], level=0)
