"""A capture's face is detected once: the location found by the quality check is stored with the
image and the encoding uses it (issue 13, item 7)."""

from __future__ import annotations

import numpy as np
import pytest

from biometrics.face.embedding import DetectedFace, get_model
from biometrics.face.images import load_image
from biometrics.models.face import FacePurpose, FaceSource
from biometrics.services import face as services
from biometrics.tests.factories import FaceImageFactory

pytestmark = pytest.mark.django_db


def test_location_round_trips():
    face = DetectedFace(box=(10, 20, 110, 140), left_eye=(40.5, 60.25), right_eye=(80.0, 61.0),
                        nose_tip=(60.0, 90.0), mouth_left=(45.0, 110.0), mouth_right=(75.0, 111.0))
    again = DetectedFace.from_location(face.as_location())
    assert again.box == face.box and again.left_eye == face.left_eye and again.mouth_right == face.mouth_right


def test_capture_stores_the_location_and_encoding_does_not_detect(deepface_dir, monkeypatch):
    data = (deepface_dir / "img1.jpg").read_bytes()  # 2.3 MP: stored downscaled to 1600 px
    result = services.face_capture(actor=None, data=data, purpose=FacePurpose.ENROLMENT, source=FaceSource.UPLOAD,
                                   person_id=7, start_matching=False)
    image = result.image
    assert image.face_location is not None and max(image.width, image.height) <= services.STORED_MAX_SIDE
    model = get_model()
    stored = load_image(bytes(image.jpeg))
    detected = model.detect(stored.pixels)[0]
    # The stored location is where detection on the stored JPEG finds the face (a few pixels apart).
    assert np.allclose(image.face_location["box"], detected.box, atol=0.05 * (detected.box[2] - detected.box[0]))

    def no_detect(*_args, **_kwargs):
        raise AssertionError("detection ran again")

    monkeypatch.setattr(type(model), "detect", no_detect)
    template = services.face_template_ensure(image=image, model=model)
    monkeypatch.undo()
    vector_detected = model.encode(stored.pixels, detected)
    assert np.linalg.norm(template.embedding - vector_detected) < 0.05  # the same face, the same template


def test_an_image_stored_without_location_is_still_encoded(deepface_dir):
    image = FaceImageFactory(jpeg_from=deepface_dir / "img10.jpg", face_location=None)
    template = services.face_template_ensure(image=image)
    assert template.dimension == 128 and template.person_id == image.person_id


def test_document_page_detects_once(deepface_dir):
    import io

    from PIL import Image

    from biometrics.face.portrait import analyse_document_page

    page = Image.new("RGB", (1250, 880), (236, 232, 220))
    portrait = Image.open(deepface_dir / "img5.jpg").convert("RGB")
    page.paste(portrait.resize((round(450 * portrait.width / portrait.height), 450)), (60, 180))
    buf = io.BytesIO()
    page.save(buf, format="JPEG", quality=90)
    model = get_model()
    calls = []

    class Counting:
        name, version, dimension = model.name, model.version, model.dimension

        def detect(self, pixels):
            calls.append(pixels.shape)
            return model.detect(pixels)

        def encode(self, pixels, face):
            return model.encode(pixels, face)

    crop, analysis = analyse_document_page(buf.getvalue(), model=Counting())
    assert len(calls) == 1  # on the page; the crop reuses the face found there
    assert analysis.accepted and analysis.embedding is not None
    # The face passed on is where detection in the crop would find it.
    again = model.detect(crop.pixels)[0]
    assert abs(analysis.face.left_eye[0] - again.left_eye[0]) < 5 and abs(analysis.face.left_eye[1] - again.left_eye[1]) < 5
