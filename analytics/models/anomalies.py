"""Flow anomalies: an hour whose flow of travelers at a post left its expected band."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.permissions import Role, post_ids
from core.querysets import RestrictedQuerySet


class Departure(models.TextChoices):
    HIGH = "high", _("Above the expected band")
    LOW = "low", _("Below the expected band")


class FlowAlert(models.Model):
    """The flow of one post in one hour (UTC) left the band expected from the same hour of the
    week in past weeks (analytics.baseline). One alert per post and hour; a supervisor
    acknowledges it (audited)."""

    post = models.ForeignKey("core.BorderPost", on_delete=models.PROTECT, related_name="+", verbose_name=_("post"))
    hour = models.DateTimeField(_("hour"))
    observed = models.PositiveIntegerField(_("travelers counted"))
    expected = models.FloatField(_("expected"))
    low = models.FloatField(_("lower bound"))
    high = models.FloatField(_("upper bound"))
    level = models.FloatField(_("level"))
    weeks = models.PositiveSmallIntegerField(_("weeks of history"))
    departure = models.CharField(_("departure"), max_length=4, choices=Departure.choices)
    partial = models.BooleanField(_("hour still running"), default=False,
                                  help_text=_("Raised before the hour ended (the flow was already above the band)."))
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("acknowledged by"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledge_note = models.TextField(_("note"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-hour", "post__code"]
        verbose_name = _("flow alert")
        verbose_name_plural = _("flow alerts")
        constraints = [models.UniqueConstraint(fields=["post", "hour"], name="flowalert_one_per_post_hour")]

    def __str__(self) -> str:
        return f"{self.post_id} {self.hour:%Y-%m-%d %H}h {self.departure}"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        """Supervisors and administrators see and acknowledge the alerts of their posts."""
        if action not in ("view", "acknowledge") or getattr(user, "role", None) not in (Role.SUPERVISOR, Role.ADMIN):
            return qs.none()
        allowed = post_ids(user)
        return qs if allowed is None else qs.filter(post_id__in=allowed)
