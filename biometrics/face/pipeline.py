"""From untrusted bytes to an accepted template, and template comparison.

``analyse`` is what every capture path calls (browser still, device upload,
document portrait): load safely, detect, check quality, and encode only a
capture that passed.  ``verify`` turns two analyses (or an analysis and a
stored vector) into a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from biometrics.face.embedding import DetectedFace, EmbeddingModel, get_model
from biometrics.face.images import DEFAULT_MAX_SIDE, LoadedImage, load_image
from biometrics.face.quality import LIVE_POLICY, QualityPolicy, QualityReport, assess

# Euclidean distance between dlib-resnet-v1 embeddings, chosen from
# bench/face_verify.py (figures and reasoning in bench/README.md).
# 1:1 (live face vs document portrait): stricter than face_recognition's
# 0.6 at no cost in misses on the labelled pairs, with room for populations
# (and deliberate look-alikes) the development set does not cover.
VERIFY_THRESHOLD = 0.55
# 1:N: every gallery template is a chance of a false match, so the larger
# the gallery the stricter the threshold.  Watchlist galleries hold
# thousands; the gallery of every person seen before may hold millions.
WATCHLIST_THRESHOLD = 0.50
PERSONS_THRESHOLD = 0.45

MATCH = "match"
NO_MATCH = "no_match"
INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class FaceAnalysis:
    image: LoadedImage
    faces: list[DetectedFace]
    quality: QualityReport
    embedding: np.ndarray | None  # set only when quality.accepted (and encoding was asked)
    model_name: str
    model_version: str

    @property
    def accepted(self) -> bool:
        return self.quality.accepted

    @property
    def face(self) -> DetectedFace | None:
        return self.faces[0] if self.faces else None


def analyse(
    data: bytes,
    *,
    model: EmbeddingModel | None = None,
    policy: QualityPolicy = LIVE_POLICY,
    max_side: int = DEFAULT_MAX_SIDE,
    encode: bool = True,
) -> FaceAnalysis:
    """Load, detect, check and (if accepted and ``encode``) encode one capture.

    Raises ``biometrics.face.images.ImageError`` for bytes that are not a
    usable image; a usable image of poor quality returns an analysis whose
    ``quality.accepted`` is false and whose ``embedding`` is None.
    """
    model = model or get_model()
    image = load_image(data, max_side=max_side)
    return analyse_pixels(image, model=model, policy=policy, encode=encode)


def analyse_pixels(
    image: LoadedImage,
    *,
    model: EmbeddingModel,
    policy: QualityPolicy = LIVE_POLICY,
    encode: bool = True,
    faces: list[DetectedFace] | None = None,
) -> FaceAnalysis:
    """``faces``: already detected in ``image`` (a caller that found them need not detect again)."""
    if faces is None:
        faces = model.detect(image.pixels)
    report = assess(image.pixels, faces, scale=image.scale, policy=policy)
    embedding = model.encode(image.pixels, faces[0]) if report.accepted and encode else None
    return FaceAnalysis(
        image=image,
        faces=faces,
        quality=report,
        embedding=embedding,
        model_name=model.name,
        model_version=model.version,
    )


class ModelMismatchError(ValueError):
    """Two templates from different embedding models were to be compared."""


def distance(a: np.ndarray, b: np.ndarray) -> float:
    a = np.asarray(a, dtype=np.float32).ravel()
    b = np.asarray(b, dtype=np.float32).ravel()
    if a.shape != b.shape:
        raise ModelMismatchError(f"templates have different dimensions ({a.size} and {b.size})")
    return float(np.linalg.norm(a - b))


@dataclass(frozen=True)
class Verification:
    verdict: str  # match / no_match / inconclusive
    distance: float | None
    threshold: float
    reason: str

    def as_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "distance": None if self.distance is None else round(self.distance, 4),
            "threshold": self.threshold,
            "reason": self.reason,
        }


def verify(
    probe: np.ndarray | None,
    reference: np.ndarray | None,
    *,
    probe_model: tuple[str, str],
    reference_model: tuple[str, str],
    threshold: float = VERIFY_THRESHOLD,
    probe_quality: QualityReport | None = None,
    reference_quality: QualityReport | None = None,
) -> Verification:
    """1:1 verdict.  Poor quality on either side gives ``inconclusive``."""
    if tuple(probe_model) != tuple(reference_model):
        raise ModelMismatchError(
            f"cannot compare a {probe_model[0]} {probe_model[1]} template with a "
            f"{reference_model[0]} {reference_model[1]} template"
        )
    for label, quality, vec in (("live", probe_quality, probe), ("document", reference_quality, reference)):
        if (quality is not None and not quality.accepted) or vec is None:
            why = quality.message if quality is not None else "no template"
            return Verification(INCONCLUSIVE, None, threshold, f"{label} image: {why}")
    d = distance(probe, reference)
    if d <= threshold:
        return Verification(MATCH, d, threshold, f"distance {d:.3f} <= threshold {threshold:.2f}")
    return Verification(NO_MATCH, d, threshold, f"distance {d:.3f} > threshold {threshold:.2f}")
