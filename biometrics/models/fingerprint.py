"""Fingerprint captures, templates and results.

- :class:`FingerprintCapture`: one enrolment of a set of fingers for one subject (a traveler, by
  ``person_id``, or a watchlist ``PersonEntry``), all-or-nothing.
- :class:`FingerprintImpression`: one finger of a capture: the 500 ppi image (PNG), its quality
  report and its template (minutiae) with the extractor and matcher versions. The newest active
  impression per subject and finger position is the one that is searched.
- :class:`FingerprintSearch` / :class:`FingerprintProbe`: a 1:1 verification or a 1:N
  identification request, run by a Celery task on the ``biometrics`` queue, with its result.

Images and templates carry a purpose and a retention date; ``fingerprint_purge_expired`` deletes
expired ones (audited).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.permissions import Role, post_ids
from core.querysets import RestrictedQuerySet

__all__ = [
    "FingerPosition",
    "FingerprintCapture",
    "FingerprintImpression",
    "FingerprintProbe",
    "FingerprintPurpose",
    "FingerprintSearch",
    "ImpressionType",
    "SearchKind",
    "SearchStatus",
    "SubjectKind",
]


class FingerPosition(models.IntegerChoices):
    """ANSI/NIST-ITL finger position codes 1-10."""

    RIGHT_THUMB = 1, _("right thumb")
    RIGHT_INDEX = 2, _("right index")
    RIGHT_MIDDLE = 3, _("right middle")
    RIGHT_RING = 4, _("right ring")
    RIGHT_LITTLE = 5, _("right little")
    LEFT_THUMB = 6, _("left thumb")
    LEFT_INDEX = 7, _("left index")
    LEFT_MIDDLE = 8, _("left middle")
    LEFT_RING = 9, _("left ring")
    LEFT_LITTLE = 10, _("left little")


class ImpressionType(models.TextChoices):
    PLAIN = "plain", _("plain (flat)")
    ROLLED = "rolled", _("rolled")


class SubjectKind(models.TextChoices):
    TRAVELER = "traveler", _("traveler")
    WATCHLIST = "watchlist", _("watchlist subject")
    # Enrolled through the biometric contract (biometrics.abis) under an opaque reference id that
    # is neither a traveler nor a watchlist entry (e.g. "registration:45").
    REFERENCE = "reference", _("biometric reference")


class FingerprintPurpose(models.TextChoices):
    BORDER_CONTROL = "border_control", _("border control identity")
    WATCHLIST = "watchlist", _("watchlist subject")


def _post_policy(qs, user, action: str, owner_field: str):
    """Rows at the user's posts, and rows the user made (API clients, captures without a post)."""
    if action != "view" and user.role not in (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN):
        return qs.none()
    if user.role == Role.PARTNER:
        # A partner client reads only what it submitted itself.
        return qs.filter(**{owner_field: user})
    allowed = post_ids(user)
    if allowed is None:
        return qs
    return qs.filter(Q(post_id__in=allowed) | Q(**{owner_field: user}))


class FingerprintCapture(models.Model):
    subject_kind = models.CharField(_("subject"), max_length=20, choices=SubjectKind.choices)
    person_id = models.BigIntegerField(_("traveler"), null=True, blank=True, db_index=True)
    person_entry = models.ForeignKey(
        "watchlists.PersonEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="fingerprint_captures"
    )
    inspection_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    post = models.ForeignKey("core.BorderPost", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    captured_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=20, default="upload")
    purpose = models.CharField(_("purpose"), max_length=20, choices=FingerprintPurpose.choices)
    retention_until = models.DateField(_("keep until"))
    # The biometric reference (biometrics.abis) that enrolled this capture, if any.
    reference_id = models.CharField(_("biometric reference"), max_length=100, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="fpcapture_one_subject_or_reference",
                condition=(Q(person_id__isnull=False, person_entry__isnull=True, subject_kind="traveler")
                           | Q(person_id__isnull=True, person_entry__isnull=False, subject_kind="watchlist")
                           | (Q(person_id__isnull=True, person_entry__isnull=True, subject_kind="reference")
                              & ~Q(reference_id=""))),
            )
        ]

    def __str__(self) -> str:
        return f"fingerprint capture {self.pk}"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        return _post_policy(qs, user, action, "captured_by")


class FingerprintImpression(models.Model):
    capture = models.ForeignKey(FingerprintCapture, on_delete=models.CASCADE, related_name="impressions")
    subject_kind = models.CharField(max_length=20, choices=SubjectKind.choices)
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    person_entry = models.ForeignKey(
        "watchlists.PersonEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    post = models.ForeignKey("core.BorderPost", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(
        _("finger"), choices=FingerPosition.choices, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    impression_type = models.CharField(_("impression"), max_length=10, choices=ImpressionType.choices)
    image_png = models.BinaryField(_("image (PNG, 500 ppi)"), editable=False)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    source_format = models.CharField(max_length=10)
    source_dpi = models.FloatField()
    dpi_source = models.CharField(max_length=10)
    rescaled = models.BooleanField(default=False)
    quality_score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    nfiq2 = models.PositiveSmallIntegerField(null=True, blank=True)
    quality_report = models.JSONField(default=dict)
    minutiae_count = models.PositiveIntegerField()
    template = models.BinaryField(editable=False)
    # The finger's 1:N index record (band keys and packed cylinders), so that a worker loads it
    # instead of rebuilding the cylinders; tied to the index parameters by index_version.
    index_data = models.BinaryField(null=True, editable=False)
    index_version = models.CharField(max_length=60, blank=True)
    extractor_version = models.CharField(max_length=60)
    matcher_version = models.CharField(max_length=60)
    purpose = models.CharField(max_length=20, choices=FingerprintPurpose.choices)
    retention_until = models.DateField()
    is_active = models.BooleanField(default=True, db_index=True)
    # Copied from the capture: the reference a "reference" subject is searched under.
    reference_id = models.CharField(max_length=100, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["capture_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference_id", "position"], condition=Q(is_active=True, subject_kind="reference"),
                name="fpimpression_one_active_per_reference_finger",
            ),
            models.UniqueConstraint(
                fields=["person_id", "position"], condition=Q(is_active=True, person_id__isnull=False),
                name="fpimpression_one_active_per_traveler_finger",
            ),
            models.UniqueConstraint(
                fields=["person_entry", "position"], condition=Q(is_active=True, person_entry__isnull=False),
                name="fpimpression_one_active_per_entry_finger",
            ),
            models.UniqueConstraint(fields=["capture", "position"], name="fpimpression_position_once_per_capture"),
            models.CheckConstraint(
                name="fpimpression_position_range", condition=Q(position__gte=1, position__lte=10)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_position_display()} ({self.capture_id})"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        return _post_policy(qs, user, action, "capture__captured_by")


class SearchKind(models.TextChoices):
    VERIFY = "verify", _("1:1 verification")
    IDENTIFY = "identify", _("1:N identification")


class SearchStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class FingerprintSearch(models.Model):
    kind = models.CharField(max_length=10, choices=SearchKind.choices)
    status = models.CharField(max_length=10, choices=SearchStatus.choices, default=SearchStatus.PENDING)
    person_id = models.BigIntegerField(
        _("traveler"), null=True, blank=True, db_index=True,
        help_text=_("Verification: the claimed traveler. Identification: the traveler being screened."),
    )
    inspection_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    post = models.ForeignKey("core.BorderPost", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    search_travelers = models.BooleanField(default=True)
    search_watchlists = models.BooleanField(default=True)
    threshold = models.FloatField()
    result = models.JSONField(default=dict, blank=True)
    decision = models.CharField(max_length=20, blank=True)
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"fingerprint {self.kind} {self.pk}"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        qs = _post_policy(qs, user, action, "requested_by")
        if user.role == Role.PARTNER:
            qs = qs.filter(requested_by=user)
        return qs


class FingerprintProbe(models.Model):
    """One finger presented for a search (its template only: probe images are not kept)."""

    search = models.ForeignKey(FingerprintSearch, on_delete=models.CASCADE, related_name="probes")
    position = models.PositiveSmallIntegerField(
        choices=FingerPosition.choices, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    impression_type = models.CharField(max_length=10, choices=ImpressionType.choices)
    quality_score = models.PositiveSmallIntegerField()
    minutiae_count = models.PositiveIntegerField()
    template = models.BinaryField(editable=False)

    class Meta:
        ordering = ["search_id", "position"]
        constraints = [models.UniqueConstraint(fields=["search", "position"], name="fpprobe_position_once")]
