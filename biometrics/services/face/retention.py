"""Retention: purging face images past their date, with their templates, audited."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from audit.services import audit_log
from biometrics.models.face import FaceImage, FaceTemplate, FaceTemplateChange
from biometrics.services.face.templates import face_templates_remove

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
