"""The rollups against direct counts of the movements and inspections they summarise: folded one
movement at a time (as the travelers hook does) and rebuilt from scratch, the same numbers."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.permissions import Role
from accounts.tests.factories import UserFactory
from analytics.histogram import bucket_of
from analytics.models import InspectionRollup, MovementRollup
from analytics.rollups import hour_of, rollups_rebuild
from analytics.tests.data import generate, movement_make, person_with_document
from core.tests.factories import BoothFactory, BorderPostFactory
from travelers.models import Movement, SecondaryInspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(db):
    posts = [BorderPostFactory(code="RA"), BorderPostFactory(code="RB")]
    booths = [BoothFactory(post=posts[0], code="A1"), BoothFactory(post=posts[0], code="A2"),
              BoothFactory(post=posts[1], code="B1")]
    officers = [UserFactory(username=f"rollup.officer{i}", role=Role.OFFICER, posts=posts) for i in range(3)]
    return posts, booths, officers


def movement_table() -> Counter:
    return Counter({tuple(getattr(r, d) for d in MovementRollup.DIMENSIONS): r.count
                    for r in MovementRollup.objects.all()})


def inspection_table() -> Counter:
    return Counter({tuple(getattr(r, d) for d in InspectionRollup.DIMENSIONS): r.count
                    for r in InspectionRollup.objects.all()})


def direct_movements() -> Counter:
    """What the movement rollup must say, counted here one movement at a time."""
    counts: Counter = Counter()
    secondary = {s.inspection_id: s for s in SecondaryInspection.objects.select_related("reason_code")}
    for m in Movement.objects.select_related("document", "inspection__reason_code"):
        reason = ""
        if m.decision == "refused":
            s = secondary.get(m.inspection_id)
            if s is not None and s.reason_code is not None:
                reason = s.reason_code.code
            elif m.inspection.reason_code is not None:
                reason = m.inspection.reason_code.code
        counts[(hour_of(m.occurred_at), m.post_id, m.direction, m.transport_mode, m.document.nationality,
                m.decision, reason)] += 1
    return counts


def direct_inspections() -> Counter:
    counts: Counter = Counter()
    for m in Movement.objects.select_related("inspection"):
        i = m.inspection
        if i.seconds_to_decision is not None:
            counts[(hour_of(i.decided_at), i.post_id, i.booth_id or 0, i.officer_id, i.direction,
                    bucket_of(i.seconds_to_decision))] += 1
    return counts


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(min_value=0, max_value=40), seed=st.integers(min_value=1, max_value=10_000),
       days=st.integers(min_value=1, max_value=10))
def test_folded_and_rebuilt_rollups_equal_direct_counts(place, n, seed, days):
    posts, booths, officers = place
    with transaction.atomic():
        generate(posts=posts, booths=booths, officers=officers, n=n, seed=seed, days=days)
        folded_m, folded_i = movement_table(), inspection_table()
        assert folded_m == direct_movements()
        assert folded_i == direct_inspections()
        assert sum(folded_m.values()) == n

        result = rollups_rebuild()
        assert movement_table() == folded_m
        assert inspection_table() == folded_i
        assert result["rows"]["movement"] == len(folded_m)
        transaction.set_rollback(True)


def test_rebuild_of_a_range_recounts_only_its_hours(place):
    posts, booths, officers = place
    start = datetime(2026, 3, 1, tzinfo=UTC)
    generate(posts=posts, booths=booths, officers=officers, n=60, seed=7, start=start, days=4)
    before = movement_table()
    since, until = start + timedelta(days=1, minutes=30), start + timedelta(days=2, hours=5, minutes=1)
    # a wrong count inside the range and one outside it
    inside = MovementRollup.objects.filter(hour__gte=start + timedelta(days=1, hours=1),
                                           hour__lt=start + timedelta(days=2)).first()
    outside = MovementRollup.objects.filter(hour__lt=start + timedelta(days=1)).first()
    MovementRollup.objects.filter(pk__in=[inside.pk, outside.pk]).update(count=999)
    result = rollups_rebuild(since=since, until=until)
    assert result["since"] == start + timedelta(days=1) and result["until"] == start + timedelta(days=2, hours=6)
    after = movement_table()
    key = tuple(getattr(outside, d) for d in MovementRollup.DIMENSIONS)
    assert after[key] == 999
    after[key] = before[key]
    assert after == before


def test_rebuild_refuses_an_impossible_range():
    with pytest.raises(ValueError):
        rollups_rebuild(since=datetime(2026, 3, 2, tzinfo=UTC), until=datetime(2026, 3, 1, tzinfo=UTC))


def test_rebuild_of_nothing_is_empty(db):
    assert rollups_rebuild()["rows"] == {"movement": 0, "inspection": 0}
    assert not MovementRollup.objects.exists()


def test_a_referred_refusal_counts_the_secondary_reason(place):
    from analytics.tests.data import reason_codes

    posts, booths, officers = place
    xa, xb, _xc = reason_codes()
    _person, document = person_with_document("SYR", 1)
    when = datetime(2026, 3, 1, 10, 2, tzinfo=UTC)
    movement_make(post=posts[0], booth=booths[0], officer=officers[0], document=document, when=when,
                  direction="entry", mode="air", decision="refused", seconds=42.0, referred=True, reason=xa,
                  secondary_reason=xb)
    row = MovementRollup.objects.get()
    assert (row.reason_code, row.count, row.nationality) == ("XB", 1, "SYR")
    seconds = InspectionRollup.objects.get()
    assert seconds.hour == datetime(2026, 3, 1, 9, tzinfo=UTC)  # the booth's decision, 5 minutes earlier
    assert seconds.bucket == bucket_of(42.0)
    rollups_rebuild()
    assert MovementRollup.objects.get().reason_code == "XB"


def test_the_command_rebuilds(place, capsys):
    posts, booths, officers = place
    generate(posts=posts, booths=booths, officers=officers, n=10, seed=3)
    folded = movement_table()
    MovementRollup.objects.all().delete()
    call_command("analytics_rebuild", "--since", "2026-02-28", "--until", "2026-03-10")
    assert movement_table() == folded
    assert "rollups rebuilt" in capsys.readouterr().out


def test_the_command_refuses_bad_dates(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="since"):
        call_command("analytics_rebuild", "--since", "yesterday")
    with pytest.raises(CommandError, match="before"):
        call_command("analytics_rebuild", "--since", "2026-03-02", "--until", "2026-03-01")
