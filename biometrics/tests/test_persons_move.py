"""Moving a traveler's biometric records to another traveler (a merge of persons) and back."""

import pytest
from django.db import transaction

from biometrics.models import FaceImage, FaceTemplate, FingerprintImpression
from biometrics.services.fingerprint import fingerprint_gallery_reset
from biometrics.services.persons import biometrics_move_person, biometrics_restore_person
from biometrics.tests.factories import (
    FaceImageFactory,
    FaceTemplateFactory,
    FingerprintCaptureFactory,
    FingerprintImpressionFactory,
)

pytestmark = pytest.mark.django_db


def owned(person_id):
    return {
        "images": sorted(FaceImage.objects.filter(person_id=person_id).values_list("pk", flat=True)),
        "templates": sorted(FaceTemplate.objects.filter(person_id=person_id).values_list("pk", flat=True)),
        "impressions": sorted(FingerprintImpression.objects.filter(person_id=person_id)
                              .values_list("pk", "position", "is_active")),
    }


def test_move_and_restore_keep_one_active_finger_per_position():
    fingerprint_gallery_reset()
    FaceTemplateFactory(image=FaceImageFactory(person_id=1))
    FaceTemplateFactory(image=FaceImageFactory(person_id=2))
    src_capture = FingerprintCaptureFactory(person_id=1)
    FingerprintImpressionFactory(capture=src_capture, position=1)
    FingerprintImpressionFactory(capture=src_capture, position=2)
    FingerprintImpressionFactory(capture=FingerprintCaptureFactory(person_id=2), position=1)
    before_1, before_2 = owned(1), owned(2)

    with transaction.atomic():
        moved = biometrics_move_person(source_id=1, target_id=2)
    assert owned(1) == {"images": [], "templates": [], "impressions": []}
    active = FingerprintImpression.objects.filter(person_id=2, is_active=True)
    assert sorted(active.values_list("position", flat=True)) == [1, 2]
    assert len(moved["fingerprint_impressions_deactivated"]) == 1
    assert moved["face_images"] == before_1["images"]

    # Added to the target after the merge: stays with the target.
    late = FaceImageFactory(person_id=2)
    with transaction.atomic():
        biometrics_restore_person(moved=moved, source_id=1, target_id=2)
    assert owned(1) == before_1
    after_2 = owned(2)
    assert after_2["impressions"] == before_2["impressions"]
    assert after_2["images"] == sorted(before_2["images"] + [late.pk])


@pytest.mark.django_db(transaction=True)
def test_move_needs_the_callers_transaction():
    with pytest.raises(RuntimeError):
        biometrics_move_person(source_id=1, target_id=2)
