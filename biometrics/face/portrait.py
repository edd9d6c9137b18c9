"""Crop the holder's portrait from an image of a document's photo page.

A data page carries the main portrait and often a smaller "ghost" copy; the
largest face is the portrait.  The crop follows ICAO 9303 / ISO 19794-5
proportions (35:45, eyes a little above the middle, inter-eye distance about
0.3 of the width) and is clipped to the page.  The crop is then checked with
the document quality policy, which accepts the softer, smaller image a
printed portrait gives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from biometrics.face.embedding import DetectedFace, EmbeddingModel, get_model
from biometrics.face.images import DEFAULT_MAX_SIDE, ImageError, LoadedImage, load_image
from biometrics.face.pipeline import FaceAnalysis, analyse_pixels
from biometrics.face.quality import DOCUMENT_POLICY, QualityPolicy

# Crop geometry, in multiples of the inter-eye distance.
_WIDTH_PER_IED = 3.4
_ASPECT = 45 / 35  # height / width
_EYES_FROM_TOP = 0.42  # share of the crop height


@dataclass(frozen=True)
class PortraitCrop:
    pixels: np.ndarray
    box: tuple[int, int, int, int]  # left, top, right, bottom in page pixels
    faces_on_page: int
    face: DetectedFace | None = None  # the portrait's face, in the crop's pixels


def crop_portrait(image: LoadedImage, *, model: EmbeddingModel | None = None) -> PortraitCrop:
    """The portrait region of a photo page.  Raises ImageError(no_face)."""
    model = model or get_model()
    faces = model.detect(image.pixels)
    if not faces:
        raise ImageError(
            "no_face",
            "No portrait found on the document page: place the whole photo page on the reader, "
            "glare-free.",
        )
    face = faces[0]  # largest: the main portrait, not the ghost image
    ied = face.inter_eye_distance
    cx = (face.left_eye[0] + face.right_eye[0]) / 2
    cy = (face.left_eye[1] + face.right_eye[1]) / 2
    width = _WIDTH_PER_IED * ied
    height = width * _ASPECT
    left = round(cx - width / 2)
    top = round(cy - _EYES_FROM_TOP * height)
    right = round(left + width)
    bottom = round(top + height)
    page_h, page_w = image.pixels.shape[:2]
    left, top = max(0, left), max(0, top)
    right, bottom = min(page_w, right), min(page_h, bottom)
    crop = np.ascontiguousarray(image.pixels[top:bottom, left:right])
    return PortraitCrop(pixels=crop, box=(left, top, right, bottom), faces_on_page=len(faces),
                        face=_translated(face, left, top, crop.shape[1], crop.shape[0]))


def _translated(face: DetectedFace, dx: int, dy: int, width: int, height: int) -> DetectedFace:
    """``face`` in the pixels of a crop starting at (dx, dy), its box clipped to the crop."""

    def pt(p):
        return (p[0] - dx, p[1] - dy)

    left, top, right, bottom = face.box
    return DetectedFace(
        box=(max(0, left - dx), max(0, top - dy), min(width, right - dx), min(height, bottom - dy)),
        left_eye=pt(face.left_eye), right_eye=pt(face.right_eye), nose_tip=pt(face.nose_tip),
        mouth_left=pt(face.mouth_left), mouth_right=pt(face.mouth_right),
        landmarks=None if face.landmarks is None else face.landmarks - np.array([dx, dy]),
    )


def analyse_document_page(
    data: bytes,
    *,
    model: EmbeddingModel | None = None,
    policy: QualityPolicy = DOCUMENT_POLICY,
    max_side: int = DEFAULT_MAX_SIDE,
    encode: bool = True,
) -> tuple[PortraitCrop, FaceAnalysis]:
    """Crop the portrait from a photo-page image and analyse the crop."""
    model = model or get_model()
    page = load_image(data, max_side=max_side)
    crop = crop_portrait(page, model=model)
    crop_image = LoadedImage(
        pixels=crop.pixels,
        original_size=(
            max(1, round(crop.pixels.shape[1] / page.scale)),
            max(1, round(crop.pixels.shape[0] / page.scale)),
        ),
        scale=page.scale,
        format=page.format,
    )
    # The portrait was found on the page: its face is passed on, not detected again in the crop.
    faces = [crop.face] if crop.face is not None else None
    return crop, analyse_pixels(crop_image, model=model, policy=policy, encode=encode, faces=faces)
