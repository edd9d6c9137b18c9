"""The local ABIS: the contract over this app's face and fingerprint engines.

- insert: the face through ``face_capture`` (quality by source, stored, encoded at once) and the
  fingers through ``fingerprint_enrol`` (all or nothing), in one transaction: when any image is
  refused nothing is written and every reason is returned. The same reference with the same images
  again is one enrolment; with other images it is refused (delete it first).
- identify: the face galleries (``biometrics.services.face_index``) and the fingerprint 1:N index
  (``fingerprint_gallery_search``), searched in this process; the probe's own reference is left out.
  Candidates keep one score per modality (no fusion here: registrations' deduplication fuses them).
  Candidates are ranked by how many modalities matched, then by the best score relative to its
  threshold. No visibility rule is applied and no hit raised: callers decide what to show.
- delete: the reference's face templates leave the galleries (``face_templates_remove``), the face
  images it inserted are deleted, its active fingers are deactivated; audited.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_log
from biometrics.abis import (
    PERSON,
    WATCHLIST_ENTRY,
    AbisResponse,
    AbisStatus,
    BiometricData,
    Candidate,
    DeleteRequest,
    FailureReason,
    IdentifyRequest,
    InsertRequest,
    ModalityScore,
    ReturnValue,
    parse_reference_id,
)
from biometrics.abis.reasons import Reason, ReasonCode, face_reason, finger_reason
from biometrics.messages import face_quality_message, fingerprint_coaching, translate
from biometrics.models.abis import AbisReference
from biometrics.models.face import (
    PERSONS_GALLERY,
    REFERENCES_GALLERY,
    FaceImage,
    FacePurpose,
    FaceTemplate,
    watchlist_gallery,
)
from biometrics.models.fingerprint import FingerprintImpression, SubjectKind

logger = logging.getLogger(__name__)

# How many gallery entries each modality is asked for, per requested candidate (a reference can
# have several face templates, a finger candidate may be at another position).
_OVERSAMPLE = 3


class _Refused(Exception):
    """Rolls an insert back when an image was refused."""

    def __init__(self, reasons: list[Reason]):
        super().__init__("refused")
        self.reasons = reasons


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fingers_digest(biometrics: BiometricData) -> str:
    if not biometrics.fingers:
        return ""
    parts = sorted(f"{f.position}:{f.impression_type}:{_digest(f.image or b'')}" for f in biometrics.fingers)
    return _digest("\n".join(parts).encode())


class LocalAbis:
    name = "local"

    # -- helpers --------------------------------------------------------------------------------
    def _response(self, request, *, failure: str = "", message: str = "", **kwargs) -> AbisResponse:
        return AbisResponse(
            id=request.id, request_id=request.request_id,
            return_value=ReturnValue.FAILED if failure else ReturnValue.SUCCESS,
            response_time=timezone.now(), failure_reason=failure, message=message, **kwargs,
        )

    @staticmethod
    def _subject(kind: str, key: str) -> dict:
        """The subject arguments of the engines for a reference."""
        if kind == PERSON:
            return {"person_id": int(key)}
        if kind == WATCHLIST_ENTRY:
            from watchlists.models import PersonEntry

            entry = PersonEntry.objects.filter(pk=int(key)).first()
            if entry is None:
                raise ValidationError({"reference_id": ["no such watchlist entry"]})
            return {"watchlist_entry": entry}
        return {}

    @staticmethod
    def _reference_of(*, person_id=None, entry_id=None, reference_id="") -> str:
        if person_id is not None:
            return f"{PERSON}:{person_id}"
        if entry_id is not None:
            return f"{WATCHLIST_ENTRY}:{entry_id}"
        return reference_id

    @staticmethod
    def _face_templates_of(reference_id: str, kind: str, key: str):
        qs = FaceTemplate.objects.all()
        if kind == PERSON:
            return qs.filter(Q(person_id=int(key)) | Q(image__reference_id=reference_id))
        if kind == WATCHLIST_ENTRY:
            return qs.filter(Q(watchlist_entry_id=int(key)) | Q(image__reference_id=reference_id))
        return qs.filter(image__reference_id=reference_id)

    @staticmethod
    def _impressions_of(reference_id: str, kind: str, key: str):
        qs = FingerprintImpression.objects.filter(is_active=True)
        if kind == PERSON:
            return qs.filter(person_id=int(key))
        if kind == WATCHLIST_ENTRY:
            return qs.filter(person_entry_id=int(key))
        return qs.filter(subject_kind=SubjectKind.REFERENCE, reference_id=reference_id)

    # -- insert ---------------------------------------------------------------------------------
    def insert(self, request: InsertRequest, *, actor=None) -> AbisResponse:
        parsed = parse_reference_id(request.reference_id)
        ref = request.reference_id
        if parsed is None:
            return self._response(request, reference_id=ref, failure=FailureReason.INVALID_REFERENCE_ID,
                                  message="reference_id must be <kind>:<key> (e.g. person:12, registration:45)")
        data = request.biometrics
        if data is None or data.empty:
            return self._response(request, reference_id=ref, failure=FailureReason.INVALID_REQUEST,
                                  message="biometrics: give a face, fingers or both")
        face_sha = _digest(data.face) if data.face else ""
        fingers_sha = _fingers_digest(data)
        kind, key = parsed
        try:
            subject = self._subject(kind, key)
        except ValidationError as exc:
            return self._response(request, reference_id=ref, failure=FailureReason.INVALID_REFERENCE_ID,
                                  message="; ".join(exc.messages))
        try:
            with transaction.atomic():
                row, created = AbisReference.objects.select_for_update().get_or_create(
                    reference_id=ref, defaults={"kind": kind, "is_active": False},
                )
                if row.is_active:
                    if row.face_sha256 == face_sha and row.fingers_sha256 == fingers_sha:
                        return self._response(request, reference_id=ref, already_enrolled=True)
                    return self._response(
                        request, reference_id=ref, failure=FailureReason.REFERENCE_EXISTS,
                        message="this reference is enrolled with other biometrics: delete it first",
                    )
                reasons: list[Reason] = []
                image = self._insert_face(data, ref, subject, actor, reasons) if data.face else None
                capture = self._insert_fingers(data, ref, subject, actor, reasons) if data.fingers else None
                if reasons:
                    raise _Refused(reasons)
                row.kind, row.face_sha256, row.fingers_sha256 = kind, face_sha, fingers_sha
                row.face_image, row.fingerprint_capture = image, capture
                row.is_active, row.deleted_at = True, None
                row.save()
                audit_log(actor=actor, action="abis_reference.insert", obj=row, metadata={
                    "reference_id": ref, "request_id": request.request_id, "face_image": getattr(image, "pk", None),
                    "fingerprint_capture": getattr(capture, "pk", None),
                    "positions": sorted(f.position for f in data.fingers) if capture else [],
                })
        except _Refused as exc:
            return self._response(request, reference_id=ref, failure=FailureReason.UNUSABLE_BIOMETRICS,
                                  message=" ".join(r.message for r in exc.reasons), reasons=tuple(exc.reasons))
        except ValidationError as exc:
            return self._response(request, reference_id=ref, failure=FailureReason.INVALID_REQUEST,
                                  message="; ".join(exc.messages))
        return self._response(request, reference_id=ref)

    def _insert_face(self, data: BiometricData, ref: str, subject: dict, actor, reasons: list[Reason]):
        from biometrics.services.face import face_capture, face_template_ensure

        purpose = FacePurpose.WATCHLIST if "watchlist_entry" in subject else FacePurpose.ENROLMENT
        try:
            result = face_capture(
                actor=actor, data=data.face, purpose=purpose, source=data.face_source, reference_id=ref,
                field_name="face", start_matching=False, **subject,
            )
        except ValidationError as exc:
            reasons.extend(_face_reasons_from_error(exc))
            return None
        if not result.accepted:
            reasons.extend(_face_reasons_from_quality(result.quality))
            return None
        # Encoded now, so that the reference is found as soon as the insert has answered.
        face_template_ensure(image=result.image)
        return result.image

    def _insert_fingers(self, data: BiometricData, ref: str, subject: dict, actor, reasons: list[Reason]):
        from biometrics.services.fingerprint import FingerInput, FingerprintInputError, fingerprint_enrol

        fingers = [FingerInput(position=f.position, image=f.image, impression_type=f.impression_type,
                               resolution_dpi=f.resolution_dpi) for f in data.fingers]
        engine_subject = {"person_id": subject["person_id"]} if "person_id" in subject else (
            {"person_entry": subject["watchlist_entry"]} if "watchlist_entry" in subject else {})
        try:
            return fingerprint_enrol(actor=actor, fingers=fingers, source="abis", reference_id=ref, **engine_subject)
        except FingerprintInputError as exc:
            reasons.extend(_finger_reasons(exc, data))
            return None

    # -- identify -------------------------------------------------------------------------------
    def identify(self, request: IdentifyRequest, *, actor=None) -> AbisResponse:
        if (request.reference_id is None) == (request.probe is None):
            return self._response(request, reference_id=request.reference_id, failure=FailureReason.INVALID_REQUEST,
                                  message="give either reference_id or probe")
        try:
            max_candidates = int(request.max_candidates)
        except (TypeError, ValueError):
            max_candidates = 0
        if request.finger_shortlist is not None and not (
                isinstance(request.finger_shortlist, int) and 1 <= request.finger_shortlist <= 5000):
            return self._response(request, reference_id=request.reference_id, failure=FailureReason.INVALID_REQUEST,
                                  message="finger_shortlist must be from 1 to 5000")
        if not 1 <= max_candidates <= 100:
            return self._response(request, reference_id=request.reference_id, failure=FailureReason.INVALID_REQUEST,
                                  message="max_candidates must be from 1 to 100")
        own_ref = request.reference_id or ""
        if request.reference_id is not None:
            parsed = parse_reference_id(request.reference_id)
            if parsed is None:
                return self._response(request, reference_id=own_ref, failure=FailureReason.INVALID_REFERENCE_ID,
                                      message="reference_id must be <kind>:<key>")
            row = AbisReference.objects.filter(reference_id=own_ref, is_active=True).first()
            if row is None:
                return self._response(request, reference_id=own_ref, failure=FailureReason.REFERENCE_NOT_FOUND,
                                      message="this reference is not enrolled")
            face_vector, finger_probes = self._enrolled_probe(row)
            kind, key = parsed
            exclude_faces = set(self._face_templates_of(own_ref, kind, key).values_list("pk", flat=True))
            exclude_fingers = set(self._impressions_of(own_ref, kind, key).values_list("pk", flat=True))
        else:
            if request.probe.empty:
                return self._response(request, failure=FailureReason.INVALID_REQUEST,
                                      message="probe: give a face, fingers or both")
            reasons: list[Reason] = []
            face_vector, finger_probes = self._probe_templates(request.probe, reasons)
            if reasons:
                return self._response(request, failure=FailureReason.UNUSABLE_BIOMETRICS,
                                      message=" ".join(r.message for r in reasons), reasons=tuple(reasons))
            exclude_faces, exclude_fingers = set(), set()

        found: dict[str, dict[str, ModalityScore]] = {}
        if face_vector is not None:
            self._search_faces(request, face_vector, exclude_faces, max_candidates, found)
        if finger_probes:
            self._search_fingers(request, finger_probes, exclude_fingers, max_candidates, found)
        found.pop(own_ref, None)
        candidates = [Candidate(reference_id=r, scores=s) for r, s in found.items()]
        if not request.include_below_threshold:
            candidates = [c for c in candidates if c.modalities_matched]
        candidates.sort(key=lambda c: (-c.modalities_matched, -max(_relative(s) for s in c.scores.values()),
                                       c.reference_id))
        candidates = candidates[:max_candidates]
        audit_log(actor=actor, action="abis.identify", object_type="biometrics.abisreference",
                  object_id=own_ref[:200] or "probe", metadata={
                      "request_id": request.request_id, "reference_id": own_ref or None,
                      "candidates": [c.reference_id for c in candidates],
                      "kinds": sorted(request.gallery.kinds) if request.gallery.kinds is not None else None,
                  })
        return self._response(request, reference_id=request.reference_id, candidates=tuple(candidates))

    def _enrolled_probe(self, row: AbisReference):
        from biometrics.fingerprint.template import deserialize
        from biometrics.services.face import face_template_ensure

        face_vector = None
        if row.face_image_id is not None:
            face_vector = face_template_ensure(image=row.face_image).embedding
        fingers = []
        if row.fingerprint_capture_id is not None:
            for imp in FingerprintImpression.objects.filter(capture_id=row.fingerprint_capture_id, is_active=True):
                fingers.append((imp.position, deserialize(bytes(imp.template)).minutiae))
        return face_vector, fingers

    def _probe_templates(self, probe: BiometricData, reasons: list[Reason]):
        """Templates of a probe that is not enrolled (nothing is stored)."""
        from biometrics.face.images import ImageError
        from biometrics.face.pipeline import analyse
        from biometrics.face.quality import policy_for_source
        from biometrics.services.face import face_model
        from biometrics.services.fingerprint import FingerInput, FingerprintInputError, fingerprints_process

        face_vector = None
        if probe.face:
            try:
                analysis = analyse(probe.face, model=face_model(), policy=policy_for_source(probe.face_source))
            except ImageError as exc:
                reasons.append(face_reason(exc.code, translate(exc.message)))
            else:
                if not analysis.quality.accepted:
                    reasons.extend(_face_reasons_from_quality(analysis.quality.as_dict()))
                else:
                    face_vector = analysis.embedding
        fingers = []
        if probe.fingers:
            try:
                processed = fingerprints_process([
                    FingerInput(position=f.position, image=f.image, impression_type=f.impression_type,
                                resolution_dpi=f.resolution_dpi) for f in probe.fingers
                ])
            except FingerprintInputError as exc:
                reasons.extend(_finger_reasons(exc, probe))
            else:
                fingers = [(p.position, p.extraction.minutiae) for p in processed]
        return face_vector, fingers

    def _search_faces(self, request, vector, exclude: set[int], max_candidates: int, found: dict) -> None:
        from biometrics.services.face import face_model
        from biometrics.services.face_index import get_registry
        from watchlists.selectors import lists_in_force

        gallery = request.gallery
        model = face_model()
        registry = get_registry(model)
        registry.sync()
        searches: list[tuple[str, float]] = []
        if gallery.admits_kind(PERSON):
            searches.append((PERSONS_GALLERY, settings.BMIS_FACE_PERSONS_THRESHOLD))
        if gallery.admits_kind(WATCHLIST_ENTRY):
            lists = lists_in_force()
            if gallery.watchlist_ids:
                lists = lists.filter(pk__in=gallery.watchlist_ids)
            searches += [(watchlist_gallery(i), settings.BMIS_FACE_WATCHLIST_THRESHOLD)
                         for i in lists.values_list("pk", flat=True)]
        if gallery.kinds is None or any(k not in (PERSON, WATCHLIST_ENTRY) for k in gallery.kinds):
            searches.append((REFERENCES_GALLERY, settings.BMIS_FACE_PERSONS_THRESHOLD))
        hits: list[tuple[float, int, float]] = []  # (distance, template id, threshold)
        k = max_candidates * _OVERSAMPLE + len(exclude)
        for name, threshold in searches:
            max_distance = 2.0 if request.include_below_threshold else threshold
            results, _backend, _size = registry.search(name, vector, k=k, max_distance=max_distance, exclude=exclude)
            hits += [(c.distance, c.id, threshold) for c in results]
        templates = {t.pk: t for t in FaceTemplate.objects.filter(pk__in=[h[1] for h in hits]).select_related(
            "image", "watchlist_entry")}
        for distance, template_id, threshold in sorted(hits):
            t = templates.get(template_id)
            if t is None:
                continue  # removed since the index was synced
            if t.watchlist_entry is not None and not t.watchlist_entry.is_active:
                continue
            ref = self._reference_of(person_id=t.person_id, entry_id=t.watchlist_entry_id,
                                     reference_id=t.image.reference_id)
            if not self._admits(gallery, ref):
                continue
            scores = found.setdefault(ref, {})
            if "face" in scores:
                continue  # the best template of this reference came first
            scores["face"] = ModalityScore(
                modality="face", score=round(max(0.0, 1.0 - distance), 4), threshold=round(1.0 - threshold, 4),
                matched=distance <= threshold,
                details={"distance": round(distance, 4), "distance_threshold": threshold, "template_id": t.pk,
                         "image_id": t.image_id, "model": f"{model.name} {model.version}"},
            )

    def _search_fingers(self, request, probes, exclude: set[int], max_candidates: int, found: dict) -> None:
        from biometrics.fingerprint import mcc
        from biometrics.services.fingerprint import fingerprint_gallery_search

        threshold = settings.BMIS_FINGERPRINT_IDENTIFY_THRESHOLD
        only = None
        if request.gallery.reference_ids is not None:
            # A named gallery: each of its references' fingers compared 1:1 (verification).
            only = set()
            for ref in request.gallery.reference_ids:
                parsed = parse_reference_id(ref)
                if parsed is None or not request.gallery.admits_kind(parsed[0]):
                    continue
                only |= set(self._impressions_of(ref, *parsed).values_list("pk", flat=True))
            if not only:
                return
        results = fingerprint_gallery_search(probes, top=max_candidates * _OVERSAMPLE, exclude=exclude,
                                             shortlist=request.finger_shortlist, only=only)
        per_ref: dict[str, dict[str, float]] = {}
        active_entries = None
        for r in results:
            ref = self._reference_of(
                person_id=r["person_id"] if r["subject_kind"] == SubjectKind.TRAVELER else None,
                entry_id=r["person_entry_id"] if r["subject_kind"] == SubjectKind.WATCHLIST else None,
                reference_id=r["reference_id"],
            )
            if not ref or not self._admits(request.gallery, ref):
                continue
            fingers = per_ref.setdefault(ref, {})
            fingers[str(r["position"])] = max(fingers.get(str(r["position"]), 0.0), r["score"])
        entry_refs = [int(ref.split(":", 1)[1]) for ref in per_ref if ref.startswith(WATCHLIST_ENTRY + ":")]
        if entry_refs:
            from watchlists.models import PersonEntry

            active_entries = set(PersonEntry.objects.filter(
                pk__in=entry_refs, is_active=True, watchlist__is_active=True).values_list("pk", flat=True))
        for ref, fingers in per_ref.items():
            if active_entries is not None and ref.startswith(WATCHLIST_ENTRY + ":") \
                    and int(ref.split(":", 1)[1]) not in active_entries:
                continue
            best = max(fingers.values())
            if best < threshold and not request.include_below_threshold:
                continue
            found.setdefault(ref, {})["fingerprint"] = ModalityScore(
                modality="fingerprint", score=round(best, 4), threshold=threshold, matched=best >= threshold,
                details={"fingers": {p: round(s, 4) for p, s in sorted(fingers.items())},
                         "matcher": mcc.MATCHER_VERSION},
            )

    @staticmethod
    def _admits(gallery, ref: str) -> bool:
        parsed = parse_reference_id(ref)
        if parsed is None or not gallery.admits_kind(parsed[0]):
            return False
        return gallery.reference_ids is None or ref in gallery.reference_ids

    # -- delete ---------------------------------------------------------------------------------
    def delete(self, request: DeleteRequest, *, actor=None) -> AbisResponse:
        from biometrics.services.face import face_templates_remove

        ref = request.reference_id
        parsed = parse_reference_id(ref)
        if parsed is None:
            return self._response(request, reference_id=ref, failure=FailureReason.INVALID_REFERENCE_ID,
                                  message="reference_id must be <kind>:<key>")
        kind, key = parsed
        reason = f"abis delete {request.request_id}" + (f": {request.reason}" if request.reason else "")
        with transaction.atomic():
            row = AbisReference.objects.select_for_update().filter(reference_id=ref, is_active=True).first()
            if row is None:
                return self._response(request, reference_id=ref, failure=FailureReason.REFERENCE_NOT_FOUND,
                                      message="this reference is not enrolled")
            templates = list(self._face_templates_of(ref, kind, key))
            removed_faces = face_templates_remove(actor=actor, templates=templates, reason=reason[:200])
            images = list(FaceImage.objects.filter(reference_id=ref))
            for image in images:
                audit_log(actor=actor, action="face_image.delete", obj=image, metadata={"reason": reason[:200]})
                image.delete()
            impressions = list(self._impressions_of(ref, kind, key).select_for_update())
            for imp in impressions:
                imp.is_active = False
                imp.save(update_fields=["is_active", "updated_at"])
            row.is_active, row.deleted_at = False, timezone.now()
            row.save(update_fields=["is_active", "deleted_at", "updated_at"])
            audit_log(actor=actor, action="abis_reference.delete", obj=row, metadata={
                "reference_id": ref, "request_id": request.request_id, "reason": request.reason[:200],
                "face_templates": removed_faces, "face_images": [i.pk for i in images],
                "fingerprint_impressions": [i.pk for i in impressions],
            })
        return self._response(request, reference_id=ref)

    # -- status ---------------------------------------------------------------------------------
    def ping(self) -> AbisStatus:
        from biometrics.fingerprint import mcc
        from biometrics.services.face import face_model

        try:
            model = face_model()
            details = {
                "face_model": f"{model.name} {model.version}", "fingerprint_matcher": mcc.MATCHER_VERSION,
                "references": AbisReference.objects.filter(is_active=True).count(),
            }
        except Exception as exc:  # noqa: BLE001 - a status check reports any failure
            logger.warning("local ABIS status check failed: %s", type(exc).__name__)
            return AbisStatus(backend=self.name, ok=False, details={"error": type(exc).__name__})
        return AbisStatus(backend=self.name, ok=True, details=details)


def _relative(score: ModalityScore) -> float:
    """A score relative to its threshold (1.0 = at the threshold), to rank across modalities."""
    return score.score / score.threshold if score.threshold > 0 else score.score


# -- reasons ------------------------------------------------------------------------------------


def _face_reasons_from_quality(quality: dict) -> list[Reason]:
    issues = [i for i in quality.get("issues") or [] if i.get("blocking", True)]
    if not issues:
        return [face_reason("no_face", face_quality_message(quality))]
    return [face_reason(i.get("code", ""), translate(i.get("message", ""))) for i in issues]


def _face_reasons_from_error(exc: ValidationError) -> list[Reason]:
    out = []
    groups = exc.error_dict.values() if hasattr(exc, "error_dict") else [exc.error_list]
    for errors in groups:
        for err in errors:
            out.append(face_reason(err.code or "corrupt", translate(" ".join(err.messages))))
    return out


def _finger_reasons(exc, data: BiometricData) -> list[Reason]:
    """One reason per refused finger and cause, from the fingerprint service's reports."""
    out: list[Reason] = []
    by_index = {r.index: r for r in exc.reports}
    for i, finger in enumerate(data.fingers):
        position = finger.position if isinstance(finger.position, int) else None
        position_errors = exc.message_dict.get(f"fingers.{i}.position", [])
        for message in position_errors:
            out.append(Reason(code=str(ReasonCode.INVALID_POSITION), modality="finger", message=message,
                              engine_code="position", position=position))
        report = by_index.get(i)
        if report is None or not report.codes:
            continue
        if report.codes[0] == "low_quality":
            coaching = report.codes[1:]
            if coaching:
                out += [finger_reason(code, fingerprint_coaching({"code": code, "message": ""})["message"], position)
                        for code in coaching]
            else:
                out.append(finger_reason("low_quality", " ".join(report.errors), position))
        else:
            for code, message in zip(report.codes, report.errors, strict=False):
                out.append(finger_reason(code, message, position))
    if not out:  # a refusal of the whole set (none, or more than ten fingers)
        out = [Reason(code=str(ReasonCode.INVALID_POSITION), modality="finger", message=m, engine_code="fingers")
               for m in exc.messages]
    return out
