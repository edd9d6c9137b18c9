"""The biometrics factories build valid rows (the other tests rely on them)."""

from __future__ import annotations

import pytest

from biometrics.fingerprint.template import deserialize
from biometrics.tests.factories import (
    FaceImageFactory,
    FaceTemplateFactory,
    FingerprintCaptureFactory,
    FingerprintImpressionFactory,
)

pytestmark = pytest.mark.django_db


def test_face_rows():
    template = FaceTemplateFactory()
    template.image.full_clean()
    assert template.embedding.shape == (128,) and template.person_id == template.image.person_id
    assert FaceImageFactory().sha256 != "" and FaceTemplateFactory().vector != template.vector


def test_fingerprint_rows():
    capture = FingerprintCaptureFactory()
    right_thumb = FingerprintImpressionFactory(capture=capture, position=1)
    right_index = FingerprintImpressionFactory(capture=capture, position=2)
    capture.full_clean(exclude=["captured_by"])  # a system import has no officer
    for imp in (right_thumb, right_index):
        assert imp.person_id == capture.person_id
        assert len(deserialize(bytes(imp.template)).minutiae) == imp.minutiae_count >= 10
