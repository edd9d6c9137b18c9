"""Face biometrics services: capture, templates, 1:1, 1:N, retention, watchlist photos.

Views, API endpoints and tasks call these; they validate, write inside one
transaction with the audit event, and hand heavy work (encoding, searching)
to Celery tasks on the ``biometrics`` queue once the transaction commits,
sending them by name (``biometrics.tasks.face`` imports this package, never
the reverse).

One module per seam; this package exports what callers import:
``capture`` (capture and enrolment, quality by source, linking faces to a
traveler), ``templates`` (encoding, removal), ``requests`` (queueing 1:1 and
1:N requests, re-queueing, failure), ``verify`` (1:1), ``identify`` (1:N),
``retention`` (purge), ``watchlist_photos`` (watchlist photo sync).
"""

from biometrics.services.face.capture import face_capture, face_inspection_link_person, face_inspection_lookup
from biometrics.services.face.common import (
    FACE_ENCODE_TASK,
    FACE_IDENTIFY_TASK,
    FACE_PURGE_TASK,
    FACE_REQUEUE_TASK,
    FACE_SYNC_WATCHLIST_PHOTOS_TASK,
    FACE_VERIFY_TASK,
    STORED_MAX_SIDE,
    CaptureResult,
    FaceProcessingError,
    face_model,
)
from biometrics.services.face.identify import face_identification_run, face_identify_image
from biometrics.services.face.requests import dispatch_request, face_request_fail, face_requeue_pending
from biometrics.services.face.retention import CHANGE_LOG_KEEP, face_purge_expired
from biometrics.services.face.templates import face_template_ensure, face_templates_remove
from biometrics.services.face.verify import face_verification_run, face_verify_images
from biometrics.services.face.watchlist_photos import face_sync_watchlist_photos

__all__ = [
    "CHANGE_LOG_KEEP",
    "FACE_ENCODE_TASK",
    "FACE_IDENTIFY_TASK",
    "FACE_PURGE_TASK",
    "FACE_REQUEUE_TASK",
    "FACE_SYNC_WATCHLIST_PHOTOS_TASK",
    "FACE_VERIFY_TASK",
    "STORED_MAX_SIDE",
    "CaptureResult",
    "FaceProcessingError",
    "dispatch_request",
    "face_capture",
    "face_identification_run",
    "face_identify_image",
    "face_inspection_link_person",
    "face_inspection_lookup",
    "face_model",
    "face_purge_expired",
    "face_request_fail",
    "face_requeue_pending",
    "face_sync_watchlist_photos",
    "face_template_ensure",
    "face_templates_remove",
    "face_verification_run",
    "face_verify_images",
]
