"""The travelers movement hook: the rollups are counted in the transaction that records the
movement, through the real inspection services; a listener that fails stops the decision."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from analytics.models import InspectionRollup, MovementRollup
from analytics.rollups import hour_of
from travelers import hooks
from travelers.models import Inspection, InspectionStatus, Movement
from travelers.services import inspection_decide, inspection_start, secondary_decide, stay_rule_set
from travelers.tests.factories import at, passport

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(supervisor):
    stay_rule_set(actor=supervisor, nationality="JOR", regime="visa_exempt", max_stay_days=30, period_days=180)


def test_an_admission_is_counted_once_with_its_seconds(officer_a, booth_a, rules):
    inspection = inspection_start(actor=officer_a, post=booth_a.post, booth=booth_a, direction="entry",
                                  mrz=passport(), transport_mode="air", now=at(2026, 3, 1, 10, 0, 0))
    inspection_decide(actor=officer_a, inspection=inspection, decision="admit", now=at(2026, 3, 1, 10, 0, 47))
    row = MovementRollup.objects.get()
    assert (row.post_id, row.direction, row.transport_mode, row.nationality, row.decision, row.reason_code,
            row.count) == (booth_a.post_id, "entry", "air", "JOR", "admitted", "", 1)
    assert row.hour == hour_of(at(2026, 3, 1, 10))
    seconds = InspectionRollup.objects.get()
    assert (seconds.booth_id, seconds.officer_id, seconds.count) == (booth_a.pk, officer_a.pk, 1)


def test_a_refusal_after_secondary_counts_its_reason(officer_a, supervisor_a, booth_a, rules):
    inspection = inspection_start(actor=officer_a, post=booth_a.post, booth=booth_a, direction="entry",
                                  mrz=passport(), now=at(2026, 3, 1, 10))
    inspection_decide(actor=officer_a, inspection=inspection, decision="refer", reason_code="R3",
                      now=at(2026, 3, 1, 10, 1))
    assert not MovementRollup.objects.exists()  # no movement yet
    secondary = Inspection.objects.get(pk=inspection.pk).secondary
    secondary_decide(actor=supervisor_a, secondary=secondary, outcome="refuse", reason_code="R9",
                     notes="explained", now=at(2026, 3, 1, 11, 30))
    row = MovementRollup.objects.get()
    assert (row.decision, row.reason_code, row.hour) == ("refused", "R9", hour_of(at(2026, 3, 1, 11)))
    assert InspectionRollup.objects.get().hour == hour_of(at(2026, 3, 1, 10))


def test_a_failing_listener_leaves_no_movement_and_no_count(officer_a, booth_a, rules, monkeypatch):
    def broken(movement):
        raise IntegrityError("rollup table unavailable")

    monkeypatch.setattr(hooks, "_movement_listeners", [*hooks.movement_listeners(), broken])
    inspection = inspection_start(actor=officer_a, post=booth_a.post, booth=booth_a, direction="entry",
                                  mrz=passport(), now=at(2026, 3, 1, 10))
    with pytest.raises(IntegrityError):
        inspection_decide(actor=officer_a, inspection=inspection, decision="admit", now=at(2026, 3, 1, 10, 1))
    assert not Movement.objects.exists() and not MovementRollup.objects.exists()
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.OPEN


def test_registering_twice_calls_once():
    calls = []

    def listener(movement):
        calls.append(movement)

    before = hooks.movement_listeners()
    try:
        hooks._movement_listeners[:] = []
        hooks.register_movement_listener(listener)
        hooks.register_movement_listener(listener)
        hooks.movement_recorded("m")
        assert calls == ["m"]
    finally:
        hooks._movement_listeners[:] = before
