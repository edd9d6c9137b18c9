"""A document read on a booth's reader, held until the officer signed in at that booth opens it.

The reader posts to the device API (devices); travelers' handler stores the read here for the
booth; the officer's checkpoint screen polls and claims it (exactly once: a conditional update
from pending) and the inspection opens as if the officer had typed the MRZ. A read nobody claims
within settings.TRAVELERS_BOOTH_READ_SECONDS expires (reported in the audit trail and the log).
The MRZ is personal data: it is kept only while the read is pending (the device event keeps what
the device sent, under devices' retention)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.permissions import Role, post_ids
from core.querysets import RestrictedQuerySet


class BoothReadStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the officer")
    CLAIMED = "claimed", _("Opened on the officer's screen")
    EXPIRED = "expired", _("Expired: nobody opened it")
    SUPERSEDED = "superseded", _("Replaced by a later read")


class BoothReadOutcome(models.TextChoices):
    NONE = "", _("None yet")
    OPENED = "opened", _("Inspection opened")
    INVALID = "invalid", _("Shown with document problems")
    REFUSED = "refused", _("Refused")


class BoothRead(models.Model):
    booth = models.ForeignKey("core.Booth", on_delete=models.PROTECT, related_name="+")
    # devices.DeviceEvent by id (the event keeps the read as sent; this row only routes it).
    device_event_id = models.BigIntegerField(unique=True)
    device_code = models.CharField(max_length=64)
    direction = models.CharField(max_length=10, blank=True)
    mrz = models.TextField(blank=True)
    received_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=BoothReadStatus.choices, default=BoothReadStatus.PENDING)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=BoothReadOutcome.choices, blank=True)
    inspection = models.ForeignKey("travelers.Inspection", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        # The poll of every signed-in booth screen: the booth's pending read, newest first.
        indexes = [models.Index(fields=["booth", "status", "received_at"], name="travelers_boothread_poll")]
        verbose_name = _("booth read")
        verbose_name_plural = _("booth reads")

    def __str__(self) -> str:
        return f"BoothRead {self.pk} ({self.status})"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        if user.role == Role.ADMIN:
            return qs
        if action != "view":
            return qs.none()
        allowed = post_ids(user)
        return qs if allowed is None else qs.filter(booth__post_id__in=allowed)
