"""Deduplication after a traveler's face or fingers are enrolled at a checkpoint.

Biometrics (a lower layer) never imports travelers: this module listens to the enrolment rows it
saves (a face template in the persons gallery, a fingerprint capture of a traveler) and queues the
``travelers.dedupe_person`` task once the enrolment commits. Enrolments made through the biometric
contract (a reference id: registrations) are left out: their caller dispatches deduplication itself.

Without a broker (tasks run eagerly, in the request) the hook is off unless
``BMIS_DEDUPE_ON_ENROLMENT`` is set, so that a checkpoint capture never waits for a 1:N search.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import post_save

from core.tasks import enqueue_on_commit


def enabled() -> bool:
    default = not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)
    return bool(getattr(settings, "BMIS_DEDUPE_ON_ENROLMENT", default))


def _dispatch(person_id) -> None:
    from travelers.models import CandidateSource
    from travelers.tasks import dedupe_person_task

    enqueue_on_commit(dedupe_person_task, int(person_id), CandidateSource.CHECKPOINT)


def face_template_saved(sender, instance, created, **kwargs) -> None:
    from biometrics.models.face import PERSONS_GALLERY

    if not created or not enabled() or instance.person_id is None or instance.gallery != PERSONS_GALLERY:
        return
    if instance.image.reference_id:
        return
    _dispatch(instance.person_id)


def fingerprint_capture_saved(sender, instance, created, **kwargs) -> None:
    if not created or not enabled() or instance.person_id is None or instance.reference_id:
        return
    _dispatch(instance.person_id)


def connect() -> None:
    from biometrics.models.face import FaceTemplate
    from biometrics.models.fingerprint import FingerprintCapture

    post_save.connect(face_template_saved, sender=FaceTemplate, dispatch_uid="travelers.dedupe.face")
    post_save.connect(fingerprint_capture_saved, sender=FingerprintCapture, dispatch_uid="travelers.dedupe.fingers")
