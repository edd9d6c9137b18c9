"""Risk rules on the real database: versioning and audit, the provider at the booth (score,
reasons, the versions that fired kept after the rule changes, the referral enforced by the
decision service), the 90-day backtest against a hand-made set of inspections, the effect
measured from the firings, and the warning on rules that match everyone or no one."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from analytics.models import RiskFiring, RiskRule, RiskRuleVersion
from analytics.rules import (
    RuleWarning,
    risk_rule_backtest,
    risk_rule_change,
    risk_rule_create,
    risk_rule_effect,
    risk_rule_enable,
)
from audit.models import AuditEvent
from core.errors import Conflict
from travelers.models import Inspection
from travelers.services import inspection_decide, inspection_override, inspection_start, secondary_decide
from travelers.tests.factories import at, passport

pytestmark = pytest.mark.django_db

SYR = {"field": "traveler.nationality", "op": "eq", "value": "SYR"}
SYR_IRN = {"field": "traveler.nationality", "op": "in", "value": ["SYR", "IRN"]}
REFUSED_BEFORE = {"field": "traveler.previous_refusals", "op": "gte", "value": 1}
NOW = at(2026, 6, 1)


def make(actor, *, name="Syrian passports", conditions=SYR, weight=20, action="", enabled=True, confirm=True,
         valid_from=None, now=None):
    return risk_rule_create(actor=actor, name=name, conditions=conditions, weight=weight, action=action,
                            reason=f"{name} reason", reason_ar=f"سبب {name}", enabled=enabled, confirm=confirm,
                            valid_from=valid_from or at(2026, 1, 1), now=now or at(2026, 1, 1))


def read(officer, booth, when, nationality="JOR", number="N1234567", name="HADDAD", **kwargs):
    return inspection_start(actor=officer, post=booth.post, booth=booth, direction="entry", now=when,
                            mrz=passport(nationality=nationality, issuing_state=nationality, document_number=number,
                                         primary_identifier=name), **kwargs)


def actions(prefix="riskrule"):
    return list(AuditEvent.objects.filter(action__startswith=prefix).order_by("seq").values_list("action", flat=True))


# Versioning and audit -----------------------------------------------------------------------

def test_create_change_enable_disable_are_versioned_and_audited(supervisor):
    rule = make(supervisor, enabled=False)
    assert rule.current_version.number == 1 and not rule.enabled
    v2 = risk_rule_change(actor=supervisor, rule=rule, conditions=SYR_IRN, weight=25, reason="Syria or Iran",
                          reason_ar="سوريا أو إيران", confirm=True, now=at(2026, 2, 1), note="add Iran")
    assert v2.number == 2 and rule.current_version == v2
    # Unchanged: no new version.
    same = risk_rule_change(actor=supervisor, rule=rule, conditions=SYR_IRN, weight=25, reason="Syria or Iran",
                            reason_ar="سوريا أو إيران", valid_from=v2.valid_from, confirm=True, now=at(2026, 2, 2))
    assert same == v2
    old = RiskRuleVersion.objects.get(rule=rule, number=1)
    assert old.conditions == SYR and old.weight == 20
    with pytest.raises(ValueError, match="immutable"):
        old.save()
    risk_rule_enable(actor=supervisor, rule=rule, enabled=True)
    risk_rule_enable(actor=supervisor, rule=rule, enabled=True)  # no change, no event
    risk_rule_enable(actor=supervisor, rule=rule, enabled=False)
    assert actions() == ["riskrule.create", "riskrule.version", "riskrule.enable", "riskrule.disable"]
    event = AuditEvent.objects.get(action="riskrule.version")
    assert event.changes["weight"] == [20, 25] and event.changes["conditions"][1] == SYR_IRN
    assert event.metadata["previous"] == 1 and event.metadata["version"] == 2


def test_bad_input_is_refused_by_field(supervisor):
    with pytest.raises(ValidationError) as exc:
        risk_rule_create(actor=supervisor, name=" ", conditions={"field": "x", "op": "eq", "value": 1}, weight=0,
                         reason="", reason_ar="", action="arrest", confirm=True)
    assert set(exc.value.message_dict) == {"name", "conditions", "weight", "reason", "reason_ar", "action"}
    assert exc.value.message_dict["conditions"] == ["conditions.field: unknown field 'x'"]
    make(supervisor)
    with pytest.raises(ValidationError) as exc:
        make(supervisor, name="syrian PASSPORTS")
    assert "name" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        risk_rule_create(actor=supervisor, name="x", conditions=SYR, weight=5, reason="a", reason_ar="b",
                         valid_from=at(2026, 2, 1), valid_until=at(2026, 1, 1), confirm=True)
    assert "valid_until" in exc.value.message_dict
    assert RiskRule.objects.count() == 1 and not AuditEvent.objects.filter(action="riskrule.create", metadata__name="x").exists()


# At the booth -------------------------------------------------------------------------------

def test_the_inspection_records_score_reasons_and_the_version_that_fired(supervisor, officer_a, booth_a, stay_rules):
    rule = make(supervisor)
    make(supervisor, name="Iranians", conditions={"field": "traveler.nationality", "op": "eq", "value": "IRN"}, weight=5)
    make(supervisor, name="Off", enabled=False, weight=7,
         conditions={"field": "journey.direction", "op": "eq", "value": "entry"})
    make(supervisor, name="Later", valid_from=at(2027, 1, 1), weight=9,
         conditions={"field": "journey.direction", "op": "eq", "value": "entry"})
    first = read(officer_a, booth_a, at(2026, 3, 1), nationality="SYR")
    assert first.risk["score"] == 20 and first.risk["status"] == "done"
    assert first.risk["reasons"] == [{"rule_id": rule.pk, "version": 1, "weight": 20, "text": "Syrian passports reason",
                                      "text_ar": "سبب Syrian passports", "action": ""}]
    risk_rule_change(actor=supervisor, rule=rule, conditions=SYR, weight=40, reason="Changed", reason_ar="تغيّر",
                     confirm=True, now=at(2026, 3, 2), valid_from=at(2026, 3, 2))
    second = read(officer_a, booth_a, at(2026, 3, 3), nationality="SYR", number="N7777777", name="KHALIL")
    assert second.risk["score"] == 40 and second.risk["reasons"][0]["version"] == 2
    first.refresh_from_db()
    assert first.risk["reasons"][0]["version"] == 1 and first.risk["reasons"][0]["text"] == "Syrian passports reason"
    assert sorted(RiskFiring.objects.values_list("inspection_id", "version__number")) == [(first.pk, 1), (second.pk, 2)]
    clear = read(officer_a, booth_a, at(2026, 3, 4), nationality="JOR", number="N5555555", name="SALEH")
    assert clear.risk == {"status": "done", "score": 0, "reasons": [], "action": ""}


def test_a_referral_rule_is_enforced_by_the_decision_service(supervisor, officer_a, booth_a, stay_rules):
    make(supervisor, action="refer")
    inspection = read(officer_a, booth_a, at(2026, 3, 1), nationality="SYR")
    assert inspection.risk["action"] == "refer"
    with pytest.raises(Conflict) as exc:
        inspection_decide(actor=officer_a, inspection=inspection, decision="admit", now=at(2026, 3, 1, 10, 5))
    assert "risk rule" in exc.value.conflict_message
    # A supervisor's override lifts it, like any block.
    inspection_override(actor=supervisor, inspection=inspection, reason="known traveler, checked by phone")
    decided = inspection_decide(actor=officer_a, inspection=inspection, decision="admit", now=at(2026, 3, 1, 10, 6))
    assert decided.decision == "admit"


def test_history_facts_are_gathered_at_the_booth(supervisor, officer_a, booth_a, stay_rules):
    make(supervisor, name="Refused before", conditions=REFUSED_BEFORE, weight=15)
    make(supervisor, name="Frequent crosser", weight=5,
         conditions={"field": "journey.land_crossings", "op": "gte", "value": 1, "days": 30})
    first = read(officer_a, booth_a, at(2026, 3, 1))
    inspection_decide(actor=officer_a, inspection=first, decision="refuse", reason_code="E", now=at(2026, 3, 1, 10, 1))
    for day in (2, 3):
        inspection = read(officer_a, booth_a, at(2026, 3, day))
        assert inspection.risk["score"] == 15 + (5 if day == 3 else 0)
        inspection_decide(actor=officer_a, inspection=inspection, decision="admit", now=at(2026, 3, day, 10, 1))


def test_a_failing_provider_leaves_the_inspection_open_and_says_so(supervisor, officer_a, booth_a, stay_rules):
    from travelers.hooks import register_risk_provider, risk_provider

    saved = risk_provider()

    def broken(inspection):
        raise RuntimeError("boom")

    register_risk_provider(broken)
    try:
        inspection = read(officer_a, booth_a, at(2026, 3, 1))
    finally:
        register_risk_provider(saved)
    assert inspection.risk["status"] == "unavailable"
    assert Inspection.objects.get(pk=inspection.pk).status == "open"


# Backtest and effect ------------------------------------------------------------------------

@pytest.fixture
def history(officer_a, booth_a, stay_rules, supervisor):
    """Inspections of the 90 days before NOW (and one before them):
    A JOR admitted · B SYR referred, refused in secondary · C SYR referred, admitted in secondary ·
    D IRN referred, secondary pending · G = B again after the refusal, admitted · E JOR in January."""
    def referred(inspection, when, outcome=None):
        decided = inspection_decide(actor=officer_a, inspection=inspection, decision="refer", reason_code="R4",
                                    now=when)
        if outcome:
            secondary_decide(actor=officer_a, secondary=decided.secondary, outcome=outcome,
                             reason_code="E" if outcome == "refuse" else "", now=when + timedelta(minutes=30))
        return decided

    e = read(officer_a, booth_a, at(2026, 1, 5), number="E0000001", name="EARLY")
    inspection_decide(actor=officer_a, inspection=e, decision="admit", now=at(2026, 1, 5, 10, 1))
    a = read(officer_a, booth_a, at(2026, 5, 1), number="A0000001", name="ALPHA")
    inspection_decide(actor=officer_a, inspection=a, decision="admit", now=at(2026, 5, 1, 10, 1))
    b = referred(read(officer_a, booth_a, at(2026, 5, 2), "SYR", "B0000001", "BRAVO"), at(2026, 5, 2, 10, 1), "refuse")
    c = referred(read(officer_a, booth_a, at(2026, 5, 3), "SYR", "C0000001", "CHARLIE"), at(2026, 5, 3, 10, 1), "admit")
    d = referred(read(officer_a, booth_a, at(2026, 5, 4), "IRN", "D0000001", "DELTA"), at(2026, 5, 4, 10, 1))
    g = read(officer_a, booth_a, at(2026, 5, 10), "SYR", "B0000001", "BRAVO")
    inspection_decide(actor=officer_a, inspection=g, decision="admit", now=at(2026, 5, 10, 10, 1))
    return {"a": a, "b": b, "c": c, "d": d, "g": g, "e": e}


def test_backtest_counts_against_a_hand_made_set(history):
    result = risk_rule_backtest(conditions=SYR_IRN, now=NOW)
    assert (result["inspections"], result["flagged"], result["referred"], result["found"]) == (5, 4, 3, 1)
    assert result["outcomes"] == {"admit": 1, "refuse": 1, "handover": 0, "withdrawn": 0, "pending": 1}
    assert result["share"] == pytest.approx(0.8) and result["found_share"] == pytest.approx(1 / 3)
    only_syr = risk_rule_backtest(conditions=SYR, now=NOW)
    assert (only_syr["flagged"], only_syr["referred"], only_syr["found"]) == (3, 2, 1)
    refused = risk_rule_backtest(conditions=REFUSED_BEFORE, now=NOW)
    assert (refused["flagged"], refused["referred"]) == (1, 0)  # G, after B's refusal; never B itself
    # The window: January's inspection counts once the window reaches back to it.
    assert risk_rule_backtest(conditions=SYR_IRN, now=NOW, days=200)["inspections"] == 6
    with pytest.raises(ValidationError) as exc:
        risk_rule_backtest(conditions={"all": [{"field": "traveler.age", "op": "zz", "value": 1}]}, now=NOW)
    assert exc.value.message_dict == {"conditions": ["conditions.all[0].op: unknown operator 'zz'"]}


def test_an_empty_period_gives_no_share(db):
    result = risk_rule_backtest(conditions=SYR, now=NOW)
    assert result["inspections"] == 0 and result["share"] is None and result["found_share"] is None


def test_warning_before_saving_a_rule_that_matches_everyone_or_no_one(history, supervisor):
    for conditions, code in ((SYR_IRN | {"value": ["ZZZ"]}, "matches_none"),
                             ({"field": "journey.direction", "op": "eq", "value": "entry"}, "matches_all")):
        with pytest.raises(RuleWarning) as exc:
            make(supervisor, name=code, conditions=conditions, confirm=False, now=NOW)
        assert exc.value.warning_code == code and "confirm" in exc.value.message_dict
        assert exc.value.backtest["inspections"] == 5
        assert not RiskRule.objects.filter(name=code).exists()
        rule = make(supervisor, name=code, conditions=conditions, confirm=True, now=NOW)
        assert AuditEvent.objects.filter(action="riskrule.create", object_id=str(rule.pk),
                                         metadata__confirmed_warning=True).exists()
    fine = make(supervisor, name="fine", conditions=SYR, confirm=False, now=NOW)
    assert AuditEvent.objects.get(action="riskrule.create", object_id=str(fine.pk)).metadata["backtest"] == {
        "inspections": 5, "flagged": 3, "referred": 2}
    with pytest.raises(RuleWarning):
        risk_rule_change(actor=supervisor, rule=fine, conditions=SYR_IRN | {"value": ["ZZZ"]}, weight=20,
                         reason="r", reason_ar="ر", now=NOW)
    assert fine.current_version.number == 1


def test_effect_is_measured_from_the_inspections_each_rule_fired_on(supervisor, officer_a, booth_a, stay_rules):
    syr = make(supervisor)
    irn = make(supervisor, name="Iran", conditions={"field": "traveler.nationality", "op": "eq", "value": "IRN"})
    quiet = make(supervisor, name="Quiet", conditions={"field": "traveler.age", "op": "gt", "value": 120})
    b = read(officer_a, booth_a, at(2026, 5, 2), "SYR", "B0000001", "BRAVO")
    b = inspection_decide(actor=officer_a, inspection=b, decision="refer", reason_code="R4", now=at(2026, 5, 2, 10, 1))
    secondary_decide(actor=officer_a, secondary=b.secondary, outcome="refuse", reason_code="E",
                     now=at(2026, 5, 2, 11))
    c = read(officer_a, booth_a, at(2026, 5, 3), "SYR", "C0000001", "CHARLIE")
    inspection_decide(actor=officer_a, inspection=c, decision="admit", now=at(2026, 5, 3, 10, 1))
    read(officer_a, booth_a, at(2026, 5, 4), "IRN", "D0000001", "DELTA")
    a = read(officer_a, booth_a, at(2026, 5, 5), "JOR", "A0000001", "ALPHA")
    inspection_decide(actor=officer_a, inspection=a, decision="admit", now=at(2026, 5, 5, 10, 1))
    effect = risk_rule_effect(rules=[syr, irn, quiet], now=NOW)
    assert (effect[syr.pk]["inspections"], effect[syr.pk]["flagged"], effect[syr.pk]["referred"],
            effect[syr.pk]["found"]) == (4, 2, 1, 1)
    assert effect[syr.pk]["share"] == pytest.approx(0.5)
    assert (effect[irn.pk]["flagged"], effect[irn.pk]["referred"]) == (1, 0)
    assert effect[quiet.pk]["flagged"] == 0 and effect[quiet.pk]["share"] == 0
    # The backtest of the same conditions over the same days agrees with the measured effect.
    backtest = risk_rule_backtest(conditions=SYR, now=NOW)
    assert (backtest["inspections"], backtest["flagged"], backtest["referred"], backtest["found"]) == (4, 2, 1, 1)


def test_switching_off_and_ending_validity_take_effect_at_once(supervisor, officer_a, booth_a, stay_rules):
    rule = make(supervisor)
    assert read(officer_a, booth_a, at(2026, 3, 1), nationality="SYR").risk["score"] == 20
    risk_rule_enable(actor=supervisor, rule=rule, enabled=False)
    assert read(officer_a, booth_a, at(2026, 3, 2), nationality="SYR").risk["score"] == 0
    risk_rule_enable(actor=supervisor, rule=rule, enabled=True)
    risk_rule_change(actor=supervisor, rule=rule, conditions=SYR, weight=20, reason="r", reason_ar="ر",
                     valid_from=at(2026, 1, 1), valid_until=at(2026, 3, 3), confirm=True, now=at(2026, 3, 2))
    assert read(officer_a, booth_a, at(2026, 3, 2, 12), nationality="SYR").risk["score"] == 20
    assert read(officer_a, booth_a, at(2026, 3, 4), nationality="SYR").risk["score"] == 0


EQUIVALENCE = [
    SYR, SYR_IRN, REFUSED_BEFORE,
    {"not": {"field": "traveler.age", "op": "lt", "value": 40}},
    {"field": "traveler.age", "op": "between", "value": [40, 50]},
    {"field": "traveler.age_band", "op": "in", "value": ["41-60", "61+"]},
    {"field": "document.days_to_expiry", "op": "gt", "value": 1000},
    {"field": "document.kind", "op": "eq", "value": "passport"},
    {"field": "document.code", "op": "eq", "value": "P"},
    {"field": "document.issuing_state", "op": "not_in", "value": ["JOR"]},
    {"field": "journey.direction", "op": "ne", "value": "exit"},
    {"field": "journey.mode", "op": "eq", "value": "air"},
    {"not": {"field": "journey.carrier", "op": "startswith", "value": "IA"}},
    {"field": "journey.carrier", "op": "startswith", "value": "IA"},
    {"field": "journey.post", "op": "eq", "value": "PA"},
    {"field": "traveler.overstays", "op": "eq", "value": 0},
    {"field": "traveler.hits", "op": "gte", "value": 1},
    {"field": "journey.land_crossings", "op": "gte", "value": 1, "days": 30},
    {"any": [{"field": "journey.land_crossings", "op": "eq", "value": 0, "days": 7}, REFUSED_BEFORE]},
    {"all": [SYR, {"not": REFUSED_BEFORE}]},
]


@pytest.mark.postgres
@pytest.mark.parametrize("conditions", EQUIVALENCE)
def test_the_database_backtest_agrees_with_the_evaluator(history, officer_a, booth_a, conditions):
    # Some variety: a flight, a second land crossing of A's traveler.
    read(officer_a, booth_a, at(2026, 5, 20), "JOR", "A0000001", "ALPHA", transport_mode="air", carrier="ia101")
    in_db = risk_rule_backtest(conditions=conditions, now=NOW)
    in_python = risk_rule_backtest(conditions=conditions, now=NOW, python=True)
    assert in_db == in_python
