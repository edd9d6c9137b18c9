"""Capture and enrolment: quality by source, storing an accepted face, pairing it for 1:1 and 1:N."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_log
from biometrics.access import refuse_closed_inspection
from biometrics.face.images import ImageError, encode_jpeg
from biometrics.face.pipeline import FaceAnalysis, analyse
from biometrics.face.portrait import analyse_document_page
from biometrics.face.quality import Issue, QualityReport, policy_for_source
from biometrics.models.face import (
    PERSONS_GALLERY,
    FaceIdentification,
    FaceImage,
    FacePurpose,
    FaceRequestStatus,
    FaceSource,
    FaceTemplate,
    FaceTemplateChange,
    FaceVerdict,
    FaceVerification,
)
from biometrics.services.face.common import (
    FACE_ENCODE_TASK,
    STORED_MAX_SIDE,
    CaptureResult,
    _retain_until,
    _validate_choice,
    face_model,
    send_task,
)
from biometrics.services.face.requests import _create_identification, dispatch_request

# -- the inspection a capture belongs to ---------------------------------------------
# biometrics never imports travelers: the travelers app registers the lookups of
# biometrics.access in its AppConfig.ready().


def face_inspection_lookup(*, inspection_id: int, user) -> dict | None:
    """The traveler and post of an inspection the user may see; None if it is not one
    (or when no lookup is registered: unknown inspections are refused)."""
    from biometrics.access import SubjectNotFound, inspection_info

    try:
        return inspection_info(user=user, inspection_id=inspection_id)
    except (SubjectNotFound, ValidationError):
        return None


def _analyse(data: bytes, *, purpose: str, source: str, field_name: str) -> tuple[FaceAnalysis | None, QualityReport]:
    """Analyse untrusted bytes; bad bytes raise a ValidationError naming ``field_name``."""
    model = face_model()
    # Live captures are coached, photographs compared whenever the matcher can use the face
    # (biometrics.face.quality.POLICY_BY_SOURCE: the one table).
    policy = policy_for_source(source)
    try:
        if source == FaceSource.DOCUMENT_PAGE:
            _crop, analysis = analyse_document_page(data, model=model, policy=policy, encode=False)
        else:
            analysis = analyse(data, model=model, policy=policy, encode=False)
    except ImageError as exc:
        if exc.code == "no_face":
            report = QualityReport(accepted=False, face_count=0, issues=[Issue("no_face", exc.message)],
                                   policy=policy.name)
            return None, report
        # The code stays on the field's error (biometrics.abis maps it to a reason code).
        raise ValidationError({field_name: [ValidationError(exc.message, code=exc.code)]}) from None
    return analysis, analysis.quality


def _stored_jpeg(analysis: FaceAnalysis) -> tuple[bytes, int, int, dict | None]:
    """The JPEG to store, its size, and where the face is in it (so encoding need not detect again)."""
    pixels = analysis.image.pixels
    h, w = pixels.shape[:2]
    scale = min(1.0, STORED_MAX_SIDE / max(h, w))
    if scale < 1.0:
        import cv2

        pixels = cv2.resize(pixels, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
        h, w = pixels.shape[:2]
    face = analysis.face
    location = face.scaled(scale).as_location() if face is not None else None
    return encode_jpeg(pixels, quality=92), w, h, location


def face_capture(
    *,
    actor,
    data: bytes,
    purpose: str,
    source: str,
    person_id: int | None = None,
    inspection_id: int | None = None,
    post=None,
    watchlist_entry=None,
    field_name: str = "image",
    start_matching: bool = True,
    reference_id: str = "",
) -> CaptureResult:
    """Check a capture; store it (and start matching) only if it passes quality.

    Bad bytes raise ``ValidationError`` naming ``field_name``; a poor capture
    returns ``accepted=False`` with the coaching report and stores nothing,
    except that at an inspection it records the 1:1 as inconclusive. ``reference_id`` names the
    biometric-contract reference enrolling the image (``biometrics.abis``).
    """
    _validate_choice(purpose, FacePurpose, "purpose")
    _validate_choice(source, FaceSource, "source")
    refuse_closed_inspection(inspection_id)
    if purpose == FacePurpose.ENROLMENT and person_id is None and not reference_id:
        raise ValidationError({"person_id": ["an enrolment needs the traveler's id"]})
    if purpose == FacePurpose.WATCHLIST and watchlist_entry is None:
        raise ValidationError({"watchlist_entry": ["a watchlist photo needs its entry"]})
    analysis, report = _analyse(data, purpose=purpose, source=source, field_name=field_name)
    if not report.accepted:
        result = CaptureResult(accepted=False, quality=report.as_dict())
        if inspection_id is not None and purpose in (FacePurpose.LIVE, FacePurpose.DOCUMENT):
            result.verification = _record_inconclusive(
                actor=actor, purpose=purpose, report=report, inspection_id=inspection_id,
                person_id=person_id, post=post,
            )
        return result

    jpeg, width, height, location = _stored_jpeg(analysis)
    with transaction.atomic():
        image = FaceImage(
            purpose=purpose, source=source, person_id=person_id, inspection_id=inspection_id,
            watchlist_entry=watchlist_entry, post=post,
            captured_by=actor if getattr(actor, "pk", None) else None,
            jpeg=jpeg, width=width, height=height, sha256=hashlib.sha256(jpeg).hexdigest(), face_location=location,
            quality=report.as_dict(), retain_until=_retain_until(purpose), reference_id=reference_id,
        )
        image.full_clean()
        image.save()
        audit_log(actor=actor, action="face_image.create", obj=image, metadata={
            "purpose": purpose, "source": source, "inspection_id": inspection_id, "person_id": person_id,
            "reference_id": reference_id or None, "inter_eye_px": report.metrics.get("inter_eye_px"),
        })
        verification = identification = None
        if start_matching and inspection_id is not None:
            verification = _pair_for_verification(actor=actor, image=image, post=post)
            if purpose == FacePurpose.LIVE:
                identification = _create_identification(
                    actor=actor, probe=image, inspection_id=inspection_id, person_id=person_id, post=post,
                )
        result = CaptureResult(
            accepted=True, quality=report.as_dict(), image=image,
            verification=verification, identification=identification,
        )
        transaction.on_commit(lambda: _dispatch(result))
    return result


def _record_inconclusive(*, actor, purpose, report, inspection_id, person_id, post) -> FaceVerification:
    side = "live image" if purpose == FacePurpose.LIVE else "document portrait"
    with transaction.atomic():
        v = FaceVerification(
            inspection_id=inspection_id, person_id=person_id, post=post,
            requested_by=actor if getattr(actor, "pk", None) else None,
            status=FaceRequestStatus.DONE, verdict=FaceVerdict.INCONCLUSIVE,
            threshold=settings.BMIS_FACE_VERIFY_THRESHOLD, reason=f"{side}: {report.message}"[:300],
            completed_at=timezone.now(), queued=True,
        )
        v.save()
        audit_log(actor=actor, action="face_verification.complete", obj=v, metadata={
            "verdict": v.verdict, "inspection_id": inspection_id, "quality_issues": [i.code for i in report.issues],
        })
    return v


def _pair_for_verification(*, actor, image: FaceImage, post) -> FaceVerification | None:
    """A 1:1 request when the inspection now has both a live face and a document portrait."""
    if image.purpose == FacePurpose.LIVE:
        other_purpose = FacePurpose.DOCUMENT
    elif image.purpose == FacePurpose.DOCUMENT:
        other_purpose = FacePurpose.LIVE
    else:
        return None
    other = (
        FaceImage.objects.filter(inspection_id=image.inspection_id, purpose=other_purpose)
        .exclude(pk=image.pk).order_by("-created_at", "-pk").first()
    )
    if other is None:
        return None
    probe, reference = (image, other) if image.purpose == FacePurpose.LIVE else (other, image)
    v = FaceVerification(
        inspection_id=image.inspection_id, person_id=image.person_id, post=post,
        requested_by=actor if getattr(actor, "pk", None) else None,
        probe=probe, reference=reference, threshold=settings.BMIS_FACE_VERIFY_THRESHOLD,
    )
    v.save()
    audit_log(actor=actor, action="face_verification.request", obj=v, metadata={
        "inspection_id": v.inspection_id, "probe_image": probe.pk, "reference_image": reference.pk,
    })
    return v


def _dispatch(result: CaptureResult) -> None:
    ok = True
    image = result.image
    # Encode at once what joins a gallery; a probe is encoded by its own 1:1 or 1:N task.
    if image is not None and (image.person_id is not None or image.watchlist_entry_id is not None
                              or image.reference_id):
        ok &= send_task(FACE_ENCODE_TASK, image.pk)
    if result.verification is not None and result.verification.status == FaceRequestStatus.PENDING:
        ok &= dispatch_request(result.verification)
    if result.identification is not None:
        ok &= dispatch_request(result.identification)
    result.queued = ok


def face_inspection_link_person(*, actor, inspection_id: int, person_id: int) -> int:
    """Attach the faces captured at an inspection to its traveler once known.

    The inspection screen's panel captures before (or without) knowing the
    traveler's id; the travelers app calls this when the inspection's person
    is set, so that the faces join the gallery of travelers seen before.
    Returns how many images were linked.
    """
    linked = 0
    with transaction.atomic():
        images = list(FaceImage.objects.select_for_update().filter(inspection_id=inspection_id, person_id__isnull=True,
                                                                   watchlist_entry__isnull=True))
        for image in images:
            image.person_id = person_id
            image.save(update_fields=["person_id"])
            for template in FaceTemplate.objects.filter(image=image):
                template.person_id = person_id
                template.gallery = PERSONS_GALLERY
                template.save(update_fields=["person_id", "gallery"])
                FaceTemplateChange.objects.create(
                    template_id=template.pk, op=FaceTemplateChange.ADD, gallery=PERSONS_GALLERY,
                    model_name=template.model_name, model_version=template.model_version,
                )
            audit_log(actor=actor, action="face_image.link_person", obj=image,
                      changes={"person_id": [None, person_id]}, metadata={"inspection_id": inspection_id})
            linked += 1
        for model_cls in (FaceVerification, FaceIdentification):
            model_cls.objects.filter(inspection_id=inspection_id, person_id__isnull=True).update(person_id=person_id)
    for image in images:
        if not FaceTemplate.objects.filter(image=image).exists():
            send_task(FACE_ENCODE_TASK, image.pk)
    return linked
