"""Who sees which traveler, the supervisor's split, concurrency, and the overstay scan."""

import threading
from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts.permissions import Role
from accounts.tests.factories import UserFactory
from audit.models import AuditEvent
from travelers import selectors
from travelers.models import Inspection, Movement, Overstay, Person, TravelDocument
from travelers.services import inspection_decide, inspection_start, overstay_scan, person_split
from travelers.tasks import overstay_scan_task
from travelers.tests.factories import at, passport
from watchlists.services import hit_raise


def start(officer, booth, mrz, now, direction="entry"):
    return inspection_start(actor=officer, post=booth.post, booth=booth, direction=direction, mrz=mrz, now=now)


def admit(officer, inspection, now):
    return inspection_decide(actor=officer, inspection=inspection, decision="admit", now=now)


# Restricted reads ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_persons_are_visible_where_they_were_inspected(officer_a, officer_b, booth_a, booth_b, supervisor,
                                                       supervisor_a, rules):
    inspection = start(officer_a, booth_a, passport(), at(2026, 3, 1))
    admit(officer_a, inspection, at(2026, 3, 1, 10, 1))
    person = inspection.person
    assert list(Person.objects.restrict(officer_a, "view")) == [person]
    assert list(Person.objects.restrict(supervisor_a, "view")) == [person]
    assert list(Person.objects.restrict(supervisor, "view")) == [person]
    assert not Person.objects.restrict(officer_b, "view").exists()
    assert not Movement.objects.restrict(officer_b, "view").exists()
    assert not Inspection.objects.restrict(officer_b, "view").exists()
    # Once the traveler stands at officer B's booth, B sees the whole history, not just B's post.
    leaving = start(officer_b, booth_b, passport(), at(2026, 3, 10), direction="exit")
    assert list(Person.objects.restrict(officer_b, "view")) == [person]
    assert Movement.objects.restrict(officer_b, "view").count() == 1
    assert list(Inspection.objects.restrict(officer_b, "view")) == [leaving]


@pytest.mark.django_db
def test_reading_a_person_is_audited(officer_a, officer_b, booth_a, rules):
    from django.http import Http404

    person = start(officer_a, booth_a, passport(), at(2026, 3, 1)).person
    assert selectors.person_get(user=officer_a, pk=person.pk, purpose="checkpoint") == person
    event = AuditEvent.objects.filter(action="person.view").last()
    assert (event.actor_user, event.object_id, event.metadata) == (officer_a, str(person.pk), {"purpose": "checkpoint"})
    with pytest.raises(Http404):
        selectors.person_get(user=officer_b, pk=person.pk)


# Split -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_supervisor_splits_a_wrong_merge(officer_a, booth_a, supervisor_a, rules):
    first = start(officer_a, booth_a, passport(), at(2026, 3, 1))
    admit(officer_a, first, at(2026, 3, 1, 10, 1))
    # Another man with the same name, birthday and nationality: the rule links his passport.
    other = start(officer_a, booth_a, passport(document_number="K0000001"), at(2026, 3, 2))
    admit(officer_a, other, at(2026, 3, 2, 10, 1))
    assert other.person_id == first.person_id
    person = first.person
    wrong = TravelDocument.objects.get(number="K0000001")
    # a hit raised during each inspection follows its inspection's traveler
    kept_hit, _ = hit_raise(actor=None, source="face", score=0.9, threshold=0.5, matched_person_id=424242,
                            inspection_id=first.pk, person_id=person.pk)
    moved_hit, _ = hit_raise(actor=None, source="face", score=0.8, threshold=0.5, matched_person_id=434343,
                             inspection_id=other.pk, person_id=person.pk)

    new = person_split(actor=supervisor_a, person=person, document_ids=[wrong.pk], reason="two different men")
    wrong.refresh_from_db()
    assert wrong.person == new and wrong.match_rule == "split"
    assert wrong.match_detail["from_person"] == person.pk
    assert new.split_from == person
    assert list(Movement.objects.filter(person=new).values_list("inspection_id", flat=True)) == [other.pk]
    assert list(Inspection.objects.filter(person=new)) == [Inspection.objects.get(pk=other.pk)]
    assert Movement.objects.filter(person=person).count() == 1
    event = AuditEvent.objects.get(action="person.split")
    assert event.metadata["new_person_id"] == new.pk and event.metadata["reason"] == "two different men"
    assert event.metadata["moved"] == {"inspections": 1, "hits": 1, "movements": 1, "visas": 0, "overstays": 0,
                                       "identities": 1}
    assert list(new.identities.values_list("source_ref", flat=True)) == [f"document:{wrong.pk}"]
    kept_hit.refresh_from_db()
    moved_hit.refresh_from_db()
    assert kept_hit.person_id == person.pk and moved_hit.person_id == new.pk


@pytest.mark.django_db
def test_split_is_for_supervisors_and_keeps_one_document(officer_a, booth_a, supervisor_a, rules):
    first = start(officer_a, booth_a, passport(), at(2026, 3, 1))
    start(officer_a, booth_a, passport(document_number="K0000001"), at(2026, 3, 2))
    person = first.person
    ids = list(person.documents.values_list("pk", flat=True))
    with pytest.raises(PermissionDenied):
        person_split(actor=officer_a, person=person, document_ids=ids[:1], reason="x")
    with pytest.raises(ValidationError):
        person_split(actor=supervisor_a, person=person, document_ids=ids, reason="all of them")
    with pytest.raises(ValidationError):
        person_split(actor=supervisor_a, person=person, document_ids=ids[:1], reason=" ")
    other_post = UserFactory(username="sup.elsewhere", role=Role.SUPERVISOR, posts=[])
    with pytest.raises(PermissionDenied):
        person_split(actor=other_post, person=person, document_ids=ids[:1], reason="not mine")
    assert Person.objects.count() == 1 and not AuditEvent.objects.filter(action="person.split").exists()


# Concurrency: two officers, the same traveler, the same moment --------------------------------


def _race(officers, booth, mrzs, now):
    """Start one inspection per officer at the same instant, each in its own thread and
    database connection."""
    barrier = threading.Barrier(len(officers))
    errors: list[BaseException] = []

    def work(officer, mrz):
        try:
            barrier.wait(timeout=10)
            start(officer, booth, mrz, now)
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(o, m)) for o, m in zip(officers, mrzs, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_reading_the_same_passport_at_once_make_one_person(booth_a, officer_a, rules):
    second = UserFactory(username="officer.a2", role=Role.OFFICER, posts=[booth_a.post])
    for round_ in range(6):
        mrz = passport(document_number=f"R{round_:07d}", secondary_identifier=f"ROUND {'X' * (round_ + 1)}")
        _race([officer_a, second], booth_a, [mrz, mrz], at(2026, 3, 1, 10, round_))
    assert Person.objects.count() == 6
    assert TravelDocument.objects.count() == 6
    assert Inspection.objects.count() == 12
    for person in Person.objects.all():
        assert person.inspections.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_documents_of_one_identity_read_at_once_make_one_person(booth_a, officer_a, rules):
    second = UserFactory(username="officer.a2", role=Role.OFFICER, posts=[booth_a.post])
    for round_ in range(6):
        name = f"TWIN {'Y' * (round_ + 1)}"
        mrzs = [passport(document_number=f"A{round_:07d}", secondary_identifier=name),
                passport(document_code="ID", document_number=f"B{round_:07d}", secondary_identifier=name,
                         fmt="TD1")]
        _race([officer_a, second], booth_a, mrzs, at(2026, 3, 1, 11, round_))
    assert Person.objects.count() == 6
    assert TravelDocument.objects.count() == 12
    rules_used = sorted(TravelDocument.objects.values_list("match_rule", flat=True))
    assert rules_used == ["biographic"] * 6 + ["new"] * 6


# Overstays (fixed clocks) ------------------------------------------------------------------


@pytest.mark.django_db
def test_overstay_scan_lists_persons_whose_stay_ended_without_exit(officer_a, booth_a, rules):
    stays = start(officer_a, booth_a, passport(), at(2026, 3, 1))  # permitted until 30 March
    admit(officer_a, stays, at(2026, 3, 1, 10, 1))
    left = start(officer_a, booth_a, passport(document_number="Z0000002", secondary_identifier="KARIM"), at(2026, 3, 1))
    admit(officer_a, left, at(2026, 3, 1, 10, 2))
    out = start(officer_a, booth_a, passport(document_number="Z0000002", secondary_identifier="KARIM"),
                at(2026, 3, 20), direction="exit")
    admit(officer_a, out, at(2026, 3, 20, 10, 1))
    national = start(officer_a, booth_a, passport(issuing_state="IRQ", nationality="IRQ", document_number="I0000003",
                                                  secondary_identifier="ALI"), at(2026, 3, 1))
    admit(officer_a, national, at(2026, 3, 1, 10, 3))

    assert overstay_scan(today=date(2026, 3, 30)) == []  # the last permitted day
    found = overstay_scan(today=date(2026, 3, 31))
    assert [(o.person, o.permitted_until) for o in found] == [(stays.person, date(2026, 3, 30))]
    assert overstay_scan(today=date(2026, 4, 2)) == []  # already listed
    assert list(selectors.overstays_open(user=officer_a)) == found
    assert AuditEvent.objects.filter(action="overstay.detect").count() == 1

    # The exit closes it, and the exit movement carries the overstay.
    leaving = start(officer_a, booth_a, passport(), at(2026, 4, 3), direction="exit")
    admit(officer_a, leaving, at(2026, 4, 3, 10, 1))
    overstay = Overstay.objects.get()
    assert overstay.resolved_at is not None and overstay.exit.inspection_id == leaving.pk
    assert overstay.exit.overstay_days == 4
    assert list(selectors.overstays_open(user=officer_a)) == []


@pytest.mark.django_db
def test_overstay_task_runs_the_scan_and_is_scheduled(officer_a, booth_a, rules):
    inspection = start(officer_a, booth_a, passport(), at(2020, 3, 1))
    admit(officer_a, inspection, at(2020, 3, 1, 10, 1))
    result = overstay_scan_task.delay().get()
    assert result == {"new_overstays": 1}
    entry = settings.CELERY_BEAT_SCHEDULE["travelers-overstay-scan"]
    assert entry["task"] == overstay_scan_task.name == "travelers.overstay_scan"


# The recent-travelers provider for re-screening -------------------------------------------


@pytest.mark.django_db
def test_recent_travelers_lists_persons_who_crossed_in_the_window(officer_a, booth_a, rules):
    from travelers.providers import recent_travelers

    early = start(officer_a, booth_a, passport(document_number="E0000001", secondary_identifier="EARLY"),
                  at(2026, 2, 1))
    admit(officer_a, early, at(2026, 2, 1, 10, 1))
    recent = start(officer_a, booth_a, passport(issuing_state="IRQ", nationality="IRQ", primary_identifier="MXHMWD",
                                                secondary_identifier="XHSN"), at(2026, 3, 5))
    inspection_decide(actor=officer_a, inspection=recent, decision="refuse", reason_code="A", now=at(2026, 3, 5, 10, 1))
    start(officer_a, booth_a, passport(document_number="O0000003", secondary_identifier="OPEN"), at(2026, 3, 6))

    found = recent_travelers(at(2026, 3, 1, 0, 0))
    assert [p["person_id"] for p in found] == [recent.person_id]  # undecided inspections are no movement
    row = found[0]
    assert row["names"] == ["MXHMWD XHSN", "MAHMUD HASAN"]
    assert (row["date_of_birth"], row["nationality"], row["gender"]) == ("1980-05-17", "IRQ", "M")
    assert row["document_numbers"] == ["N1234567"]
    assert (row["inspection_id"], row["post_id"]) == (recent.pk, booth_a.post_id)
    assert row["last_movement_at"] == at(2026, 3, 5, 10, 1)
    assert [p["person_id"] for p in recent_travelers(at(2026, 1, 1), until=at(2026, 3, 1))] == [early.person_id]
