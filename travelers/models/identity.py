"""The identities a person was known under, and merges of two person records (issue 15).

A person may give a different name at each encounter: every name as given (with its script,
birth date and its precision, where, when and by whom) is a ``PersonIdentity``. When two person
records turn out to be the same human being, one is merged into the other: the merged-away
record stays as a tombstone (``Person.merged_into``) and ``PersonMerge.moved`` lists exactly the
rows that moved, so that the merge can be undone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.querysets import RestrictedQuerySet
from travelers.models.person import (
    BirthDateMixin,
    Person,
    ReadableNameMixin,
    Sex,
    restrict_to_visible_persons,
)


class IdentitySource(models.TextChoices):
    DOCUMENT = "document", _("Travel document")
    REGISTRATION = "registration", _("Field registration")
    DECLARED = "declared", _("Declared by the person")
    REGISTRY = "registry", _("Civil registry")


class BirthPrecision(models.TextChoices):
    EXACT = "exact", _("Exact date")
    MONTH = "month", _("Month and year")
    YEAR = "year", _("Year only")
    ESTIMATED = "estimated", _("Estimated age")


class PersonIdentity(ReadableNameMixin, BirthDateMixin):
    """One name a person was known under, as given."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="identities")
    source = models.CharField(_("source"), max_length=20, choices=IdentitySource.choices)
    source_ref = models.CharField(_("source reference"), max_length=60, blank=True, db_index=True)
    primary_identifier = models.CharField(_("surname"), max_length=100)
    secondary_identifier = models.CharField(_("given names"), max_length=100, blank=True)
    name_original = models.CharField(_("name as given"), max_length=200, blank=True)
    birth_precision = models.CharField(_("birth date precision"), max_length=10, choices=BirthPrecision.choices,
                                       blank=True)
    estimated_age = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNSPECIFIED)
    nationality = models.CharField(_("nationality"), max_length=3, default="XXX")
    place_of_origin = models.CharField(_("place of origin"), max_length=200, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    post = models.ForeignKey("core.BorderPost", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place = models.CharField(_("place"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("identity")
        verbose_name_plural = _("identities")

    def __str__(self) -> str:
        return f"{self.primary_identifier}, {self.secondary_identifier}".strip(", ")

    @property
    def full_name(self) -> str:
        return f"{self.primary_identifier} {self.secondary_identifier}".strip()

    @property
    def source_kind_id(self) -> tuple[str, int | None]:
        """("document", 5) for "document:5"; (kind, None) when there is no numeric key."""
        kind, _sep, key = (self.source_ref or "").partition(":")
        return kind, int(key) if key.isdigit() else None

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        if action != "view":
            return qs.none()
        return restrict_to_visible_persons(qs, user)


class PersonMerge(models.Model):
    """``source`` merged into ``target``: what moved, who did it and why; reversible."""

    source = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_out")
    target = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_in")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    candidate_id = models.BigIntegerField(null=True, blank=True)
    # {kind: [ids]} of every row re-pointed from source to target (see travelers.services.identity).
    moved = models.JSONField(default=dict, blank=True)
    merged_at = models.DateTimeField(_("merged at"), default=timezone.now)
    reverted_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revert_reason = models.TextField(_("reason for undoing"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-merged_at", "-pk"]
        verbose_name = _("merge of persons")
        verbose_name_plural = _("merges of persons")

    def __str__(self) -> str:
        return f"person {self.source_id} into {self.target_id}"

    @property
    def is_reverted(self) -> bool:
        return self.reverted_at is not None

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        if action != "view":
            return qs.none()
        return restrict_to_visible_persons(qs, user, prefix="target__")
