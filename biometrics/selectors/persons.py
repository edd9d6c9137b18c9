"""A traveler's biometric records as a person page shows them (issue 15): modality, finger
position, quality and when it was captured, restricted to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from biometrics.messages import face_quality_message
from biometrics.models.face import FaceImage
from biometrics.models.fingerprint import FingerprintImpression

__all__ = ["BiometricRecord", "person_biometric_records"]


@dataclass(frozen=True)
class BiometricRecord:
    modality: str  # "face" or "fingerprint"
    record_id: int
    position: int | None  # ANSI/NIST finger position, None for a face
    position_label: str
    quality_score: int | None  # fingerprints: 0-100
    quality_text: str
    captured_at: datetime
    is_active: bool
    purpose: str
    post_id: int | None
    reference_id: str


def person_biometric_records(*, user, person_id: int, limit: int = 50) -> list[BiometricRecord]:
    """The face images and fingerprint impressions of traveler ``person_id`` that ``user`` may see,
    newest first (faces then fingers, each up to ``limit``)."""
    out: list[BiometricRecord] = []
    faces = (FaceImage.objects.restrict(user, "view").filter(person_id=person_id)
             .only("pk", "quality", "created_at", "purpose", "post_id", "reference_id").order_by("-created_at"))
    for image in faces[:limit]:
        metrics = (image.quality or {}).get("metrics") or {}
        parts = []
        if metrics.get("inter_eye_px") is not None:
            parts.append(_("%(px)s px between the eyes") % {"px": metrics["inter_eye_px"]})
        message = face_quality_message(image.quality) if image.quality else ""
        if message:
            parts.append(message)
        out.append(BiometricRecord(
            modality="face", record_id=image.pk, position=None, position_label="",
            quality_score=None, quality_text=" · ".join(parts), captured_at=image.created_at, is_active=True,
            purpose=image.get_purpose_display(), post_id=image.post_id, reference_id=image.reference_id,
        ))
    fingers = (FingerprintImpression.objects.restrict(user, "view").filter(person_id=person_id)
               .only("pk", "position", "quality_score", "nfiq2", "minutiae_count", "created_at", "is_active",
                     "purpose", "post_id", "reference_id", "capture_id")
               .order_by("-is_active", "position", "-created_at"))
    for imp in fingers[:limit]:
        text = ngettext("%(n)s minutia", "%(n)s minutiae", imp.minutiae_count) % {"n": imp.minutiae_count}
        if imp.nfiq2 is not None:
            text += f" · NFIQ 2: {imp.nfiq2}"
        out.append(BiometricRecord(
            modality="fingerprint", record_id=imp.pk, position=imp.position,
            position_label=str(imp.get_position_display()), quality_score=imp.quality_score, quality_text=text,
            captured_at=imp.created_at, is_active=imp.is_active, purpose=imp.get_purpose_display(),
            post_id=imp.post_id, reference_id=imp.reference_id,
        ))
    return out
