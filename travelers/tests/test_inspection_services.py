"""The inspection workflow through its services, on the real database, with fixed clocks."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from travelers.models import (
    Inspection,
    InspectionStatus,
    MatchRule,
    Movement,
    Person,
    SecondaryInspection,
    TravelDocument,
    Visa,
)
from travelers.mrz import PartialDate
from travelers.services import (
    DocumentInvalid,
    inspection_decide,
    inspection_start,
    secondary_decide,
    secondary_take,
)
from travelers.tests.factories import at, fields, passport

pytestmark = pytest.mark.django_db


def start(officer, booth, mrz="", now=None, direction="entry", **kwargs):
    return inspection_start(actor=officer, post=booth.post, booth=booth, direction=direction, mrz=mrz,
                            now=now or at(2026, 3, 1), **kwargs)


def actions():
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


# Reading the document ------------------------------------------------------------------------


def test_mrz_read_creates_person_document_and_inspection(officer_a, booth_a, rules):
    inspection = start(officer_a, booth_a, passport(), transport_mode="air", carrier="rj405")
    person, document = inspection.person, inspection.document
    assert (person.primary_identifier, person.secondary_identifier, person.nationality) == ("HADDAD", "SAMIR", "JOR")
    assert person.date_of_birth == date(1980, 5, 17)
    assert (document.number, document.issuing_state, document.kind) == ("N1234567", "JOR", "passport")
    assert document.mrz == passport() and document.mrz_format == "TD3"
    assert document.match_rule == MatchRule.NEW
    assert inspection.status == InspectionStatus.OPEN and inspection.carrier == "RJ405"
    assert [s["step"] for s in inspection.steps] == ["document_read", "screening"]
    assert inspection.screening["status"] == "done" and inspection.screening["hits"] == 0
    assert set(inspection.screening["checks"]) == {"document", "name"}
    assert inspection.stay_verdict["allowed"] is True and inspection.stay_verdict["until"] == "2026-03-30"
    assert actions()[-3:] == ["person.create", "traveldocument.create", "inspection.start"]


def test_the_same_document_again_is_the_same_person(officer_a, booth_a, rules):
    first = start(officer_a, booth_a, passport())
    again = start(officer_a, booth_a, passport().lower().replace("\n", "\r\n"))
    assert again.person_id == first.person_id and again.document_id == first.document_id
    assert Person.objects.count() == 1 and TravelDocument.objects.count() == 1


def test_a_new_document_of_the_same_identity_joins_by_the_biographic_rule(officer_a, booth_a, rules):
    first = start(officer_a, booth_a, passport())
    renewed = start(officer_a, booth_a, passport(document_number="N7654321",
                                                 primary_identifier="Haddad", secondary_identifier="Samir"))
    assert renewed.person_id == first.person_id
    assert renewed.document.match_rule == MatchRule.BIOGRAPHIC
    assert renewed.document.match_detail["candidates"] == [first.person_id]


@pytest.mark.parametrize(
    "changes",
    [
        {"date_of_birth": PartialDate(1980, 5, 18)},
        {"nationality": "SYR"},
        {"secondary_identifier": "SAMIRA"},
        {"sex": "F"},
    ],
    ids=["other-birthday", "other-nationality", "other-name", "other-sex"],
)
def test_a_different_identity_is_a_new_person(officer_a, booth_a, rules, changes):
    first = start(officer_a, booth_a, passport())
    other = start(officer_a, booth_a, passport(document_number="N7654321", **changes),
                  override_reason="visa check at booth" if changes.get("nationality") else "")
    assert other.person_id != first.person_id
    assert other.document.match_rule == MatchRule.NEW


def test_incomplete_date_of_birth_never_joins_by_biography(officer_a, booth_a, rules):
    first = start(officer_a, booth_a, passport(date_of_birth=PartialDate(1980)))
    second = start(officer_a, booth_a, passport(date_of_birth=PartialDate(1980), document_number="N7654321"))
    assert first.person_id != second.person_id
    assert "does not apply" in second.document.match_detail["why_not"]


def test_two_matching_persons_are_not_merged_automatically(officer_a, booth_a, rules, supervisor):
    from travelers.services import person_split

    a = start(officer_a, booth_a, passport())
    start(officer_a, booth_a, passport(document_number="N2222222"))
    # A supervisor splits the second document off: now two persons share the biography.
    person = Person.objects.get(pk=a.person_id)
    split_doc = TravelDocument.objects.get(number="N2222222")
    person_split(actor=supervisor, person=person, document_ids=[split_doc.pk], reason="different people")
    split_doc.refresh_from_db()
    third = start(officer_a, booth_a, passport(document_number="N3333333"))
    assert third.document.match_rule == MatchRule.NEW
    assert sorted(third.document.match_detail["candidates"]) == sorted([a.person_id, split_doc.person_id])
    assert Person.objects.count() == 3


# Bad input: nothing half-done ----------------------------------------------------------------


def wrong_document_check_digit() -> str:
    line1, line2 = passport().split("\n")
    return line1 + "\n" + line2[:9] + str((int(line2[9]) + 1) % 10) + line2[10:]



@pytest.mark.parametrize(
    "mrz,field,kind",
    [
        ("P<JORHADDAD<<SAMIR", "mrz", "format"),
        (wrong_document_check_digit(), "document_number", "check_digit"),
        (passport(date_of_expiry=date(2026, 2, 1)), "date_of_expiry", "expired"),
        (passport(issuing_state="UTO"), "issuing_state", "unknown_code"),
    ],
    ids=["garbled", "check-digit", "expired", "unknown-state"],
)
def test_bad_document_saves_nothing(officer_a, booth_a, rules, mrz, field, kind):
    before = AuditEvent.objects.count()
    with pytest.raises(DocumentInvalid) as info:
        start(officer_a, booth_a, mrz)
    assert (field, kind) in {(e.field, e.kind) for e in info.value.field_errors}
    assert field in info.value.message_dict
    assert Inspection.objects.count() == Person.objects.count() == TravelDocument.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_future_date_of_birth_in_manual_entry(officer_a, booth_a, rules):
    with pytest.raises(DocumentInvalid) as info:
        start(officer_a, booth_a, document=fields(date_of_birth=PartialDate(2027, 1, 1)))
    assert [(e.field, e.kind) for e in info.value.field_errors] == [("date_of_birth", "birth_in_future")]
    assert Person.objects.count() == 0


def test_expired_document_proceeds_with_a_recorded_override(officer_a, booth_a, rules):
    mrz = passport(date_of_expiry=date(2026, 2, 1))
    inspection = start(officer_a, booth_a, mrz, override_reason="national returning, checked with supervisor")
    assert inspection.has_override
    assert [e["kind"] for e in inspection.document_errors] == ["expired"]
    event = AuditEvent.objects.get(action="inspection.override")
    assert event.metadata["reason"] == "national returning, checked with supervisor"
    assert event.metadata["problems"][0]["kind"] == "expired"


def test_an_override_does_not_cover_a_field_that_must_be_corrected(officer_a, booth_a, rules):
    bad_date = passport().split("\n")
    bad_date[1] = bad_date[1][:13] + "801317" + bad_date[1][19:]
    with pytest.raises(DocumentInvalid) as info:
        start(officer_a, booth_a, "\n".join(bad_date), override_reason="in a hurry")
    assert not info.value.overridable
    assert Inspection.objects.count() == 0


def test_officer_corrects_a_misread_mrz_and_the_correction_is_audited(officer_a, booth_a, rules):
    misread = passport().replace("HADDAD", "HADDAO")  # name misread; check digits don't cover names
    corrected = fields()
    inspection = start(officer_a, booth_a, misread, document=corrected)
    assert inspection.person.primary_identifier == "HADDAD"
    assert inspection.mrz == misread and inspection.source == "manual"
    event = AuditEvent.objects.get(action="inspection.override")
    assert event.changes == {"primary_identifier": ["HADDAO", "HADDAD"]}


def test_manual_entry_for_a_document_without_mrz(officer_a, booth_a, rules):
    inspection = start(officer_a, booth_a, document=fields(document_code="I", primary_identifier="Al-Haddad"))
    assert inspection.source == "manual" and inspection.mrz == ""
    assert inspection.document.kind == "identity_card"


def test_officer_cannot_inspect_at_a_post_not_assigned(officer_b, booth_a, rules):
    with pytest.raises(PermissionDenied):
        start(officer_b, booth_a, passport())


# Decisions and movements ---------------------------------------------------------------------


def test_admit_records_the_movement_and_the_seconds_to_decision(officer_a, booth_a, rules):
    inspection = start(officer_a, booth_a, passport(), now=at(2026, 3, 1, 10, 0, 0), transport_mode="air",
                       carrier="RJ405")
    decided = inspection_decide(actor=officer_a, inspection=inspection, decision="admit", now=at(2026, 3, 1, 10, 0, 7))
    assert decided.status == InspectionStatus.CLOSED and decided.seconds_to_decision == 7.0
    movement = Movement.objects.get(inspection=decided)
    assert (movement.direction, movement.decision, movement.permitted_until) == ("entry", "admitted", date(2026, 3, 30))
    assert (movement.post, movement.booth, movement.officer) == (booth_a.post, booth_a, officer_a)
    assert (movement.transport_mode, movement.carrier) == ("air", "RJ405")
    assert actions()[-2:] == ["movement.create", "inspection.decide"]


def test_decided_inspection_cannot_be_decided_again(officer_a, booth_a, rules):
    inspection = start(officer_a, booth_a, passport())
    inspection_decide(actor=officer_a, inspection=inspection, decision="admit", now=at(2026, 3, 1, 10, 1))
    with pytest.raises(ValidationError):
        inspection_decide(actor=officer_a, inspection=inspection, decision="refuse", reason_code="A")
    assert Movement.objects.count() == 1


def test_refusal_needs_a_reason_code(officer_a, booth_a, rules):
    inspection = start(officer_a, booth_a, passport())
    for code in ("", "R1", "NOPE"):  # missing, a referral-only code, unknown
        with pytest.raises(ValidationError) as info:
            inspection_decide(actor=officer_a, inspection=inspection, decision="refuse", reason_code=code)
        assert "reason_code" in info.value.message_dict
    refused = inspection_decide(actor=officer_a, inspection=inspection, decision="refuse", reason_code="E",
                                now=at(2026, 3, 1, 10, 2))
    assert refused.reason_code.code == "E"
    assert Movement.objects.get(inspection=refused).decision == "refused"


def test_other_reason_needs_notes(officer_a, booth_a, rules):
    inspection = start(officer_a, booth_a, passport())
    with pytest.raises(ValidationError) as info:
        inspection_decide(actor=officer_a, inspection=inspection, decision="refer", reason_code="R9")
    assert "notes" in info.value.message_dict


def test_referral_goes_to_secondary_and_its_outcome_writes_the_movement(officer_a, booth_a, rules, supervisor_a):
    inspection = start(officer_a, booth_a, passport())
    referred = inspection_decide(actor=officer_a, inspection=inspection, decision="refer", reason_code="R2",
                                 now=at(2026, 3, 1, 10, 1))
    assert referred.status == InspectionStatus.REFERRED and not Movement.objects.exists()
    secondary = SecondaryInspection.objects.get(inspection=referred)
    secondary = secondary_take(actor=supervisor_a, secondary=secondary, now=at(2026, 3, 1, 10, 20))
    with pytest.raises(ValidationError):
        secondary_decide(actor=supervisor_a, secondary=secondary, outcome="refuse", reason_code="")
    done = secondary_decide(actor=supervisor_a, secondary=secondary, outcome="admit", now=at(2026, 3, 1, 10, 40))
    assert done.status == "done" and done.outcome == "admit"
    movement = Movement.objects.get(inspection=referred)
    assert movement.decision == "admitted" and movement.officer == supervisor_a
    assert Inspection.objects.get(pk=referred.pk).status == InspectionStatus.CLOSED


def test_officer_at_another_post_cannot_decide(officer_a, officer_b, booth_a, rules):
    inspection = start(officer_a, booth_a, passport())
    with pytest.raises(PermissionDenied):
        inspection_decide(actor=officer_b, inspection=inspection, decision="admit")


# Permission to stay --------------------------------------------------------------------------


def test_nationals_enter_without_limit(officer_a, booth_a, rules):
    inspection = start(officer_a, booth_a, passport(issuing_state="IRQ", nationality="IRQ"))
    assert inspection.stay_verdict["code"] == "national" and inspection.stay_verdict["until"] is None
    inspection_decide(actor=officer_a, inspection=inspection, decision="admit", now=at(2026, 3, 1, 10, 1))
    assert Movement.objects.get().permitted_until is None


def test_visa_required_without_a_visa_needs_a_note_to_admit(officer_a, booth_a, rules):
    inspection = start(officer_a, booth_a, passport(issuing_state="SYR", nationality="SYR"))
    assert inspection.stay_verdict["allowed"] is False and inspection.stay_verdict["code"] == "visa_required"
    with pytest.raises(ValidationError) as info:
        inspection_decide(actor=officer_a, inspection=inspection, decision="admit")
    assert "notes" in info.value.message_dict
    inspection_decide(actor=officer_a, inspection=inspection, decision="admit", notes="humanitarian, supervisor agreed",
                      now=at(2026, 3, 1, 10, 1))
    event = AuditEvent.objects.filter(action="inspection.decide").last()
    assert event.metadata["verdict_overridden"] is True


def test_a_valid_visa_allows_entry_and_counts_the_entry(officer_a, booth_a, rules, supervisor):
    from travelers.services import visa_issue

    first = start(officer_a, booth_a, passport(issuing_state="SYR", nationality="SYR"))
    visa = visa_issue(actor=supervisor, person=first.person, category="visa", number="IQ998877",
                      issuing_state="IRQ", valid_from=date(2026, 2, 1), valid_until=date(2026, 6, 30),
                      entries_allowed=1, max_stay_days=15)
    inspection_decide(actor=officer_a, inspection=first, decision="refuse", reason_code="C", now=at(2026, 3, 1, 9))
    again = start(officer_a, booth_a, passport(issuing_state="SYR", nationality="SYR"), now=at(2026, 3, 1, 11))
    assert again.stay_verdict["code"] == "visa" and again.stay_verdict["until"] == "2026-03-15"
    inspection_decide(actor=officer_a, inspection=again, decision="admit", now=at(2026, 3, 1, 11, 1))
    visa.refresh_from_db()
    assert visa.entries_used == 1
    assert Movement.objects.get(inspection=again).visa == visa


def test_visa_on_arrival_is_issued_with_the_admission(officer_a, booth_a, rules):
    inspection = start(officer_a, booth_a, passport(issuing_state="IRN", nationality="IRN"))
    assert inspection.stay_verdict["code"] == "visa_on_arrival"
    inspection_decide(actor=officer_a, inspection=inspection, decision="admit", now=at(2026, 3, 1, 10, 1))
    visa = Visa.objects.get(person=inspection.person)
    assert (visa.category, visa.valid_from, visa.valid_until) == ("visa_on_arrival", date(2026, 3, 1), date(2026, 3, 30))
    assert Movement.objects.get().visa == visa


def enter_and_exit(officer, booth, entry_day, exit_day, mrz=None):
    mrz = mrz or passport()
    inspection = start(officer, booth, mrz, now=entry_day)
    inspection_decide(actor=officer, inspection=inspection, decision="admit", now=entry_day + timedelta(seconds=5))
    if exit_day is None:
        return inspection, None
    leaving = start(officer, booth, mrz, direction="exit", now=exit_day)
    inspection_decide(actor=officer, inspection=leaving, decision="admit", now=exit_day + timedelta(seconds=5))
    return inspection, leaving


def test_exit_computes_the_stay_and_flags_an_overstay(officer_a, booth_a, rules):
    enter_and_exit(officer_a, booth_a, at(2026, 3, 1), None)
    leaving = start(officer_a, booth_a, passport(), direction="exit", now=at(2026, 4, 4))
    assert leaving.stay_verdict == {"direction": "exit", "stay_days": 35, "overstay_days": 5,
                                    "entry": "2026-03-01", "permitted_until": "2026-03-30"}
    inspection_decide(actor=officer_a, inspection=leaving, decision="admit", now=at(2026, 4, 4, 10, 1))
    movement = Movement.objects.get(inspection=leaving)
    assert (movement.stay_days, movement.overstay_days) == (35, 5)


def test_entry_without_exit_of_the_last_stay_is_noted(officer_a, booth_a, rules):
    enter_and_exit(officer_a, booth_a, at(2026, 3, 1), None)
    again = start(officer_a, booth_a, passport(), now=at(2026, 4, 4))
    assert again.stay_verdict["notes"] == [
        "previous entry on 2026-03-01 has no recorded exit",
        "that stay was permitted until 2026-03-30: overstay of 5 days",
    ]


def test_stay_within_the_permitted_period_is_not_an_overstay(officer_a, booth_a, rules):
    _entry, leaving = enter_and_exit(officer_a, booth_a, at(2026, 3, 1), at(2026, 3, 30))
    movement = Movement.objects.get(inspection=leaving)
    assert (movement.stay_days, movement.overstay_days) == (30, 0)


def test_days_already_stayed_in_the_period_shorten_the_next_stay(officer_a, booth_a, rules):
    enter_and_exit(officer_a, booth_a, at(2026, 1, 1), at(2026, 1, 20))  # 20 days used
    inspection = start(officer_a, booth_a, passport(), now=at(2026, 3, 1))
    assert inspection.stay_verdict["days_used"] == 20
    assert inspection.stay_verdict["until"] == "2026-03-10"  # 10 days left of 30 in 180
    enter_and_exit(officer_a, booth_a, at(2026, 3, 1, 12), at(2026, 3, 10))
    exhausted = start(officer_a, booth_a, passport(), now=at(2026, 4, 1))
    assert exhausted.stay_verdict["allowed"] is False and exhausted.stay_verdict["code"] == "stay_exhausted"
