"""Analysis, 1:1 verification, the accuracy floor and portrait cropping."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from biometrics.face.embedding import DlibResNetModel, EmbeddingModel, get_model
from biometrics.face.images import ImageError
from biometrics.face.pipeline import (
    INCONCLUSIVE,
    MATCH,
    NO_MATCH,
    VERIFY_THRESHOLD,
    ModelMismatchError,
    analyse,
    distance,
    verify,
)
from biometrics.face.portrait import analyse_document_page
from biometrics.tests.face.conftest import photo_page, read_fixture


@pytest.fixture(scope="module")
def jolie_a(model):
    return analyse(read_fixture("img5.jpg"), model=model)


@pytest.fixture(scope="module")
def jolie_b(model):
    return analyse(read_fixture("img10.jpg"), model=model)


@pytest.fixture(scope="module")
def other(model):
    return analyse(read_fixture("img12.jpg"), model=model)


def test_model_identity(model):
    assert model.name == "dlib-resnet-v1"
    assert model.dimension == 128
    assert model.version.startswith("sha256:") and len(model.version) == 23
    assert get_model() is model
    with pytest.raises(ValueError, match="unknown face model"):
        get_model("no-such-model")


def test_encoding_is_deterministic(model, jolie_a):
    again = analyse(read_fixture("img5.jpg"), model=model)
    assert again.embedding.dtype == np.float32
    assert distance(again.embedding, jolie_a.embedding) < 1e-5


def test_verify_same_person_matches(jolie_a, jolie_b, model):
    v = verify(
        jolie_a.embedding,
        jolie_b.embedding,
        probe_model=model.key,
        reference_model=model.key,
        probe_quality=jolie_a.quality,
        reference_quality=jolie_b.quality,
    )
    assert v.verdict == MATCH
    assert v.distance < VERIFY_THRESHOLD and v.threshold == VERIFY_THRESHOLD


def test_verify_different_people(jolie_a, other, model):
    v = verify(jolie_a.embedding, other.embedding, probe_model=model.key, reference_model=model.key)
    assert v.verdict == NO_MATCH
    assert v.distance > VERIFY_THRESHOLD


def test_verify_poor_quality_is_inconclusive(model, jolie_b):
    couple = analyse(read_fixture("couple-1140.jpg"), model=model)
    v = verify(
        couple.embedding,
        jolie_b.embedding,
        probe_model=model.key,
        reference_model=model.key,
        probe_quality=couple.quality,
        reference_quality=jolie_b.quality,
    )
    assert v.verdict == INCONCLUSIVE
    assert v.distance is None
    assert "Two faces" in v.reason


def test_templates_of_different_models_never_compared(jolie_a, jolie_b, model):
    with pytest.raises(ModelMismatchError):
        verify(
            jolie_a.embedding,
            jolie_b.embedding,
            probe_model=model.key,
            reference_model=(model.name, "sha256:0000000000000000"),
        )
    with pytest.raises(ModelMismatchError):
        verify(jolie_a.embedding, jolie_b.embedding, probe_model=model.key, reference_model=("other-model", "1"))


def test_fifty_megapixel_image_downscaled_before_detection(model, tmp_path):
    src = Image.open(io.BytesIO(read_fixture("img10.jpg")))
    factor = (50_000_000 / (src.width * src.height)) ** 0.5
    big = src.resize((round(src.width * factor), round(src.height * factor)), Image.Resampling.BILINEAR)
    assert big.width * big.height >= 49_000_000
    buf = io.BytesIO()
    big.save(buf, format="JPEG", quality=85)
    del big
    a = analyse(buf.getvalue(), model=model)
    assert a.image.original_size[0] * a.image.original_size[1] >= 49_000_000
    assert max(a.image.pixels.shape[:2]) <= 2048
    assert a.quality.accepted, a.quality.message
    # Inter-eye distance is reported in the pixels the camera delivered.
    assert a.quality.metrics["inter_eye_px"] > 700


def test_five_faces_rejected(model):
    """Five real faces side by side: the capture is refused, nothing encoded."""
    tiles = [Image.open(io.BytesIO(read_fixture(n))).convert("RGB").resize((300, 400)) for n in
             ("img5.jpg", "img10.jpg", "img12.jpg", "img5.jpg", "img10.jpg")]
    sheet = Image.new("RGB", (1500, 400), (240, 240, 240))
    for i, tile in enumerate(tiles):
        sheet.paste(tile, (i * 300, 0))
    buf = io.BytesIO()
    sheet.save(buf, format="JPEG", quality=90)
    a = analyse(buf.getvalue(), model=model)
    assert a.quality.face_count == 5
    assert [i.code for i in a.quality.issues] == ["multiple_faces"]
    assert "5 faces in view" in a.quality.message
    assert a.embedding is None


def test_accuracy_floor_on_labelled_pairs(pair_embeddings, labelled_pairs):
    """FMR and FNMR at the default threshold on master.csv.

    Measured (bench/face_verify.py): FNMR 1/38 (2.6 %), FMR 0/262.  The floor
    leaves room for one more miss and one false match, no more.
    """
    missing = [n for n, e in pair_embeddings.items() if e is None]
    assert not missing, f"no face found in {missing}"
    genuine = [distance(pair_embeddings[a], pair_embeddings[b]) for a, b, same in labelled_pairs if same]
    impostor = [distance(pair_embeddings[a], pair_embeddings[b]) for a, b, same in labelled_pairs if not same]
    assert len(genuine) == 38 and len(impostor) == 262
    fnmr = np.mean(np.array(genuine) > VERIFY_THRESHOLD)
    fmr = np.mean(np.array(impostor) <= VERIFY_THRESHOLD)
    assert fnmr <= 2 / 38, f"FNMR {fnmr:.3f}"
    assert fmr <= 1 / 262, f"FMR {fmr:.4f}"
    accuracy = (np.sum(np.array(genuine) <= VERIFY_THRESHOLD) + np.sum(np.array(impostor) > VERIFY_THRESHOLD)) / 300
    assert accuracy >= 0.99


def test_portrait_cropped_from_photo_page(model, jolie_b):
    crop, analysis = analyse_document_page(photo_page(read_fixture("img10.jpg")), model=model)
    left, top, right, bottom = crop.box
    # The crop lies on the main portrait (pasted at x 60-369, y 180-630).
    assert 30 <= left and right <= 440 and 150 <= top and bottom <= 660
    assert crop.faces_on_page >= 1
    assert analysis.quality.accepted, analysis.quality.message
    # Same photograph, reprinted smaller: very close to the original.
    assert distance(analysis.embedding, jolie_b.embedding) < 0.15


def test_photo_page_without_portrait(model):
    page = Image.new("RGB", (1250, 880), (236, 232, 220))
    buf = io.BytesIO()
    page.save(buf, format="JPEG")
    with pytest.raises(ImageError) as info:
        analyse_document_page(buf.getvalue(), model=model)
    assert info.value.code == "no_face"


def test_model_is_an_embedding_model():
    assert issubclass(DlibResNetModel, EmbeddingModel)
