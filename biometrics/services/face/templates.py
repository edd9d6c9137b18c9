"""Face templates: encoding a stored image once per model, removing templates (logged for the search indexes)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from audit.services import audit_log
from biometrics.face.embedding import DetectedFace
from biometrics.face.images import load_image
from biometrics.models.face import (
    PERSONS_GALLERY,
    REFERENCES_GALLERY,
    FaceImage,
    FaceTemplate,
    FaceTemplateChange,
    watchlist_gallery,
)
from biometrics.services.face.common import FaceProcessingError, face_model


def _gallery_of(image: FaceImage) -> str:
    if image.watchlist_entry_id is not None:
        return watchlist_gallery(image.watchlist_entry.watchlist_id)
    if image.person_id is not None:
        return PERSONS_GALLERY
    if image.reference_id:
        return REFERENCES_GALLERY  # enrolled through the biometric contract (e.g. a registration)
    return ""  # ad-hoc image (API verification): not searchable


def face_template_ensure(*, image: FaceImage, model=None) -> FaceTemplate:
    """The template of ``image`` for the current model, encoding it if needed."""
    model = model or face_model()
    existing = FaceTemplate.objects.filter(image=image, model_name=model.name, model_version=model.version).first()
    if existing is not None:
        return existing
    loaded = load_image(bytes(image.jpeg))
    if image.face_location:
        # Found when the capture was checked: detection runs once per capture.
        face = DetectedFace.from_location(image.face_location)
        if loaded.scale != 1.0:
            face = face.scaled(loaded.scale)
    else:  # stored before face locations were kept
        faces = model.detect(loaded.pixels)
        if not faces:
            raise FaceProcessingError(f"no face found again in stored face image {image.pk}")
        face = faces[0]
    vector = model.encode(loaded.pixels, face).astype("<f4")
    gallery = _gallery_of(image)
    try:
        with transaction.atomic():
            template = FaceTemplate(
                image=image, model_name=model.name, model_version=model.version, dimension=model.dimension,
                vector=vector.tobytes(), gallery=gallery, person_id=image.person_id,
                watchlist_entry_id=image.watchlist_entry_id,
            )
            template.save()
            if gallery:
                FaceTemplateChange.objects.create(
                    template_id=template.pk, op=FaceTemplateChange.ADD, gallery=gallery,
                    model_name=model.name, model_version=model.version,
                )
            audit_log(actor=None, action="face_template.create", obj=template, metadata={
                "image": image.pk, "model": model.name, "version": model.version, "gallery": gallery,
            })
    except IntegrityError:
        # Another worker encoded the same image at the same moment.
        return FaceTemplate.objects.get(image=image, model_name=model.name, model_version=model.version)
    return template


def face_templates_remove(*, actor, templates, reason: str) -> int:
    """Delete templates (and log the removal for the search indexes), audited."""
    removed = 0
    with transaction.atomic():
        for template in templates:
            if template.gallery:
                FaceTemplateChange.objects.create(
                    template_id=template.pk, op=FaceTemplateChange.REMOVE, gallery=template.gallery,
                    model_name=template.model_name, model_version=template.model_version,
                )
            audit_log(actor=actor, action="face_template.delete", obj=template, metadata={"reason": reason})
            template.delete()
            removed += 1
    return removed
