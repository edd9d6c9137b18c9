"""Deduplication when a traveler's face is enrolled at a checkpoint (the biometrics app saves the
template; travelers listens, without biometrics importing travelers)."""

import pytest

from biometrics.abis import BiometricData, InsertRequest, abis
from biometrics.services.face import face_capture
from biometrics.tests.face.conftest import read_fixture
from travelers.models import CandidateSource, IdentityCandidate, IdentitySource
from travelers.person_index import person_index
from travelers.services.identity import DeclaredIdentity, person_register

pytestmark = [pytest.mark.django_db, pytest.mark.shared_data]


@pytest.fixture(autouse=True)
def _fresh(settings):
    settings.BMIS_PERSON_INDEX_REFRESH_SECONDS = 0
    settings.BMIS_DEDUPE_ON_ENROLMENT = True
    person_index().clear()
    yield
    person_index().clear()


def test_a_face_enrolled_at_the_checkpoint_finds_the_earlier_registration(officer_a, post_a,
                                                                           django_capture_on_commit_callbacks):
    registered = person_register(actor=officer_a, post=post_a, source=IdentitySource.DECLARED,
                                 identity=DeclaredIdentity(primary_identifier="حداد", secondary_identifier="يوسف",
                                                           birth_year=1985, nationality="SYR", sex="M"))
    assert abis().insert(InsertRequest(f"person:{registered.pk}", BiometricData(face=read_fixture("img1.jpg")))).ok
    traveler = person_register(actor=officer_a, post=post_a, source=IdentitySource.DOCUMENT,
                               identity=DeclaredIdentity(primary_identifier="HADDAD", secondary_identifier="YOUSSEF",
                                                         birth_year=1985, birth_month=4, birth_day=2,
                                                         nationality="SYR", sex="M"))
    with django_capture_on_commit_callbacks(execute=True):
        result = face_capture(actor=officer_a, data=read_fixture("img2.jpg"), purpose="enrolment",
                              source="upload", person_id=traveler.pk, post=post_a)
    assert result.accepted
    cand = IdentityCandidate.objects.get()
    assert (cand.person_id, cand.other_id, cand.source) == (traveler.pk, registered.pk, CandidateSource.CHECKPOINT)
    assert {m["modality"] for m in cand.explanation["fusion"]["modalities"]} == {"name", "face"}


def test_without_a_broker_the_hook_is_off_by_default(officer_a, post_a, settings, django_capture_on_commit_callbacks):
    del settings.BMIS_DEDUPE_ON_ENROLMENT
    traveler = person_register(actor=officer_a, post=post_a, source=IdentitySource.DOCUMENT,
                               identity=DeclaredIdentity(primary_identifier="HADDAD", birth_year=1985))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        face_capture(actor=officer_a, data=read_fixture("img2.jpg"), purpose="enrolment", source="upload",
                     person_id=traveler.pk, post=post_a)
    assert not any("dedupe" in repr(c) for c in callbacks)
    assert not IdentityCandidate.objects.exists()
