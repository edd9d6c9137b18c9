"""Civil-registry answers (a cache with an expiry) and the checks made against the registry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.querysets import RestrictedQuerySet
from travelers.models.person import restrict_to_visible_persons


class RegistryAnswer(models.Model):
    """The registry's last answer for one national ID number, kept until ``expires_at``.

    A table rather than Django's cache: the web processes and the Celery workers share it on the
    embedded default too (the local-memory cache is per process), it survives restarts, its age is
    shown to the officer, and the daily purge of expired answers (personal data) is a query."""

    national_id_number = models.CharField(_("national ID number"), max_length=20, unique=True)
    identity = models.JSONField(_("registered identity"), default=dict)
    face_image = models.BinaryField(_("face image"), null=True, blank=True)
    fetched_at = models.DateTimeField(_("fetched at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("civil-registry answer")
        verbose_name_plural = _("civil-registry answers")

    def __str__(self) -> str:
        return f"registry answer {self.pk}"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        return qs.none()  # read through RegistryCheck and the services only


class RegistryStatus(models.TextChoices):
    MATCHES = "matches", _("matches")
    DIFFERS = "differs", _("differs")
    NOT_FOUND = "not_found", _("not found")
    NOT_CHECKED = "not_checked", _("registry not checked")


class RegistryCheck(models.Model):
    """One check of a national ID number against the civil registry, for a reason (an inspection,
    a registration), with its outcome; a check the registry did not answer is retried later."""

    national_id_number = models.CharField(_("national ID number"), max_length=20, db_index=True)
    reason = models.CharField(_("reason"), max_length=40)
    inspection = models.ForeignKey(
        "travelers.Inspection", null=True, blank=True, on_delete=models.PROTECT, related_name="registry_checks"
    )
    person = models.ForeignKey(
        "travelers.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="registry_checks"
    )
    document = models.ForeignKey(
        "travelers.TravelDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="registry_checks"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("outcome"), max_length=12, choices=RegistryStatus.choices)
    differences = models.JSONField(_("fields that differ"), default=list, blank=True)
    from_cache = models.BooleanField(_("answered from the cache"), default=False)
    face_shared = models.BooleanField(_("face image shared"), default=False)
    error = models.CharField(_("why not checked"), max_length=40, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    created_at = models.DateTimeField(_("asked at"))
    checked_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("civil-registry check")
        verbose_name_plural = _("civil-registry checks")

    def __str__(self) -> str:
        return f"registry check {self.pk} ({self.status})"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        if action != "view":
            return qs.none()
        return restrict_to_visible_persons(qs, user)
