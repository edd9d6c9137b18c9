"""Face captures, templates and results.

The database is the source of truth: images (normalised JPEG, never served
from MEDIA_URL), templates (vector + model name/version), and every 1:1 and
1:N request with its outcome.  ``FaceTemplateChange`` is the append-only log
that search workers read to keep their in-memory indexes fresh.
"""

from __future__ import annotations

import numpy as np
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.permissions import Role, post_ids
from core.querysets import RestrictedQuerySet

__all__ = [
    "FaceIdentification",
    "FaceImage",
    "FacePurpose",
    "FaceRequestStatus",
    "FaceSource",
    "FaceTemplate",
    "FaceTemplateChange",
    "FaceVerification",
    "FaceVerdict",
]

PERSONS_GALLERY = "persons"
# Faces enrolled through the biometric contract (biometrics.abis) for references that are neither
# a traveler nor a watchlist entry (e.g. "registration:45").
REFERENCES_GALLERY = "references"


def watchlist_gallery(watchlist_id: int) -> str:
    return f"watchlist:{watchlist_id}"


class FacePurpose(models.TextChoices):
    LIVE = "live", _("Live capture at the checkpoint")
    DOCUMENT = "document", _("Portrait from the travel document")
    ENROLMENT = "enrolment", _("Enrolment of a traveler")
    WATCHLIST = "watchlist", _("Photo of a watchlist person")


class FaceSource(models.TextChoices):
    BROWSER = "browser", _("Officer's camera")
    UPLOAD = "upload", _("Uploaded file")
    DEVICE = "device", _("Device")
    DOCUMENT_PAGE = "document_page", _("Cropped from the photo page")
    CHIP = "chip", _("Document chip (DG2)")
    WATCHLIST = "watchlist", _("Watchlist entry photo")


def _post_scoped(qs, user, action):
    if action != "view":
        return qs if user.role == Role.ADMIN else qs.none()
    if user.role == Role.PARTNER:
        return qs
    allowed = post_ids(user)
    if allowed is None:
        return qs
    return qs.filter(post_id__in=allowed)


class FaceImage(models.Model):
    """An accepted face image (a capture that failed quality is never stored)."""

    purpose = models.CharField(_("purpose"), max_length=20, choices=FacePurpose.choices)
    source = models.CharField(_("source"), max_length=20, choices=FaceSource.choices)
    person_id = models.BigIntegerField(_("traveler"), null=True, blank=True, db_index=True)
    inspection_id = models.BigIntegerField(_("inspection"), null=True, blank=True, db_index=True)
    watchlist_entry = models.ForeignKey(
        "watchlists.PersonEntry", null=True, blank=True, on_delete=models.CASCADE, related_name="face_images"
    )
    post = models.ForeignKey("core.BorderPost", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    jpeg = models.BinaryField(_("image (JPEG)"), editable=False)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, editable=False)
    quality = models.JSONField(_("quality report"), default=dict)
    # The face found when the capture was checked, in this JPEG's pixels ({"box": [left, top, right,
    # bottom], "left_eye": [x, y], ...}): encoding uses it instead of detecting the face again.
    face_location = models.JSONField(_("face location"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    retain_until = models.DateTimeField(_("retain until"), null=True, blank=True, db_index=True)
    # The biometric reference (biometrics.abis) that enrolled this image, e.g. "person:12" or
    # "registration:45"; a reference that is neither a traveler nor a watchlist entry is searched
    # in the REFERENCES_GALLERY.
    reference_id = models.CharField(_("biometric reference"), max_length=100, blank=True, default="", db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("face image")
        verbose_name_plural = _("face images")
        constraints = [
            models.CheckConstraint(
                condition=~Q(purpose="watchlist") | Q(watchlist_entry__isnull=False),
                name="face_image_watchlist_has_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"face image {self.pk} ({self.purpose})"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        """Travelers' faces by border post; watchlist photos by who may see the list."""
        from watchlists.models import Watchlist

        if action != "view":
            return qs if user.role == Role.ADMIN else qs.none()
        if user.role == Role.ADMIN:
            return qs
        allowed = post_ids(user)
        travelers = Q(watchlist_entry__isnull=True)
        if allowed is not None:
            travelers &= Q(post_id__in=allowed)
        listed = Q(watchlist_entry__isnull=False) & Q(
            watchlist_entry__watchlist__in=Watchlist.objects.restrict(user, "view")
        )
        return qs.filter(travelers | listed)


class FaceTemplate(models.Model):
    """The embedding of one accepted image, for one model."""

    image = models.ForeignKey(FaceImage, on_delete=models.CASCADE, related_name="templates")
    model_name = models.CharField(max_length=60)
    model_version = models.CharField(max_length=60)
    dimension = models.PositiveSmallIntegerField()
    vector = models.BinaryField(editable=False)  # float32, little-endian
    gallery = models.CharField(max_length=40, db_index=True)  # "persons", "watchlist:<id>" or "references"
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    watchlist_entry = models.ForeignKey(
        "watchlists.PersonEntry", null=True, blank=True, on_delete=models.CASCADE, related_name="face_templates"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("face template")
        verbose_name_plural = _("face templates")
        constraints = [
            models.UniqueConstraint(fields=["image", "model_name", "model_version"], name="face_template_once_per_model"),
        ]
        indexes = [models.Index(fields=["model_name", "model_version", "gallery"])]

    def __str__(self) -> str:
        return f"face template {self.pk} ({self.model_name})"

    @property
    def embedding(self) -> np.ndarray:
        return np.frombuffer(bytes(self.vector), dtype="<f4").astype(np.float32)

    @property
    def model_key(self) -> tuple[str, str]:
        return (self.model_name, self.model_version)

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        allowed_images = FaceImage.objects.restrict(user, action)
        return qs.filter(image__in=allowed_images)


class FaceTemplateChange(models.Model):
    """Append-only log of template additions and removals (search freshness)."""

    ADD = "add"
    REMOVE = "remove"

    template_id = models.BigIntegerField()
    op = models.CharField(max_length=6, choices=[(ADD, ADD), (REMOVE, REMOVE)])
    gallery = models.CharField(max_length=40)
    model_name = models.CharField(max_length=60)
    model_version = models.CharField(max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class FaceRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class FaceVerdict(models.TextChoices):
    MATCH = "match", _("Match")
    NO_MATCH = "no_match", _("No match")
    INCONCLUSIVE = "inconclusive", _("Inconclusive (quality)")


class _FaceRequest(models.Model):
    inspection_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    post = models.ForeignKey("core.BorderPost", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=FaceRequestStatus.choices, default=FaceRequestStatus.PENDING)
    queued = models.BooleanField(
        default=False, help_text=_("False when the broker could not be reached: the work is pending, unavailable.")
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    worker_pid = models.IntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    model_name = models.CharField(max_length=60, blank=True)
    model_version = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        return _post_scoped(qs, user, action)


class FaceVerification(_FaceRequest):
    """1:1: live face against the document portrait (or a stored template)."""

    probe = models.ForeignKey(FaceImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reference = models.ForeignKey(FaceImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verdict = models.CharField(max_length=14, choices=FaceVerdict.choices, blank=True)
    distance = models.FloatField(null=True, blank=True)
    threshold = models.FloatField()
    reason = models.CharField(max_length=300, blank=True)

    class Meta(_FaceRequest.Meta):
        verbose_name = _("face verification")
        verbose_name_plural = _("face verifications")

    def __str__(self) -> str:
        return f"face verification {self.pk} ({self.status} {self.verdict})"


class FaceIdentification(_FaceRequest):
    """1:N: one probe against watchlist galleries and/or every traveler seen before."""

    probe = models.ForeignKey(FaceImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    search_watchlists = models.BooleanField(default=True)
    search_persons = models.BooleanField(default=True)
    # Watchlists searched (ids); empty with search_watchlists = every active list.
    watchlist_ids = models.JSONField(default=list, blank=True)
    candidates = models.JSONField(default=list, blank=True)
    backend = models.CharField(max_length=10, blank=True)
    gallery_size = models.PositiveIntegerField(default=0)
    raise_hits = models.BooleanField(default=True)

    class Meta(_FaceRequest.Meta):
        verbose_name = _("face identification")
        verbose_name_plural = _("face identifications")

    def __str__(self) -> str:
        return f"face identification {self.pk} ({self.status})"
