"""Quality checks on real photographs, and their coaching messages."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageEnhance, ImageFilter

from biometrics.face.embedding import DetectedFace
from biometrics.face.pipeline import analyse
from biometrics.face.quality import DOCUMENT_POLICY, LIVE_POLICY, assess, measure
from biometrics.tests.face.conftest import read_fixture


def _jpeg(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=92)
    return buf.getvalue()


@pytest.fixture(scope="module")
def portrait() -> Image.Image:
    return Image.open(io.BytesIO(read_fixture("img10.jpg"))).convert("RGB")


def _codes(analysis) -> list[str]:
    return [i.code for i in analysis.quality.issues]


def test_good_frontal_portraits_are_accepted(model):
    for name in ("img10.jpg", "img5.jpg", "img12.jpg"):
        a = analyse(read_fixture(name), model=model)
        assert a.quality.accepted, (name, a.quality.message)
        assert a.embedding is not None and a.embedding.shape == (128,)
        assert a.quality.message == "Face accepted."


def test_couple_two_faces(model, deepface_dir):
    a = analyse((deepface_dir / "couple.jpg").read_bytes(), model=model)
    assert not a.quality.accepted
    assert a.embedding is None
    assert a.quality.face_count == 2
    assert _codes(a) == ["multiple_faces"]
    assert a.quality.issues[0].message.startswith("Two faces in view")


def test_couple_fixture_two_faces(model):
    a = analyse(read_fixture("couple-1140.jpg"), model=model)
    assert _codes(a) == ["multiple_faces"] and a.quality.face_count == 2


def test_selfie_with_many_people(model, deepface_dir):
    a = analyse((deepface_dir / "selfie-many-people.jpg").read_bytes(), model=model)
    assert not a.quality.accepted
    assert a.quality.face_count >= 3
    assert _codes(a) == ["multiple_faces"]
    assert f"{a.quality.face_count} faces in view" in a.quality.message


def test_no_face(model, portrait):
    a = analyse(_jpeg(portrait.crop((0, 300, portrait.width, portrait.height))), model=model)
    assert _codes(a) == ["no_face"]
    assert a.embedding is None
    assert "No face found" in a.quality.message


def test_face_too_small_says_step_closer(model, portrait):
    small = portrait.resize((portrait.width // 3, portrait.height // 3), Image.Resampling.LANCZOS)
    a = analyse(_jpeg(small), model=model)
    assert "face_too_small" in _codes(a)
    issue = next(i for i in a.quality.issues if i.code == "face_too_small")
    assert "step closer" in issue.message
    assert issue.value < LIVE_POLICY.min_inter_eye_px


def test_document_policy_accepts_smaller_face(model, portrait):
    half = _jpeg(portrait.resize((portrait.width // 2, portrait.height // 2), Image.Resampling.LANCZOS))
    assert "face_too_small" in _codes(analyse(half, model=model))
    assert analyse(half, model=model, policy=DOCUMENT_POLICY).quality.accepted


def test_blurred_capture(model, portrait):
    a = analyse(_jpeg(portrait.filter(ImageFilter.GaussianBlur(4))), model=model)
    assert "too_blurry" in _codes(a)
    assert "not sharp" in a.quality.message
    assert a.embedding is None


def test_dark_capture(model, portrait):
    a = analyse(_jpeg(ImageEnhance.Brightness(portrait).enhance(0.25)), model=model)
    assert "too_dark" in _codes(a)
    assert "too dark" in a.quality.message


def test_overexposed_capture(model, portrait):
    a = analyse(_jpeg(ImageEnhance.Brightness(portrait).enhance(2.2)), model=model)
    assert "too_bright" in _codes(a)


@pytest.mark.parametrize("angle", [25, -22])
def test_tilted_head(model, portrait, angle):
    rotated = portrait.rotate(angle, expand=True, fillcolor=(128, 128, 128))
    a = analyse(_jpeg(rotated), model=model)
    assert _codes(a) == ["head_tilted"]
    assert abs(a.quality.metrics["roll_deg"]) == pytest.approx(abs(angle), abs=4)


def test_turned_head(model, deepface_dir):
    # img61: a three-quarter view.
    a = analyse((deepface_dir / "img61.jpg").read_bytes(), model=model)
    assert "head_turned" in _codes(a)
    assert "look straight at the camera" in a.quality.message


def test_face_cut_off_at_border(model, portrait):
    a = analyse(_jpeg(portrait.crop((150, 0, portrait.width, portrait.height))), model=model)
    assert "face_cut_off" in _codes(a)


def _face(nose_y: float, nose_x: float = 50.0) -> DetectedFace:
    # Eyes 40 px apart at y=40, mouth at y=100; nose tip placed as given.
    return DetectedFace(
        box=(10, 10, 90, 120),
        left_eye=(30.0, 40.0),
        right_eye=(70.0, 40.0),
        nose_tip=(nose_x, nose_y),
        mouth_left=(38.0, 100.0),
        mouth_right=(62.0, 100.0),
    )


def test_pitch_geometry():
    import numpy as np

    pixels = np.full((130, 100, 3), 128, dtype=np.uint8)
    assert measure(pixels, _face(70))["pitch_ratio"] == pytest.approx(0.5)
    up = assess(pixels, [_face(55)])
    assert "head_up_down" in [i.code for i in up.issues]
    assert "tilted up" in up.message
    down = assess(pixels, [_face(95)])
    assert "tilted down" in down.message
    turned = assess(pixels, [_face(70, nose_x=62)])
    assert "head_turned" in [i.code for i in turned.issues]


def test_report_serialises(model):
    a = analyse(read_fixture("img12.jpg"), model=model)
    d = a.quality.as_dict()
    assert d["accepted"] is True and d["face_count"] == 1
    assert set(d["metrics"]) >= {"inter_eye_px", "sharpness", "brightness", "roll_deg", "yaw_offset"}
