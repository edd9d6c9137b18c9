"""1:N: searching the watchlist galleries and the gallery of travelers seen before, raising hits."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import audit_log
from biometrics.models.face import (
    PERSONS_GALLERY,
    FaceIdentification,
    FacePurpose,
    FaceRequestStatus,
    FaceSource,
    FaceTemplate,
    watchlist_gallery,
)
from biometrics.services.face.capture import face_capture
from biometrics.services.face.common import FaceProcessingError, face_model
from biometrics.services.face.requests import _create_identification, _start, dispatch_request
from biometrics.services.face.templates import face_template_ensure


def _watchlist_ids_in_force(ids: list[int] | None) -> list[int]:
    """The lists to search (``ids``, or every list) that are in force today (watchlists' selector)."""
    from watchlists.selectors import lists_in_force

    qs = lists_in_force()
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
        for wl_id in _watchlist_ids_in_force(ident.watchlist_ids or None):
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
