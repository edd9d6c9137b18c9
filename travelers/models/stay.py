from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.permissions import Role
from core.querysets import RestrictedQuerySet
from travelers.models.person import Person, TravelDocument, restrict_to_visible_persons
from travelers.validators import icao_code_validator


class StayRegime(models.TextChoices):
    NATIONAL = "national", _("National (no limit)")
    VISA_EXEMPT = "visa_exempt", _("Visa exempt")
    VISA_ON_ARRIVAL = "visa_on_arrival", _("Visa on arrival")
    VISA_REQUIRED = "visa_required", _("Visa required")


class StayRule(models.Model):
    """The entry regime for holders of one nationality, with the maximum stay within a period
    (for example 90 days within any 180)."""

    nationality = models.CharField(_("nationality"), max_length=3, unique=True, validators=[icao_code_validator])
    regime = models.CharField(_("regime"), max_length=20, choices=StayRegime.choices)
    max_stay_days = models.PositiveSmallIntegerField(
        _("maximum stay (days)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    period_days = models.PositiveSmallIntegerField(
        _("within a period of (days)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["nationality"]
        verbose_name = _("stay rule")
        verbose_name_plural = _("stay rules")

    def __str__(self) -> str:
        return f"{self.nationality}: {self.get_regime_display()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.regime in (StayRegime.VISA_EXEMPT, StayRegime.VISA_ON_ARRIVAL) and not self.max_stay_days:
            raise ValidationError({"max_stay_days": _("A visa-exempt or visa-on-arrival rule needs a maximum stay.")})
        if self.period_days and self.max_stay_days and self.period_days < self.max_stay_days:
            raise ValidationError({"period_days": _("The period cannot be shorter than the maximum stay.")})

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        if action == "view":
            return qs
        return qs if user.role in (Role.SUPERVISOR, Role.ADMIN) else qs.none()


class VisaCategory(models.TextChoices):
    VISA = "visa", _("Visa")
    VISA_ON_ARRIVAL = "visa_on_arrival", _("Visa on arrival")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    WORK_PERMIT = "work_permit", _("Work permit")


class Visa(models.Model):
    """A visa or permit: validity dates, entries allowed and used, maximum duration of stay."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="visas")
    category = models.CharField(_("category"), max_length=20, choices=VisaCategory.choices)
    number = models.CharField(_("number"), max_length=35)
    issuing_state = models.CharField(_("issuing state"), max_length=3, validators=[icao_code_validator])
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    entries_allowed = models.PositiveSmallIntegerField(
        _("entries allowed"), default=1, help_text=_("0 means any number of entries.")
    )
    entries_used = models.PositiveSmallIntegerField(_("entries used"), default=0)
    max_stay_days = models.PositiveSmallIntegerField(
        _("maximum stay per entry (days)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    document = models.ForeignKey(
        TravelDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="visas",
        help_text=_("The visa's own machine-readable document, when it was scanned."),
    )
    revoked = models.BooleanField(_("revoked"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_until"]
        verbose_name = _("visa or permit")
        verbose_name_plural = _("visas and permits")
        constraints = [
            models.UniqueConstraint(fields=["issuing_state", "category", "number"], name="visa_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.number}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("A visa cannot end before it starts.")})

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        if action == "change" and user.role not in (Role.SUPERVISOR, Role.ADMIN):
            return qs.none()
        if action not in ("view", "change"):
            return qs.none()
        return restrict_to_visible_persons(qs, user)


class Overstay(models.Model):
    """A person whose permitted stay ended without an exit (found by the daily scan)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="overstays")
    entry = models.OneToOneField("travelers.Movement", on_delete=models.PROTECT, related_name="overstay")
    permitted_until = models.DateField(_("permitted until"))
    detected_at = models.DateTimeField(_("detected at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    exit = models.ForeignKey(
        "travelers.Movement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["permitted_until"]
        verbose_name = _("overstay")
        verbose_name_plural = _("overstays")

    def __str__(self) -> str:
        return f"{self.person} overstay since {self.permitted_until}"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        if action != "view":
            return qs.none()
        return restrict_to_visible_persons(qs, user)
