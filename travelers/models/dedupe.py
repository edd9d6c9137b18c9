"""Deduplication candidates: two persons who may be one, with the evidence, until a supervisor decides."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.permissions import Role, post_ids
from core.querysets import RestrictedQuerySet


class CandidateStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SAME = "same", _("Same person")
    DIFFERENT = "different", _("Different persons")
    AUTO_MERGED = "auto_merged", _("Merged automatically")


class CandidateSource(models.TextChoices):
    REGISTRATION = "registration", _("Registration")
    CHECKPOINT = "checkpoint", _("Checkpoint enrolment")
    MANUAL = "manual", _("Requested")


def pair_key(a: int, b: int) -> str:
    """``"min:max"`` of two person ids: one candidate per pair, whichever came first."""
    lo, hi = sorted((int(a), int(b)))
    return f"{lo}:{hi}"


class IdentityCandidateQuerySet(RestrictedQuerySet):
    pass


class IdentityCandidate(models.Model):
    """``person`` (the newer record) may be ``other``: the scores per modality, the fused score and
    its explanation, and the supervisor's decision. One row per pair, ever: a pair decided
    "different" is not asked again."""

    person = models.ForeignKey("travelers.Person", on_delete=models.PROTECT, related_name="dedupe_candidates",
                               verbose_name=_("person"))
    other = models.ForeignKey("travelers.Person", on_delete=models.PROTECT, related_name="dedupe_candidates_as_other",
                              verbose_name=_("possible duplicate"))
    pair = models.CharField(max_length=41, unique=True, editable=False)
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    fused = models.FloatField(_("fused score"))
    llr = models.FloatField(_("log-likelihood ratio"), default=0.0)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=CandidateStatus.choices,
                              default=CandidateStatus.PENDING, db_index=True)
    source = models.CharField(_("found at"), max_length=12, choices=CandidateSource.choices,
                              default=CandidateSource.REGISTRATION)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    merge = models.ForeignKey("travelers.PersonMerge", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("merge"))

    objects = IdentityCandidateQuerySet.as_manager()

    class Meta:
        ordering = ["-fused", "-created_at", "pk"]
        verbose_name = _("identity candidate")
        verbose_name_plural = _("identity candidates")
        constraints = [
            models.CheckConstraint(condition=models.Q(fused__gte=0.0) & models.Q(fused__lte=1.0),
                                   name="identitycandidate_fused_0_1"),
            models.CheckConstraint(condition=~models.Q(person=models.F("other")),
                                   name="identitycandidate_two_persons"),
        ]

    def __str__(self) -> str:
        return f"candidate {self.pk}: person {self.person_id} / {self.other_id} ({self.status})"

    def save(self, *args, **kwargs):
        if self.person_id and self.other_id:
            self.pair = pair_key(self.person_id, self.other_id)
        super().save(*args, **kwargs)

    @property
    def is_decided(self) -> bool:
        return self.status != CandidateStatus.PENDING

    def clean(self):
        if self.person_id and self.other_id and self.person_id == self.other_id:
            raise ValidationError({"other": _("A person cannot be a duplicate of itself.")})
        if self.person_id and self.other_id:
            self.pair = pair_key(self.person_id, self.other_id)

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        """Adjudication is the supervisors' and administrators' work: they see and decide the
        candidates whose two persons they may both see (national supervisors and administrators:
        every one); nobody else sees any."""
        if user.role not in (Role.SUPERVISOR, Role.ADMIN) or action not in ("view", "decide"):
            return qs.none()
        from travelers.models.person import Person

        if post_ids(user) is None:
            return qs
        visible = Person.objects.restrict(user, "view").values("pk")
        return qs.filter(person__in=visible, other__in=visible)
