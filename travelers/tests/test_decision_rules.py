"""Decisions follow the evidence: hits whose action is arrest, refuse or refer, an unverified
document, the officer's on-the-spot resolution, the supervisor's override, abandonment and the
outcomes of secondary inspection, enforced by the services (pages and API go through them)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Agency
from audit.models import AuditEvent
from core.errors import Conflict
from travelers.models import Inspection, InspectionStatus, Movement, SecondaryInspection
from travelers.services import (
    decision_rules,
    inspection_abandon,
    inspection_decide,
    inspection_hit_resolve,
    inspection_override,
    inspection_start,
    secondary_decide,
)
from travelers.tests.factories import fields, passport
from watchlists.models import Hit, Visibility, Watchlist
from watchlists.selectors import false_positive_rates
from watchlists.services import document_entry_create, person_entry_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def wanted(border_agency):
    """The national wanted list (arrest); the traveler of `passport()` is on it."""
    wl = Watchlist.objects.create(code="WANTED", name="Wanted persons", owner_agency=border_agency, action="arrest")
    person_entry_create(actor=None, watchlist=wl, names=["Samir Haddad"], date_of_birth="1980-05-17",
                        gender="M", nationalities=["JOR"], rescreen=False)
    return wl


@pytest.fixture
def banned(border_agency):
    """An entry ban list (refuse) with its reason code."""
    wl = Watchlist.objects.create(code="BAN", name="Entry bans", owner_agency=border_agency, action="refuse",
                                  refusal_reason="J")
    person_entry_create(actor=None, watchlist=wl, names=["Samir Haddad"], date_of_birth="1980-05-17",
                        gender="M", nationalities=["JOR"], rescreen=False)
    return wl


def start(officer, booth, mrz=None, **kwargs):
    return inspection_start(actor=officer, post=booth.post, booth=booth, direction="entry",
                            mrz=mrz or passport(), **kwargs)


def hits_of(inspection):
    return list(Hit.objects.filter(inspection_id=inspection.pk).order_by("pk"))


def test_an_arrest_hit_stops_admission_and_refusal_and_names_the_hits(officer_a, booth_a, rules, wanted):
    inspection = start(officer_a, booth_a)
    (hit,) = hits_of(inspection)
    assert hit.action == "arrest" and hit.status == "pending"
    rules_now = decision_rules(inspection)
    assert rules_now.admit_blocked and rules_now.allowed == {"refer"} and rules_now.unresolved_hit_ids == [hit.pk]

    with pytest.raises(Conflict) as admit:
        inspection_decide(actor=officer_a, inspection=inspection, decision="admit", notes="looks fine")
    assert admit.value.conflict_code == "unresolved_hits" and admit.value.conflict_fields == {"hits": [str(hit.pk)]}
    with pytest.raises(Conflict) as refuse:
        inspection_decide(actor=officer_a, inspection=inspection, decision="refuse", reason_code="A")
    assert refuse.value.conflict_code == "decision_not_allowed"
    assert Inspection.objects.get(pk=inspection.pk).status == InspectionStatus.OPEN
    assert not Movement.objects.exists()
    assert not AuditEvent.objects.filter(action="inspection.decide").exists()


def test_not_this_person_with_a_reason_lets_the_officer_admit_and_counts_as_a_false_positive(
        officer_a, booth_a, rules, wanted, supervisor):
    inspection = start(officer_a, booth_a)
    (hit,) = hits_of(inspection)
    with pytest.raises(ValidationError, match="reason"):
        inspection_hit_resolve(actor=officer_a, inspection=inspection, hit_id=hit.pk, decision="dismissed")
    assert Hit.objects.get(pk=hit.pk).status == "pending"

    inspection_hit_resolve(actor=officer_a, inspection=inspection, hit_id=hit.pk, decision="dismissed",
                           reason="different_dob", note="born 1981 per ID card")
    hit.refresh_from_db()
    assert hit.status == "dismissed" and hit.adjudicated_by == officer_a and hit.dismiss_reason == "different_dob"
    event = AuditEvent.objects.get(action="hit.resolve")
    assert event.metadata["inspection_id"] == inspection.pk and event.metadata["reason"] == "different_dob"
    (row,) = [r for r in false_positive_rates(user=supervisor) if r["watchlist"].code == "WANTED"]
    assert row["dismissed"] == 1 and row["false_positive_rate"] == 1.0

    assert not decision_rules(inspection).admit_blocked
    decided = inspection_decide(actor=officer_a, inspection=inspection, decision="admit")
    assert decided.status == InspectionStatus.CLOSED and Movement.objects.get().decision == "admitted"


def test_a_confirmed_arrest_hit_refers_with_hand_over_to_the_owning_agency(
        officer_a, booth_a, rules, wanted, border_agency):
    inspection = start(officer_a, booth_a)
    (hit,) = hits_of(inspection)
    inspection_hit_resolve(actor=officer_a, inspection=inspection, hit_id=hit.pk, decision="confirmed")
    assert decision_rules(inspection).allowed == {"refer"}
    with pytest.raises(Conflict):
        inspection_decide(actor=officer_a, inspection=inspection, decision="admit")
    inspection_decide(actor=officer_a, inspection=inspection, decision="refer", reason_code="H")
    secondary = SecondaryInspection.objects.get(inspection=inspection)
    assert secondary.required_action == "arrest" and secondary.handover_agency == border_agency

    # In secondary inspection, only the hand-over is open; it names who received the traveler.
    assert decision_rules(Inspection.objects.get(pk=inspection.pk), stage="secondary").allowed == {"handover"}
    with pytest.raises(Conflict):
        secondary_decide(actor=officer_a, secondary=secondary, outcome="admit")
    with pytest.raises(Conflict):
        secondary_decide(actor=officer_a, secondary=secondary, outcome="withdrawn", notes="went back")
    with pytest.raises(ValidationError) as missing:
        secondary_decide(actor=officer_a, secondary=secondary, outcome="handover")
    assert "handover_officer" in missing.value.message_dict
    done = secondary_decide(actor=officer_a, secondary=secondary, outcome="handover",
                            handover_officer="Lt. K. Hassan, badge 4471")
    assert done.outcome == "handover" and done.handover_agency == border_agency
    movement = Movement.objects.get()
    assert movement.decision == "handed_over" and movement.permitted_until is None
    event = AuditEvent.objects.get(action="secondaryinspection.decide")
    assert event.metadata["handover_agency"] == border_agency.code


def test_a_confirmed_refusal_hit_refuses_with_the_lists_reason(officer_a, booth_a, rules, banned):
    inspection = start(officer_a, booth_a)
    (hit,) = hits_of(inspection)
    assert hit.action == "refuse"
    assert decision_rules(inspection).allowed == {"refuse", "refer"}
    inspection_hit_resolve(actor=officer_a, inspection=inspection, hit_id=hit.pk, decision="confirmed")
    decided = inspection_decide(actor=officer_a, inspection=inspection, decision="refuse")
    assert decided.reason_code.code == "J" and Movement.objects.get().decision == "refused"


def test_a_supervisor_overrides_with_a_reason_and_the_record_shows_it(
        officer_a, supervisor_a, booth_a, rules, wanted):
    inspection = start(officer_a, booth_a)
    with pytest.raises(PermissionDenied):
        inspection_override(actor=officer_a, inspection=inspection, reason="I know this traveler well")
    with pytest.raises(ValidationError, match="reason"):
        inspection_override(actor=supervisor_a, inspection=inspection, reason="ok")
    overridden = inspection_override(actor=supervisor_a, inspection=inspection,
                                     reason="Namesake: checked with the police duty desk")
    assert overridden.supervisor_override_by == supervisor_a
    event = AuditEvent.objects.get(action="inspection.supervisor_override")
    assert event.metadata["lifted"][0]["action"] == "arrest"
    rules_now = decision_rules(overridden)
    assert rules_now.overridden and not rules_now.admit_blocked
    inspection_decide(actor=officer_a, inspection=overridden, decision="admit")
    assert AuditEvent.objects.get(action="inspection.decide").metadata["supervisor_override"] is True
    # The hit itself stays pending for adjudication.
    assert hits_of(inspection)[0].status == "pending"


def test_a_hit_on_a_list_the_officer_may_not_see_still_stops_admission(
        officer_a, booth_a, rules, police_agency):
    hidden = Watchlist.objects.create(code="INTEL", name="Restricted", owner_agency=police_agency, action="arrest",
                                      visibility=Visibility.AGENCIES)
    person_entry_create(actor=None, watchlist=hidden, names=["Samir Haddad"], date_of_birth="1980-05-17",
                        nationalities=["JOR"], rescreen=False)
    inspection = start(officer_a, booth_a)
    (hit,) = hits_of(inspection)
    assert not Hit.objects.restrict(officer_a, "view").filter(pk=hit.pk).exists()
    with pytest.raises(Conflict) as admit:
        inspection_decide(actor=officer_a, inspection=inspection, decision="admit")
    assert admit.value.conflict_fields == {"hits": [str(hit.pk)]}
    # The officer cannot resolve what they may not see: referral remains.
    with pytest.raises(ValidationError, match="hit"):
        inspection_hit_resolve(actor=officer_a, inspection=inspection, hit_id=hit.pk, decision="dismissed",
                               reason="different_person")
    inspection_decide(actor=officer_a, inspection=inspection, decision="refer", reason_code="R1")


@pytest.mark.parametrize("status", ["stolen", "lost"])
def test_a_lost_or_stolen_document_is_never_admitted_on_the_spot(officer_a, booth_a, rules, border_agency, status):
    # The list's own action is only "notify": a document hit is at least a referral.
    sltd = Watchlist.objects.create(code="SLTD", name="Lost and stolen", owner_agency=border_agency,
                                    kind="documents", action="notify")
    document_entry_create(actor=None, watchlist=sltd, number="N1234567", issuing_state="JOR", status=status)
    inspection = start(officer_a, booth_a)
    (hit,) = hits_of(inspection)
    assert hit.source == "document" and hit.action == "refer"
    with pytest.raises(Conflict):
        inspection_decide(actor=officer_a, inspection=inspection, decision="admit")


def test_an_expired_document_opened_on_the_officers_reason_needs_a_supervisor_to_admit(
        officer_a, supervisor_a, booth_a, rules):
    expired = passport(date_of_expiry=date(2020, 1, 1))
    inspection = start(officer_a, booth_a, expired, override_reason="renewal receipt shown")
    rules_now = decision_rules(inspection)
    assert [b.kind for b in rules_now.blocks] == ["document"] and rules_now.allowed == {"refuse", "refer"}
    with pytest.raises(Conflict) as admit:
        inspection_decide(actor=officer_a, inspection=inspection, decision="admit", notes="renewal")
    assert admit.value.conflict_code == "decision_not_allowed"
    inspection_override(actor=supervisor_a, inspection=inspection, reason="Renewal confirmed by the embassy")
    assert inspection_decide(actor=officer_a, inspection=inspection, decision="admit",
                             notes="renewal").status == InspectionStatus.CLOSED


def test_a_manually_corrected_mrz_must_be_verified(officer_a, booth_a, rules):
    misread = passport(document_number="N1234568")  # the reader misread one digit: the check digit is right
    corrected = fields(document_number="N1234567")
    inspection = inspection_start(actor=officer_a, post=booth_a.post, booth=booth_a, direction="entry",
                                  mrz=misread, document=corrected)
    assert inspection.corrected_fields == ["document_number"]
    assert decision_rules(inspection).admit_blocked
    with pytest.raises(Conflict):
        inspection_decide(actor=officer_a, inspection=inspection, decision="admit")


def test_abandoning_needs_a_reason_is_audited_and_cannot_drop_a_wanted_traveler(
        officer_a, booth_a, rules, wanted, border_agency):
    clean = start(officer_a, booth_a, passport(primary_identifier="OTHER", document_number="N7777777"))
    assert not hits_of(clean)
    with pytest.raises(ValidationError, match="reason"):
        inspection_abandon(actor=officer_a, inspection=clean, reason="")
    with pytest.raises(ValidationError, match="note"):
        inspection_abandon(actor=officer_a, inspection=clean, reason="other")
    done = inspection_abandon(actor=officer_a, inspection=clean, reason="traveler_left")
    assert done.status == InspectionStatus.ABANDONED and done.abandon_reason == "traveler_left"
    assert AuditEvent.objects.get(action="inspection.abandon").metadata["reason"] == "traveler_left"
    with pytest.raises(Conflict):
        inspection_decide(actor=officer_a, inspection=done, decision="admit")

    flagged = start(officer_a, booth_a)
    with pytest.raises(Conflict) as refused:
        inspection_abandon(actor=officer_a, inspection=flagged, reason="traveler_left")
    assert refused.value.conflict_code == "blocking_hits"
    assert Inspection.objects.get(pk=flagged.pk).status == InspectionStatus.OPEN


def test_withdrawn_and_refusal_in_secondary_follow_the_hits(officer_a, booth_a, rules, banned):
    inspection = start(officer_a, booth_a)
    inspection_decide(actor=officer_a, inspection=inspection, decision="refer", reason_code="R1")
    secondary = SecondaryInspection.objects.get(inspection=inspection)
    with pytest.raises(Conflict):
        secondary_decide(actor=officer_a, secondary=secondary, outcome="admit")
    with pytest.raises(ValidationError, match="notes"):
        secondary_decide(actor=officer_a, secondary=secondary, outcome="withdrawn")
    secondary_decide(actor=officer_a, secondary=secondary, outcome="withdrawn", notes="returned to Jordan")
    assert Movement.objects.get().decision == "withdrawn"


def test_an_officer_of_another_post_cannot_resolve_or_abandon(officer_a, officer_b, booth_a, rules, wanted):
    inspection = start(officer_a, booth_a)
    (hit,) = hits_of(inspection)
    with pytest.raises(PermissionDenied):
        inspection_hit_resolve(actor=officer_b, inspection=inspection, hit_id=hit.pk, decision="confirmed")
    with pytest.raises(PermissionDenied):
        inspection_abandon(actor=officer_b, inspection=inspection, reason="duplicate")


def test_handover_to_an_inactive_agency_is_refused(officer_a, booth_a, rules, wanted):
    inspection = start(officer_a, booth_a)
    inspection_decide(actor=officer_a, inspection=inspection, decision="refer", reason_code="H")
    secondary = SecondaryInspection.objects.get(inspection=inspection)
    gone = Agency.objects.create(code="OLD", name="Dissolved unit", kind="police", is_active=False)
    with pytest.raises(ValidationError) as exc:
        secondary_decide(actor=officer_a, secondary=secondary, outcome="handover", handover_agency=gone,
                         handover_officer="Sgt. A")
    assert "handover_agency" in exc.value.message_dict and not Movement.objects.exists()
