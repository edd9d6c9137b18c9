from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Audit events are never updated or deleted by the application."""


class AuditEventQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Administrators and national supervisors read the whole trail; a post supervisor reads
        the events of the users assigned to their posts. Nobody changes it. (Duck-typed on the
        user's role so that audit depends on no other BMIS app.)"""
        if user is None or not user.is_authenticated or not user.is_active or action != "view":
            return self.none()
        role = getattr(user, "role", "")
        if role == "admin" or (role == "supervisor" and user.is_national):
            return self
        if role == "supervisor":
            return self.filter(actor_user__posts__in=user.posts.all()).distinct()
        return self.none()

    def update(self, **kwargs):  # noqa: D102 - blocked on purpose
        raise AppendOnlyError("audit events are append-only")

    def delete(self):
        raise AppendOnlyError("audit events are append-only")


class AuditEvent(models.Model):
    """One append-only, hash-chained record of something a user, agency, device or job did."""

    seq = models.BigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    actor_agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_device = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, unique=True, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit events are append-only")
        if not getattr(self, "_chained", False):
            raise AppendOnlyError("audit events are written through audit.services.audit_log")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events are append-only")
