"""What the face services share: the model, the capture result, task names, small checks."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from biometrics.face.embedding import get_model
from biometrics.models.face import FaceIdentification, FaceImage, FaceVerification
from core.tasks import enqueue, registered_task

logger = logging.getLogger("biometrics.services.face")

# Longest side of the stored image (the working image is at most 2048 px).
STORED_MAX_SIDE = 1600

# Celery task names (biometrics.tasks.face registers them). The services send work by name
# through core.tasks: tasks import services, never the reverse.
FACE_ENCODE_TASK = "biometrics.face_encode"
FACE_VERIFY_TASK = "biometrics.face_verify"
FACE_IDENTIFY_TASK = "biometrics.face_identify"
FACE_PURGE_TASK = "biometrics.face_purge_expired"
FACE_REQUEUE_TASK = "biometrics.face_requeue_pending"
FACE_SYNC_WATCHLIST_PHOTOS_TASK = "biometrics.face_sync_watchlist_photos"


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


def _retain_until(purpose: str):
    days = settings.BMIS_FACE_RETENTION_DAYS.get(purpose)
    return timezone.now() + timedelta(days=days) if days else None


def _validate_choice(value: str, choices, name: str) -> None:
    if value not in choices.values:
        raise ValidationError({name: [f"must be one of: {', '.join(choices.values)}"]})


def send_task(name: str, *args) -> bool:
    """Send the task registered as ``name`` now; False when the broker did not take it (or no
    worker module registers it)."""
    task = registered_task(name)
    if task is None:
        logger.warning("task %s is not registered; not queued", name)
        return False
    return enqueue(task, *args)
