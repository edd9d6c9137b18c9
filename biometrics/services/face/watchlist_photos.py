"""Watchlist photo sync: enrolling new or changed entry photos into the list's gallery."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db.models import Q

from biometrics.models.face import FaceImage, FacePurpose, FaceSource, FaceTemplate
from biometrics.services.face.capture import face_capture
from biometrics.services.face.templates import face_template_ensure, face_templates_remove

logger = logging.getLogger("biometrics.services.face")


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
