"""Identities, registration without a document, merge and unmerge of persons (issue 15): a merge
moves every row naming the source to the target; unmerge restores exactly those rows (by id)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from biometrics.abis import BiometricData, Finger, IdentifyRequest, InsertRequest, abis
from biometrics.models import AbisReference, FaceImage, FaceTemplate, FingerprintImpression
from biometrics.services.face_index import reset_registries
from biometrics.services.fingerprint import fingerprint_gallery_reset
from biometrics.tests.face.conftest import read_fixture
from biometrics.tests.fingerprint.helpers import raw
from travelers.hooks import _merge_participants, register_merge_participant
from travelers.models import (
    IdentitySource,
    Inspection,
    Movement,
    Person,
    PersonIdentity,
    PersonMerge,
    TravelDocument,
    Visa,
)
from travelers.services import inspection_decide, inspection_start, visa_issue
from travelers.services.identity import DeclaredIdentity, identity_add, person_merge, person_register, person_unmerge
from travelers.tests.factories import at, passport
from watchlists.models import Hit
from watchlists.services import hit_raise

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_galleries():
    reset_registries()
    fingerprint_gallery_reset()
    yield
    reset_registries()
    fingerprint_gallery_reset()


def visit(officer, booth, now, **mrz):
    inspection = inspection_start(actor=officer, post=booth.post, booth=booth, direction="entry",
                                  mrz=passport(**mrz), now=now)
    inspection_decide(actor=officer, inspection=inspection, decision="admit", notes="checked", now=at(now.year, now.month, now.day,
                                                                                     11))
    return inspection


def ids(qs):
    return sorted(qs.values_list("pk", flat=True))


def snapshot(person_id):
    return {
        "documents": ids(TravelDocument.objects.filter(person_id=person_id)),
        "inspections": ids(Inspection.objects.filter(person_id=person_id)),
        "movements": ids(Movement.objects.filter(person_id=person_id)),
        "visas": ids(Visa.objects.filter(person_id=person_id)),
        "identities": ids(PersonIdentity.objects.filter(person_id=person_id)),
        "hits": ids(Hit.objects.filter(person_id=person_id)),
        "matched_hits": ids(Hit.objects.filter(matched_person_id=person_id)),
        "face_images": ids(FaceImage.objects.filter(person_id=person_id)),
        "face_templates": ids(FaceTemplate.objects.filter(person_id=person_id)),
        "impressions": ids(FingerprintImpression.objects.filter(person_id=person_id)),
        "active_fingers": sorted(FingerprintImpression.objects.filter(person_id=person_id, is_active=True)
                                 .values_list("pk", "position")),
    }


def test_a_read_document_records_its_identity(officer_a, booth_a, rules):
    inspection = visit(officer_a, booth_a, at(2026, 3, 1))
    identity = PersonIdentity.objects.get(person=inspection.person)
    assert identity.source == IdentitySource.DOCUMENT
    assert identity.source_ref == f"document:{inspection.document_id}"
    assert identity.post == booth_a.post and identity.recorded_by == officer_a
    assert identity.birth_precision == "exact"
    # Read again: no second identity for the same document.
    visit(officer_a, booth_a, at(2026, 4, 1))
    assert PersonIdentity.objects.filter(person=inspection.person).count() == 1


def test_person_register_and_identity_add(officer_a, post_a):
    person = person_register(
        actor=officer_a, post=post_a, place="sector 4", source=IdentitySource.DECLARED,
        identity=DeclaredIdentity(primary_identifier="HASSAN", secondary_identifier="ALI", name_original="حسن علي",
                                  estimated_age=30, nationality="SYR", languages=("ar", "ku")),
        now=at(2026, 5, 1),
    )
    first = person.identities.get()
    assert first.birth_year == 1996 and first.birth_precision == "estimated"
    assert first.name_original == "حسن علي" and first.languages == ["ar", "ku"]
    assert AuditEvent.objects.filter(action="person.create", object_id=str(person.pk)).exists()
    second = identity_add(actor=officer_a, person=person, source=IdentitySource.DECLARED,
                          identity=DeclaredIdentity(primary_identifier="HASAN", birth_year=1995, nationality="IRQ"))
    assert second.birth_precision == "year"
    assert person.identities.count() == 2

    with pytest.raises(ValidationError) as exc:
        person_register(actor=officer_a, source="declared", identity=DeclaredIdentity(primary_identifier="X",
                                                                                      estimated_age=200))
    assert "estimated_age" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        person_register(actor=officer_a, source="declared",
                        identity=DeclaredIdentity(primary_identifier="X", birth_year=1990, birth_month=2,
                                                  birth_day=30))
    assert "birth_day" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        person_register(actor=officer_a, source="declared", identity=DeclaredIdentity(primary_identifier=" "))
    assert "primary_identifier" in exc.value.message_dict


def test_registered_persons_are_visible_at_the_registering_post(officer_a, officer_b, post_a, supervisor):
    person = person_register(actor=officer_a, post=post_a, source="registration", source_ref="registration:1",
                             identity=DeclaredIdentity(primary_identifier="NOUR"))
    assert list(Person.objects.restrict(officer_a, "view")) == [person]
    assert list(Person.objects.restrict(officer_b, "view")) == []
    assert person in Person.objects.restrict(supervisor, "view")


@pytest.mark.shared_data
def test_merge_moves_everything_and_unmerge_restores_it_by_id(officer_a, booth_a, supervisor_a, officer_b, rules):
    # The source: a passport as KARIM, a visa, two hits, a face and two fingers through the ABIS.
    s_insp = visit(officer_a, booth_a, at(2026, 3, 1), document_number="S1111111", primary_identifier="KARIM")
    source = s_insp.person
    visa_issue(actor=supervisor_a, person=source, category="visa", number="V1", issuing_state="IRQ",
               valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31))
    # The target: another passport, as KARIM MAHMOUD, with its own finger at position 2.
    t_insp = visit(officer_a, booth_a, at(2026, 3, 2), document_number="T2222222", primary_identifier="MAHMOUD")
    target = t_insp.person
    assert source != target
    hit_raise(actor=None, source="face", score=0.9, threshold=0.5, matched_person_id=target.pk,
              inspection_id=s_insp.pk, person_id=source.pk)
    hit_raise(actor=None, source="face", score=0.9, threshold=0.5, matched_person_id=source.pk,
              inspection_id=t_insp.pk, person_id=target.pk)
    assert abis().insert(InsertRequest(f"person:{source.pk}", BiometricData(
        face=read_fixture("img10.jpg"), face_source="device",
        fingers=(Finger(2, raw("db1_101_1.tif")), Finger(3, raw("db1_102_1.tif")))))).ok
    assert abis().insert(InsertRequest(f"person:{target.pk}", BiometricData(
        fingers=(Finger(2, raw("db1_103_1.tif")),)))).ok
    before_source, before_target = snapshot(source.pk), snapshot(target.pk)
    assert before_source["face_templates"] and len(before_source["active_fingers"]) == 2

    merge = person_merge(actor=supervisor_a, source=source, target=target, reason="same face and fingers")

    source.refresh_from_db()
    assert source.merged_into == target
    after = snapshot(target.pk)
    for kind in ("documents", "inspections", "movements", "visas", "identities", "hits", "face_images",
                 "face_templates", "impressions"):
        assert after[kind] == sorted(before_source[kind] + before_target[kind]), kind
    assert after["matched_hits"] == sorted(before_source["matched_hits"] + before_target["matched_hits"])
    assert not any(snapshot(source.pk)[k] for k in ("documents", "inspections", "movements", "identities",
                                                     "face_images", "impressions"))
    # One active finger per position: the target's own finger 2 stays, the source's is deactivated.
    assert sorted(pos for _pk, pos in after["active_fingers"]) == [2, 3]
    assert dict((pos, pk) for pk, pos in after["active_fingers"])[2] == before_target["active_fingers"][0][0]
    assert merge.moved["biometrics"]["fingerprint_impressions_deactivated"] == [
        pk for pk, pos in before_source["active_fingers"] if pos == 2]
    # The source's biometric reference is now the survivor's... the target had one: deactivated.
    assert not AbisReference.objects.get(reference_id=f"person:{source.pk}").is_active
    assert AuditEvent.objects.filter(action="person.merge", object_id=str(source.pk)).exists()

    # The source's finger 3 (kept active) finds the target now.
    by_finger = abis().identify(IdentifyRequest(probe=BiometricData(fingers=(Finger(3, raw("db1_102_2.tif")),))))
    assert [c.reference_id for c in by_finger.candidates][:1] == [f"person:{target.pk}"]
    # The source's face finds the target now.
    found = abis().identify(IdentifyRequest(probe=BiometricData(face=read_fixture("img2.jpg"), face_source="device")))
    assert [c.reference_id for c in found.candidates][:1] == [f"person:{target.pk}"]

    # Later, a new inspection of the target: it stays with the target on unmerge.
    later = visit(officer_a, booth_a, at(2026, 6, 1), document_number="T2222222", primary_identifier="MAHMOUD")
    assert later.person_id == target.pk

    restored = person_unmerge(actor=supervisor_a, merge=merge, reason="the fingers were misfiled")
    assert restored.pk == source.pk and restored.merged_into is None
    now_source, now_target = snapshot(source.pk), snapshot(target.pk)
    assert now_source == before_source
    assert now_target["inspections"] == sorted(before_target["inspections"] + [later.pk])
    assert {k: v for k, v in now_target.items() if k not in ("inspections", "movements")} == {
        k: v for k, v in before_target.items() if k not in ("inspections", "movements")}
    assert AbisReference.objects.get(reference_id=f"person:{source.pk}").is_active
    merge.refresh_from_db()
    assert merge.reverted_by == supervisor_a and merge.revert_reason == "the fingers were misfiled"
    assert AuditEvent.objects.filter(action="person.unmerge", object_id=str(source.pk)).exists()
    found = abis().identify(IdentifyRequest(probe=BiometricData(face=read_fixture("img2.jpg"), face_source="device")))
    assert [c.reference_id for c in found.candidates][:1] == [f"person:{source.pk}"]
    by_finger = abis().identify(IdentifyRequest(probe=BiometricData(fingers=(Finger(3, raw("db1_102_2.tif")),))))
    assert [c.reference_id for c in by_finger.candidates][:1] == [f"person:{source.pk}"]

    with pytest.raises(ValidationError) as exc:
        person_unmerge(actor=supervisor_a, merge=merge, reason="again")
    assert "merge" in exc.value.message_dict


@pytest.mark.shared_data
def test_a_reference_is_renamed_when_the_target_has_none(supervisor, officer_a, post_a):
    source = person_register(actor=officer_a, post=post_a, source="declared",
                             identity=DeclaredIdentity(primary_identifier="AHMAD"))
    target = person_register(actor=officer_a, post=post_a, source="declared",
                             identity=DeclaredIdentity(primary_identifier="AHMED"))
    assert abis().insert(InsertRequest(f"person:{source.pk}", BiometricData(
        face=read_fixture("img10.jpg"), face_source="device"))).ok
    merge = person_merge(actor=supervisor, source=source, target=target, reason="same face")
    assert AbisReference.objects.filter(reference_id=f"person:{target.pk}", is_active=True).exists()
    assert not AbisReference.objects.filter(reference_id=f"person:{source.pk}").exists()
    by_ref = abis().identify(IdentifyRequest(reference_id=f"person:{target.pk}"))
    assert by_ref.ok
    person_unmerge(actor=supervisor, merge=merge, reason="wrong")
    assert AbisReference.objects.filter(reference_id=f"person:{source.pk}", is_active=True).exists()
    assert not AbisReference.objects.filter(reference_id=f"person:{target.pk}").exists()
    assert FaceImage.objects.filter(person_id=source.pk, reference_id=f"person:{source.pk}").count() == 1


def test_merge_refuses_bad_input_and_officers(officer_a, supervisor_a, post_a):
    one = person_register(actor=officer_a, post=post_a, source="declared", identity=DeclaredIdentity("A"))
    two = person_register(actor=officer_a, post=post_a, source="declared", identity=DeclaredIdentity("B"))
    three = person_register(actor=officer_a, post=post_a, source="declared", identity=DeclaredIdentity("C"))
    with pytest.raises(PermissionDenied):
        person_merge(actor=officer_a, source=one, target=two, reason="same")
    with pytest.raises(ValidationError) as exc:
        person_merge(actor=supervisor_a, source=one, target=one, reason="same")
    assert "target" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        person_merge(actor=supervisor_a, source=one, target=two, reason=" ")
    assert "reason" in exc.value.message_dict
    person_merge(actor=supervisor_a, source=one, target=two, reason="same")
    with pytest.raises(ValidationError) as exc:
        person_merge(actor=supervisor_a, source=three, target=one, reason="same")
    assert "target" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        person_merge(actor=supervisor_a, source=one, target=three, reason="same")
    assert "source" in exc.value.message_dict
    assert PersonMerge.objects.count() == 1


def test_merge_participants_move_and_restore(officer_a, supervisor_a, post_a):
    rows = {}

    def move(source_id, target_id):
        mine = [k for k, v in rows.items() if v == source_id]
        for k in mine:
            rows[k] = target_id
        return mine

    def restore(moved, source_id):
        for k in moved:
            rows[k] = source_id

    register_merge_participant("test_rows", move, restore)
    try:
        one = person_register(actor=officer_a, post=post_a, source="declared", identity=DeclaredIdentity("A"))
        two = person_register(actor=officer_a, post=post_a, source="declared", identity=DeclaredIdentity("B"))
        rows.update({1: one.pk, 2: two.pk, 3: one.pk})
        merge = person_merge(actor=supervisor_a, source=one, target=two, reason="same")
        assert merge.moved["test_rows"] == [1, 3] and set(rows.values()) == {two.pk}
        rows[4] = two.pk  # added after the merge: stays with the target
        person_unmerge(actor=supervisor_a, merge=merge, reason="not the same")
        assert rows == {1: one.pk, 2: two.pk, 3: one.pk, 4: two.pk}
    finally:
        _merge_participants.pop("test_rows", None)


def test_a_merged_away_person_is_not_matched_again(officer_a, booth_a, supervisor_a, rules):
    first = visit(officer_a, booth_a, at(2026, 3, 1), document_number="A1111111")
    second = person_register(actor=officer_a, post=booth_a.post, source="declared",
                             identity=DeclaredIdentity("OTHER"))
    person_merge(actor=supervisor_a, source=first.person, target=second, reason="same")
    # Same biography, another passport: the biographic rule finds the survivor, not the tombstone.
    again = visit(officer_a, booth_a, at(2026, 4, 1), document_number="A2222222")
    assert again.person_id == second.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_supervisors_merging_a_pair_both_ways_at_once_make_one_merge(officer_a, post_a, supervisor_a, supervisor):
    import threading

    from django.db import connection

    outcomes = []
    for round_ in range(4):
        one = person_register(actor=officer_a, post=post_a, source="declared", identity=DeclaredIdentity(f"A{round_}"))
        two = person_register(actor=officer_a, post=post_a, source="declared", identity=DeclaredIdentity(f"B{round_}"))
        barrier = threading.Barrier(2)

        def work(actor, source, target, barrier):
            try:
                barrier.wait(timeout=10)
                person_merge(actor=actor, source=source, target=target, reason="same")
                outcomes.append("merged")
            except ValidationError as exc:
                outcomes.append(sorted(exc.message_dict))
            finally:
                connection.close()

        threads = [threading.Thread(target=work, args=(supervisor_a, one, two, barrier)),
                   threading.Thread(target=work, args=(supervisor, two, one, barrier))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert PersonMerge.objects.filter(source__in=[one, two]).count() == 1
        merged = Person.objects.filter(pk__in=[one.pk, two.pk], merged_into__isnull=False)
        assert merged.count() == 1
    assert outcomes.count("merged") == 4 and len(outcomes) == 8
    assert all(o == "merged" or o in (["source"], ["target"]) for o in outcomes)
