"""Face tasks (queue ``biometrics``).

Each takes an id, loads the request and calls one service.  ``acks_late``
with the project's ``task_reject_on_worker_lost`` means a worker killed in the
middle of a task does not lose it: the broker hands the message to another
worker, and the service picks the request up again (the ``attempts`` counter
shows it).  Database hiccups are retried with back-off; a request that still
fails is marked failed, so the screen stops waiting.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.signals import worker_process_init
from django.db import InterfaceError, OperationalError

from biometrics.models.face import FaceIdentification, FaceVerification
from biometrics.services import face as services

logger = logging.getLogger(__name__)

_RETRY = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
}


class FaceRequestTask(Task):
    """Marks the request failed once retries are exhausted (or on a hard error)."""

    abstract = True
    request_model = None

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        if self.request_model is not None and args:
            try:
                services.face_request_fail(model_cls=self.request_model, pk=int(args[0]), error=type(exc).__name__)
            except Exception:  # noqa: BLE001 - never mask the original failure
                logger.exception("could not mark face request failed")


class _VerifyTask(FaceRequestTask):
    request_model = FaceVerification


class _IdentifyTask(FaceRequestTask):
    request_model = FaceIdentification


@shared_task(name=services.FACE_ENCODE_TASK, **_RETRY)
def face_encode(self, image_id: int) -> int | None:
    from biometrics.models.face import FaceImage

    image = FaceImage.objects.filter(pk=image_id).first()
    if image is None:
        return None  # purged before the worker got to it
    return services.face_template_ensure(image=image).pk


# Tasks return ids only: Celery logs return values, and results stay in the database.
@shared_task(name=services.FACE_VERIFY_TASK, base=_VerifyTask, **_RETRY)
def face_verify(self, verification_id: int) -> int:
    return services.face_verification_run(verification_id=verification_id).pk


@shared_task(name=services.FACE_IDENTIFY_TASK, base=_IdentifyTask, **_RETRY)
def face_identify(self, identification_id: int) -> int:
    return services.face_identification_run(identification_id=identification_id).pk


@shared_task(name=services.FACE_PURGE_TASK, **_RETRY)
def face_purge_expired(self) -> int:
    return services.face_purge_expired()


@shared_task(name=services.FACE_REQUEUE_TASK, **_RETRY)
def face_requeue_pending(self) -> int:
    return services.face_requeue_pending()


@shared_task(name=services.FACE_SYNC_WATCHLIST_PHOTOS_TASK, **_RETRY)
def face_sync_watchlist_photos(self) -> dict:
    return services.face_sync_watchlist_photos()  # counts only


def _warm(**_kwargs) -> None:
    """Build the search galleries from the database when a worker process starts
    (only in workers that consume the ``biometrics`` queue)."""
    from celery import current_app

    from biometrics.services.face_index import get_registry

    consuming = current_app.amqp.queues.consume_from or {}
    if consuming and "biometrics" not in consuming:
        return
    try:
        get_registry(services.face_model()).warm()
    except Exception:  # noqa: BLE001 - a worker must still start; searches warm lazily
        logger.exception("face galleries could not be built at worker start")


worker_process_init.connect(_warm, weak=False)
