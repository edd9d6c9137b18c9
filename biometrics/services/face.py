"""Face biometrics services: capture, templates, 1:1, 1:N, retention.

Views, API endpoints and tasks call these; they validate, write inside one
transaction with the audit event, and hand heavy work (encoding, searching)
to Celery tasks on the ``biometrics`` queue once the transaction commits.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_log
from biometrics.access import refuse_closed_inspection
from biometrics.face.embedding import DetectedFace, get_model
from biometrics.face.images import ImageError, encode_jpeg, load_image
from biometrics.face.pipeline import FaceAnalysis, analyse, verify
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
    watchlist_gallery,
)
from core.tasks import enqueue

logger = logging.getLogger(__name__)

# Longest side of the stored image (the working image is at most 2048 px).
STORED_MAX_SIDE = 1600


class FaceProcessingError(Exception):
    """A stored image could not be turned into a template (logged, request marked failed)."""


@dataclass
class CaptureResult:
    accepted: bool
    quality: dict
    image: FaceImage | None = None
    verification: FaceVerification | None = None
    identification: FaceIdentification | None = None
    queued: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.quality.get("message", "")


def face_model():
    return get_model(settings.BMIS_FACE_MODEL)


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
        raise ValidationError({field_name: [exc.message]}, code=exc.code) from None
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


def _retain_until(purpose: str):
    days = settings.BMIS_FACE_RETENTION_DAYS.get(purpose)
    return timezone.now() + timedelta(days=days) if days else None


def _validate_choice(value: str, choices, name: str) -> None:
    if value not in choices.values:
        raise ValidationError({name: [f"must be one of: {', '.join(choices.values)}"]})


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
) -> CaptureResult:
    """Check a capture; store it (and start matching) only if it passes quality.

    Bad bytes raise ``ValidationError`` naming ``field_name``; a poor capture
    returns ``accepted=False`` with the coaching report and stores nothing,
    except that at an inspection it records the 1:1 as inconclusive.
    """
    _validate_choice(purpose, FacePurpose, "purpose")
    _validate_choice(source, FaceSource, "source")
    refuse_closed_inspection(inspection_id)
    if purpose == FacePurpose.ENROLMENT and person_id is None:
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
            quality=report.as_dict(), retain_until=_retain_until(purpose),
        )
        image.full_clean()
        image.save()
        audit_log(actor=actor, action="face_image.create", obj=image, metadata={
            "purpose": purpose, "source": source, "inspection_id": inspection_id, "person_id": person_id,
            "inter_eye_px": report.metrics.get("inter_eye_px"),
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


def _create_identification(
    *, actor, probe, inspection_id=None, person_id=None, post=None, search_watchlists=True,
    search_persons=True, watchlist_ids=None, raise_hits=True,
) -> FaceIdentification:
    ident = FaceIdentification(
        inspection_id=inspection_id, person_id=person_id, post=post,
        requested_by=actor if getattr(actor, "pk", None) else None, probe=probe,
        search_watchlists=search_watchlists, search_persons=search_persons,
        watchlist_ids=sorted(watchlist_ids) if watchlist_ids is not None else [], raise_hits=raise_hits,
    )
    ident.save()
    audit_log(actor=actor, action="face_identification.request", obj=ident, metadata={
        "inspection_id": inspection_id, "probe_image": probe.pk, "watchlists": search_watchlists,
        "persons": search_persons,
    })
    return ident


def _dispatch(result: CaptureResult) -> None:
    from biometrics.tasks import face as tasks

    ok = True
    image = result.image
    # Encode at once what joins a gallery; a probe is encoded by its own 1:1 or 1:N task.
    if image is not None and (image.person_id is not None or image.watchlist_entry_id is not None):
        ok &= enqueue(tasks.face_encode, image.pk)
    if result.verification is not None and result.verification.status == FaceRequestStatus.PENDING:
        ok &= dispatch_request(result.verification)
    if result.identification is not None:
        ok &= dispatch_request(result.identification)
    result.queued = ok


def dispatch_request(request_obj) -> bool:
    """Queue a pending 1:1 or 1:N request; record whether the broker took it."""
    from biometrics.tasks import face as tasks

    task = tasks.face_verify if isinstance(request_obj, FaceVerification) else tasks.face_identify
    # Mark queued first: in eager mode the task runs (and finishes) inside enqueue().
    type(request_obj).objects.filter(pk=request_obj.pk).update(queued=True)
    ok = enqueue(task, request_obj.pk)
    if not ok:
        type(request_obj).objects.filter(pk=request_obj.pk, status=FaceRequestStatus.PENDING).update(queued=False)
    request_obj.queued = ok
    return ok


# -- templates ---------------------------------------------------------------

def _gallery_of(image: FaceImage) -> str:
    if image.watchlist_entry_id is not None:
        return watchlist_gallery(image.watchlist_entry.watchlist_id)
    if image.person_id is not None:
        return PERSONS_GALLERY
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
            from biometrics.tasks import face as tasks

            enqueue(tasks.face_encode, image.pk)
    return linked


# -- request bookkeeping -------------------------------------------------------

def _start(model_cls, pk: int):
    """Mark a request running (committed at once, so a killed worker leaves a trace)."""
    with transaction.atomic():
        obj = model_cls.objects.select_for_update().get(pk=pk)
        if obj.status == FaceRequestStatus.DONE:
            return obj, False
        obj.status = FaceRequestStatus.RUNNING
        obj.attempts += 1
        obj.worker_pid = os.getpid()
        obj.save(update_fields=["status", "attempts", "worker_pid"])
    return obj, True


def face_request_fail(*, model_cls, pk: int, error: str) -> None:
    with transaction.atomic():
        obj = model_cls.objects.select_for_update().filter(pk=pk).first()
        if obj is None or obj.status == FaceRequestStatus.DONE:
            return
        obj.status = FaceRequestStatus.FAILED
        obj.error = error[:300]
        obj.completed_at = timezone.now()
        obj.save(update_fields=["status", "error", "completed_at"])
        audit_log(actor=None, action=f"{obj._meta.model_name}.fail", obj=obj, metadata={"error": obj.error})


# -- 1:1 -----------------------------------------------------------------------

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


# -- 1:N -----------------------------------------------------------------------

def _active_watchlist_ids(ids: list[int] | None) -> list[int]:
    from watchlists.models import Watchlist

    today = timezone.localdate()
    qs = Watchlist.objects.filter(is_active=True).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today), Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    if ids:
        qs = qs.filter(pk__in=ids)
    return list(qs.values_list("pk", flat=True))


def face_identification_run(*, identification_id: int) -> FaceIdentification:
    from biometrics.services.face_index import get_registry
    from biometrics.visibility import visibility_for, visible_candidates
    from watchlists.models import PersonEntry
    from watchlists.services.hits import hit_raise

    ident, started = _start(FaceIdentification, identification_id)
    if not started:
        return ident
    model = face_model()
    if ident.probe_id is None:
        raise FaceProcessingError(f"identification {ident.pk} has no probe image any more")
    probe = face_template_ensure(image=ident.probe, model=model)
    registry = get_registry(model)
    registry.sync()
    k = settings.BMIS_FACE_MAX_CANDIDATES
    found: list[tuple[str, float, int]] = []  # (gallery, distance, template id)
    backends, size = set(), 0
    if ident.search_watchlists:
        for wl_id in _active_watchlist_ids(ident.watchlist_ids or None):
            hits, backend, n = registry.search(
                watchlist_gallery(wl_id), probe.embedding, k=k, max_distance=settings.BMIS_FACE_WATCHLIST_THRESHOLD,
            )
            found += [(watchlist_gallery(wl_id), c.distance, c.id) for c in hits]
            backends.add(backend)
            size += n
    if ident.search_persons:
        exclude = set()
        if ident.person_id is not None:
            exclude = set(FaceTemplate.objects.filter(person_id=ident.person_id).values_list("pk", flat=True))
        exclude.add(probe.pk)
        hits, backend, n = registry.search(
            PERSONS_GALLERY, probe.embedding, k=k, max_distance=settings.BMIS_FACE_PERSONS_THRESHOLD, exclude=exclude,
        )
        found += [(PERSONS_GALLERY, c.distance, c.id) for c in hits]
        backends.add(backend)
        size += n
    templates = {
        t.pk: t for t in FaceTemplate.objects.filter(pk__in=[f[2] for f in found]).select_related(
            "watchlist_entry__watchlist"
        )
    }
    candidates = []
    for gallery, dist, template_id in sorted(found, key=lambda f: f[1]):
        t = templates.get(template_id)
        if t is None:
            continue  # removed since the index was synced
        if gallery == PERSONS_GALLERY and ident.person_id is not None and t.person_id == ident.person_id:
            continue
        entry = t.watchlist_entry
        if entry is not None and not entry.is_active:
            continue
        threshold = settings.BMIS_FACE_PERSONS_THRESHOLD if entry is None else settings.BMIS_FACE_WATCHLIST_THRESHOLD
        candidates.append({
            "template_id": t.pk, "image_id": t.image_id, "distance": round(dist, 4),
            "score": round(max(0.0, 1.0 - dist), 4), "threshold": threshold, "gallery": gallery,
            "watchlist_id": entry.watchlist_id if entry else None,
            "watchlist_code": entry.watchlist.code if entry else None,
            "entry_id": entry.pk if entry else None, "person_id": t.person_id, "hit_id": None,
        })
    # Only the travelers and list entries the requester may see are kept, and so raise hits
    # (biometrics.visibility: the same rule as fingerprint searches and as reading the result).
    candidates = visible_candidates(candidates, visibility_for(ident.requested_by))
    with transaction.atomic():
        ident = FaceIdentification.objects.select_for_update().get(pk=identification_id)
        if ident.raise_hits and (ident.inspection_id is not None or ident.person_id is not None):
            entries = {
                e.pk: e for e in PersonEntry.objects.filter(
                    pk__in=[c["entry_id"] for c in candidates if c["entry_id"]]
                ).select_related("watchlist").prefetch_related("names")
            }
            for c in candidates:
                entry = entries.get(c["entry_id"]) if c["entry_id"] else None
                names = [n.full_name for n in entry.names.all() if n.is_primary] if entry else []
                hit, _created = hit_raise(
                    actor=None, source="face", score=c["score"], threshold=round(1.0 - c["threshold"], 4),
                    entry=entry, matched_person_id=None if entry else c["person_id"],
                    inspection_id=ident.inspection_id, person_id=ident.person_id, post=ident.post,
                    query={"face_image_id": ident.probe_id, "face_identification_id": ident.pk},
                    matched_name=names[0] if names else "",
                    explanation={
                        "distance": c["distance"], "distance_threshold": c["threshold"],
                        "probe_image_id": ident.probe_id, "gallery_image_id": c["image_id"],
                        "model": f"{model.name} {model.version}", "gallery": c["gallery"],
                    },
                )
                c["hit_id"] = hit.pk
        ident.candidates = candidates
        ident.backend = ",".join(sorted(backends))
        ident.gallery_size = size
        ident.status = FaceRequestStatus.DONE
        ident.model_name, ident.model_version = model.name, model.version
        ident.completed_at = timezone.now()
        ident.save()
        audit_log(actor=None, action="face_identification.complete", obj=ident, metadata={
            "candidates": len(candidates), "gallery_size": size, "backend": ident.backend,
            "inspection_id": ident.inspection_id, "attempts": ident.attempts,
        })
    return ident


def face_identify_image(
    *, actor, data: bytes, watchlist_ids: list[int] | None, search_persons: bool, post=None,
) -> tuple[FaceIdentification | None, dict]:
    """API 1:N: search one image (not enrolled in any gallery) without raising hits."""
    probe = face_capture(
        actor=actor, data=data, purpose=FacePurpose.LIVE, source=FaceSource.UPLOAD, post=post,
        field_name="image", start_matching=False,
    )
    if not probe.accepted:
        return None, probe.quality
    with transaction.atomic():
        ident = _create_identification(
            actor=actor, probe=probe.image, post=post, search_watchlists=bool(watchlist_ids),
            search_persons=search_persons, watchlist_ids=watchlist_ids or [], raise_hits=False,
        )
        transaction.on_commit(lambda: dispatch_request(ident))
    return ident, probe.quality


# -- housekeeping ----------------------------------------------------------------

def face_requeue_pending(*, older_than_seconds: int | None = None) -> int:
    """Queue again the requests the broker never took (or lost); returns how many."""
    age = older_than_seconds if older_than_seconds is not None else settings.BMIS_FACE_REQUEUE_AFTER_SECONDS
    cutoff = timezone.now() - timedelta(seconds=age)
    count = 0
    for model_cls in (FaceVerification, FaceIdentification):
        stale = model_cls.objects.filter(status=FaceRequestStatus.PENDING).filter(
            Q(queued=False) | Q(created_at__lt=cutoff)
        )
        for obj in stale.order_by("pk")[:500]:
            if dispatch_request(obj):
                count += 1
    return count


# Change-log rows older than this are pruned by the purge job; a saved index older than the
# log is then rebuilt from the templates instead of caught up.
CHANGE_LOG_KEEP = timedelta(days=30)


def face_purge_expired(*, now=None) -> int:
    """Delete face images past their retention date, with their templates; audited."""
    now = now or timezone.now()
    purged = 0
    while True:
        batch = list(FaceImage.objects.filter(retain_until__lt=now).order_by("pk")[:200])
        if not batch:
            FaceTemplateChange.objects.filter(created_at__lt=timezone.now() - CHANGE_LOG_KEEP).delete()
            return purged
        with transaction.atomic():
            for image in batch:
                templates = list(FaceTemplate.objects.filter(image=image))
                face_templates_remove(actor=None, templates=templates, reason="retention")
                audit_log(actor=None, action="face_image.purge", obj=image, metadata={
                    "purpose": image.purpose, "retain_until": image.retain_until.isoformat(),
                })
                image.delete()
                purged += 1


def face_sync_watchlist_photos() -> dict:
    """Enrol new or changed watchlist photos; drop templates of inactive entries."""
    from watchlists.models import PersonEntry

    enrolled = rejected = removed = 0
    stale = FaceTemplate.objects.filter(watchlist_entry__isnull=False).filter(
        Q(watchlist_entry__is_active=False) | Q(watchlist_entry__watchlist__is_active=False)
    )
    removed += face_templates_remove(actor=None, templates=list(stale), reason="watchlist entry inactive")
    entries = PersonEntry.objects.filter(is_active=True, watchlist__is_active=True).exclude(photo="").exclude(
        photo__isnull=True
    )
    for entry in entries.iterator():
        current = FaceImage.objects.filter(watchlist_entry=entry).order_by("-created_at").first()
        if current is not None and current.created_at >= entry.updated_at:
            if not FaceTemplate.objects.filter(image=current).exists():
                face_template_ensure(image=current)
            continue
        try:
            with entry.photo.open("rb") as fh:
                data = fh.read()
        except (OSError, ValueError):
            logger.warning("watchlist entry %s: photo file unreadable", entry.pk)
            rejected += 1
            continue
        try:
            result = face_capture(
                actor=None, data=data, purpose=FacePurpose.WATCHLIST, source=FaceSource.WATCHLIST,
                watchlist_entry=entry, field_name="photo", start_matching=False,
            )
        except ValidationError:
            rejected += 1
            continue
        if not result.accepted:
            rejected += 1
            continue
        old = FaceTemplate.objects.filter(watchlist_entry=entry).exclude(image=result.image)
        removed += face_templates_remove(actor=None, templates=list(old), reason="watchlist photo replaced")
        face_template_ensure(image=result.image)
        enrolled += 1
    return {"enrolled": enrolled, "rejected": rejected, "removed": removed}

