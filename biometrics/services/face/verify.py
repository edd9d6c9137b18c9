"""1:1: running a queued verification, and the API's verification of two uploaded images."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import audit_log
from biometrics.access import refuse_closed_inspection
from biometrics.face.pipeline import verify
from biometrics.models.face import (
    FacePurpose,
    FaceRequestStatus,
    FaceSource,
    FaceTemplate,
    FaceVerdict,
    FaceVerification,
)
from biometrics.services.face.capture import face_capture
from biometrics.services.face.common import face_model
from biometrics.services.face.requests import _start, dispatch_request
from biometrics.services.face.templates import face_template_ensure


def face_verification_run(*, verification_id: int) -> FaceVerification:
    v, started = _start(FaceVerification, verification_id)
    if not started:
        return v
    model = face_model()
    if v.probe_id is None or v.reference_id is None:
        outcome = ("inconclusive", None, "an image of the pair is no longer held (retention)")
    else:
        probe = face_template_ensure(image=v.probe, model=model)
        reference = face_template_ensure(image=v.reference, model=model)
        result = verify(
            probe.embedding, reference.embedding, probe_model=probe.model_key, reference_model=reference.model_key,
            threshold=v.threshold,
        )
        outcome = (result.verdict, result.distance, result.reason)
    with transaction.atomic():
        v = FaceVerification.objects.select_for_update().get(pk=verification_id)
        v.verdict, v.distance, v.reason = outcome[0], outcome[1], outcome[2][:300]
        v.status = FaceRequestStatus.DONE
        v.model_name, v.model_version = model.name, model.version
        v.completed_at = timezone.now()
        v.save()
        audit_log(actor=None, action="face_verification.complete", obj=v, metadata={
            "verdict": v.verdict, "distance": v.distance, "threshold": v.threshold,
            "inspection_id": v.inspection_id, "attempts": v.attempts,
        })
    return v


def face_verify_images(
    *, actor, probe_data: bytes, reference_data: bytes | None = None, reference_template: FaceTemplate | None = None,
    reference_source: str = FaceSource.UPLOAD, person_id=None, inspection_id=None, post=None,
) -> tuple[FaceVerification, dict]:
    """API 1:1: two images, or an image and a stored template."""
    refuse_closed_inspection(inspection_id)
    probe = face_capture(
        actor=actor, data=probe_data, purpose=FacePurpose.LIVE, source=FaceSource.UPLOAD, person_id=person_id,
        inspection_id=None, post=post, field_name="probe", start_matching=False,
    )
    reports = {"probe": probe.quality}
    if reference_template is not None:
        reference_image, reference_quality = reference_template.image, reference_template.image.quality
    else:
        ref = face_capture(
            actor=actor, data=reference_data, purpose=FacePurpose.DOCUMENT, source=reference_source,
            person_id=person_id, inspection_id=None, post=post, field_name="reference", start_matching=False,
        )
        reference_image, reference_quality = ref.image, ref.quality
    reports["reference"] = reference_quality
    with transaction.atomic():
        if not probe.accepted or reference_image is None:
            bad = probe.quality if not probe.accepted else reference_quality
            side = "live image" if not probe.accepted else "reference image"
            v = FaceVerification(
                inspection_id=inspection_id, person_id=person_id, post=post,
                requested_by=actor if getattr(actor, "pk", None) else None,
                probe=probe.image, reference=reference_image, status=FaceRequestStatus.DONE,
                verdict=FaceVerdict.INCONCLUSIVE, threshold=settings.BMIS_FACE_VERIFY_THRESHOLD,
                reason=f"{side}: {bad.get('message', '')}"[:300], completed_at=timezone.now(), queued=True,
            )
            v.save()
            audit_log(actor=actor, action="face_verification.complete", obj=v, metadata={"verdict": v.verdict})
            return v, reports
        v = FaceVerification(
            inspection_id=inspection_id, person_id=person_id, post=post,
            requested_by=actor if getattr(actor, "pk", None) else None,
            probe=probe.image, reference=reference_image, threshold=settings.BMIS_FACE_VERIFY_THRESHOLD,
        )
        v.save()
        audit_log(actor=actor, action="face_verification.request", obj=v, metadata={"via": "api"})
        transaction.on_commit(lambda: dispatch_request(v))
    return v, reports
