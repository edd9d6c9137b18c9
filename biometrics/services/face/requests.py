"""1:1 and 1:N request bookkeeping: creating, queueing, marking running or failed, re-queueing."""

from __future__ import annotations

import os
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_log
from biometrics.models.face import FaceIdentification, FaceRequestStatus, FaceVerification
from biometrics.services.face.common import FACE_IDENTIFY_TASK, FACE_VERIFY_TASK, send_task


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


def dispatch_request(request_obj) -> bool:
    """Queue a pending 1:1 or 1:N request; record whether the broker took it."""
    task = FACE_VERIFY_TASK if isinstance(request_obj, FaceVerification) else FACE_IDENTIFY_TASK
    # Mark queued first: in eager mode the task runs (and finishes) inside enqueue().
    type(request_obj).objects.filter(pk=request_obj.pk).update(queued=True)
    ok = send_task(task, request_obj.pk)
    if not ok:
        type(request_obj).objects.filter(pk=request_obj.pk, status=FaceRequestStatus.PENDING).update(queued=False)
    request_obj.queued = ok
    return ok


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
