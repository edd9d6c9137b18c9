"""factory_boy factories of the biometrics models.

Faces: ``FaceImageFactory`` stores a small generated JPEG (no face: for permission, retention and
listing tests) or, with ``jpeg_from=<path>``, the JPEG of a real photograph (read from the shared
data set by the caller: nothing third-party lives in the repository); ``FaceTemplateFactory`` a
random unit vector of the current model's shape. Fingerprints: ``FingerprintCaptureFactory`` and
``FingerprintImpressionFactory`` hold a synthetic minutia template (``biometrics.fingerprint
.synthetic``), enough for the gallery and matching code without an image."""

from __future__ import annotations

import io
from datetime import timedelta

import factory
import numpy as np
from django.utils import timezone

from biometrics.models.face import PERSONS_GALLERY, FaceImage, FacePurpose, FaceSource, FaceTemplate
from biometrics.models.fingerprint import (
    FingerprintCapture,
    FingerprintImpression,
    FingerprintPurpose,
    ImpressionType,
    SubjectKind,
)

FACE_MODEL = ("dlib-resnet-v1", "test")
FACE_DIMENSION = 128


def _grey_jpeg(width: int = 120, height: int = 160) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (128, 120, 110)).save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def _jpeg_of(path) -> tuple[bytes, int, int]:
    from biometrics.face.images import encode_jpeg, load_image

    loaded = load_image(path.read_bytes(), max_side=1600)
    return encode_jpeg(loaded.pixels, quality=92), loaded.width, loaded.height


class FaceImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaceImage
        exclude = ("jpeg_from", "_data")

    jpeg_from = None  # a path to a photograph to store instead of the plain grey image
    _data = factory.LazyAttribute(lambda o: _jpeg_of(o.jpeg_from) if o.jpeg_from else (_grey_jpeg(), 120, 160))
    purpose = FacePurpose.ENROLMENT
    source = FaceSource.UPLOAD
    person_id = factory.Sequence(lambda n: 100_000 + n)
    jpeg = factory.LazyAttribute(lambda o: o._data[0])
    width = factory.LazyAttribute(lambda o: o._data[1])
    height = factory.LazyAttribute(lambda o: o._data[2])
    sha256 = factory.LazyAttribute(lambda o: __import__("hashlib").sha256(o._data[0]).hexdigest())
    quality = factory.LazyFunction(lambda: {"accepted": True, "face_count": 1, "issues": [], "metrics": {},
                                            "message": "Face accepted.", "policy": "photo"})
    retain_until = factory.LazyFunction(lambda: timezone.now() + timedelta(days=90))


def _unit_vector(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    v = rng.normal(size=FACE_DIMENSION).astype("<f4")
    return (v / np.linalg.norm(v) * 0.6).astype("<f4").tobytes()


class FaceTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaceTemplate

    image = factory.SubFactory(FaceImageFactory)
    model_name, model_version = FACE_MODEL
    dimension = FACE_DIMENSION
    vector = factory.Sequence(_unit_vector)
    gallery = PERSONS_GALLERY
    person_id = factory.SelfAttribute("image.person_id")


def _synthetic_template(seed: int) -> tuple[bytes, int]:
    from biometrics.fingerprint.synthetic import synthetic_minutiae
    from biometrics.fingerprint.template import Template, serialize

    minutiae = synthetic_minutiae(np.random.default_rng(seed))
    return serialize(Template(minutiae=minutiae)), len(minutiae)


class FingerprintCaptureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FingerprintCapture

    subject_kind = SubjectKind.TRAVELER
    person_id = factory.Sequence(lambda n: 200_000 + n)
    source = "upload"
    purpose = FingerprintPurpose.BORDER_CONTROL
    retention_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))


class FingerprintImpressionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FingerprintImpression
        exclude = ("_template",)

    capture = factory.SubFactory(FingerprintCaptureFactory)
    subject_kind = factory.SelfAttribute("capture.subject_kind")
    person_id = factory.SelfAttribute("capture.person_id")
    person_entry = factory.SelfAttribute("capture.person_entry")
    post = factory.SelfAttribute("capture.post")
    position = 1
    impression_type = ImpressionType.PLAIN
    _template = factory.Sequence(_synthetic_template)
    image_png = b""
    width = 400
    height = 400
    source_format = "PNG"
    source_dpi = 500.0
    dpi_source = "default"
    quality_score = 70
    quality_report = factory.LazyFunction(lambda: {"coaching": []})
    minutiae_count = factory.LazyAttribute(lambda o: o._template[1])
    template = factory.LazyAttribute(lambda o: o._template[0])
    extractor_version = "mindtct/test"
    matcher_version = "mcc/1"
    purpose = factory.SelfAttribute("capture.purpose")
    retention_until = factory.SelfAttribute("capture.retention_until")
