"""Risk rules (issue 16 item 4): a rule is a name and a switch; what it says lives in its
versions, which are never changed once written (a change is a new version), so an inspection
always names the version that fired on it. RiskFiring keeps, per inspection, each rule version
that fired: the effect of a rule is measured from those rows and the secondary inspections
they lead to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.permissions import Role
from core.querysets import RestrictedQuerySet


class RiskAction(models.TextChoices):
    NONE = "", _("Score only")
    REFER = "refer", _("Refer to secondary inspection")


def _supervisors_only(qs, user, action: str):
    if getattr(user, "role", None) in (Role.SUPERVISOR, Role.ADMIN) and action in ("view", "change"):
        return qs
    return qs.none()


class RiskRule(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    enabled = models.BooleanField(_("enabled"), default=False)
    current_version = models.ForeignKey(
        "analytics.RiskRuleVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("current version"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        return _supervisors_only(qs, user, action)


class RiskRuleVersion(models.Model):
    """One version of a rule, immutable once saved."""

    rule = models.ForeignKey(RiskRule, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    conditions = models.JSONField(_("conditions"))
    weight = models.PositiveSmallIntegerField(_("weight"))
    action = models.CharField(_("action"), max_length=10, choices=RiskAction.choices, blank=True)
    reason = models.CharField(_("reason shown to the officer"), max_length=300)
    reason_ar = models.CharField(_("reason shown to the officer (Arabic)"), max_length=300)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["rule", "-number"]
        verbose_name = _("risk rule version")
        verbose_name_plural = _("risk rule versions")
        constraints = [models.UniqueConstraint(fields=["rule", "number"], name="risk_rule_version_unique")]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("a risk rule version is immutable: write a new version")
        super().save(*args, **kwargs)

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        return _supervisors_only(qs, user, action)


class RiskFiring(models.Model):
    """A rule version that fired on an inspection."""

    inspection = models.ForeignKey("travelers.Inspection", on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(RiskRule, on_delete=models.PROTECT, related_name="firings")
    version = models.ForeignKey(RiskRuleVersion, on_delete=models.PROTECT, related_name="firings")
    fired_at = models.DateTimeField(db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-fired_at"]
        indexes = [models.Index(fields=["rule", "fired_at"])]
        constraints = [models.UniqueConstraint(fields=["inspection", "rule"], name="risk_firing_unique")]

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        return _supervisors_only(qs, user, action)
