from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.permissions import Role, post_ids
from core.models import Direction
from core.querysets import RestrictedQuerySet
from travelers.models.person import MatchRule, Person, TravelDocument, restrict_to_visible_persons

# Entry or exit (a booth may serve both; a crossing is one of the two).
TRAVEL_DIRECTIONS = [(Direction.ENTRY.value, Direction.ENTRY.label), (Direction.EXIT.value, Direction.EXIT.label)]


class ReasonUse(models.TextChoices):
    REFUSE = "refuse", _("Refusal of entry or exit")
    REFER = "refer", _("Referral to secondary inspection")
    BOTH = "both", _("Refusal or referral")


class ReasonCode(models.Model):
    """The mandatory reason for a refusal or a referral."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    label = models.CharField(_("label"), max_length=200)
    label_ar = models.CharField(_("label (Arabic)"), max_length=200, blank=True)
    use = models.CharField(_("used for"), max_length=10, choices=ReasonUse.choices)
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("reason code")
        verbose_name_plural = _("reason codes")

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    def applies_to(self, decision: str) -> bool:
        return self.is_active and self.use in (decision, ReasonUse.BOTH)

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        if action == "view":
            return qs
        return qs if user.role == Role.ADMIN else qs.none()


class TransportMode(models.TextChoices):
    AIR = "air", _("Air")
    VEHICLE = "vehicle", _("Road vehicle")
    PEDESTRIAN = "pedestrian", _("On foot")
    SEA = "sea", _("Sea")
    RAIL = "rail", _("Rail")


class Decision(models.TextChoices):
    ADMIT = "admit", _("Admit")
    REFUSE = "refuse", _("Refuse")
    REFER = "refer", _("Refer to secondary inspection")


class InspectionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("status", "Open")
    REFERRED = "referred", _("In secondary inspection")
    CLOSED = "closed", _("Closed")
    ABANDONED = "abandoned", _("Abandoned")


class AbandonReason(models.TextChoices):
    """Why an inspection ended without a decision ("Next traveler" on an undecided one)."""

    WRONG_DOCUMENT = "wrong_document", _("Wrong document or misread: read again")
    TRAVELER_LEFT = "traveler_left", _("The traveler left the booth")
    DUPLICATE = "duplicate", _("Read twice: another inspection holds the decision")
    TECHNICAL = "technical", _("Technical failure")
    OTHER = "other", _("Other (explain in the note)")


def _post_scoped(qs, user, action: str, field: str = "post_id"):
    if action == "decide" and user.role == Role.PARTNER:
        return qs.none()
    if action not in ("view", "decide"):
        return qs.none()
    allowed = post_ids(user)
    return qs if allowed is None else qs.filter(**{f"{field}__in": allowed})


class Inspection(models.Model):
    """One traveler processed at a booth: the steps done, what the officer was shown, the
    decision and the seconds from document read to decision (booth telemetry)."""

    post = models.ForeignKey("core.BorderPost", on_delete=models.PROTECT, related_name="+")
    booth = models.ForeignKey("core.Booth", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(_("direction"), max_length=10, choices=TRAVEL_DIRECTIONS)
    status = models.CharField(
        _("status"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.OPEN, db_index=True
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="inspections")
    document = models.ForeignKey(TravelDocument, on_delete=models.PROTECT, related_name="inspections")
    source = models.CharField(_("document read by"), max_length=10, choices=[("mrz", _("MRZ")), ("manual", _("Manual entry"))])
    mrz = models.TextField(_("MRZ as read"), blank=True)
    document_errors = models.JSONField(_("document problems at read"), default=list, blank=True)
    override_reason = models.TextField(_("override reason"), blank=True)
    corrected_fields = models.JSONField(
        _("fields corrected by hand"), default=list, blank=True,
        help_text=_("Fields of the MRZ as read that the officer corrected (the MRZ must then be verified)."),
    )
    supervisor_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("overridden by"),
    )
    supervisor_override_reason = models.TextField(_("supervisor's override reason"), blank=True)
    supervisor_override_at = models.DateTimeField(_("overridden at"), null=True, blank=True)
    abandon_reason = models.CharField(_("reason for abandoning"), max_length=20, choices=AbandonReason.choices,
                                      blank=True)
    abandon_note = models.TextField(_("note on abandoning"), blank=True)
    steps = models.JSONField(_("steps"), default=list, blank=True)
    stay_verdict = models.JSONField(_("permission to stay"), default=dict, blank=True)
    screening = models.JSONField(_("screening"), default=dict, blank=True)
    # The risk rules' verdict when screened (travelers.hooks.register_risk_provider): score,
    # reasons (English and Arabic), the rule ids and versions that fired, the action demanded.
    risk = models.JSONField(_("risk"), default=dict, blank=True)
    transport_mode = models.CharField(_("mode of transport"), max_length=12, choices=TransportMode.choices, blank=True)
    carrier = models.CharField(_("flight, vessel or vehicle plate"), max_length=40, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    reason_code = models.ForeignKey(ReasonCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(_("notes"), blank=True)
    read_at = models.DateTimeField(_("document read at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    seconds_to_decision = models.FloatField(_("seconds from read to decision"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-read_at"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [models.Index(fields=["post", "read_at"])]

    def __str__(self) -> str:
        return f"Inspection {self.pk} ({self.get_direction_display()})"

    @property
    def has_override(self) -> bool:
        return bool(self.override_reason)

    @property
    def link_rule(self) -> str:
        """How this read found its person (travelers.models.person.MatchRule): the same document
        seen before, the biographic key, or a new person."""
        for step in self.steps or ():
            if step.get("step") == "document_read":
                return step.get("link") or ""
        return ""

    @property
    def link_rule_label(self) -> str:
        rule = self.link_rule
        return str(MatchRule(rule).label) if rule in MatchRule.values else ""

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        return _post_scoped(qs, user, action)


class SecondaryStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class SecondaryOutcome(models.TextChoices):
    ADMIT = "admit", _("Admit")
    REFUSE = "refuse", _("Refuse")
    HANDOVER = "handover", _("Arrest: hand over to an agency")
    WITHDRAWN = "withdrawn", _("Application withdrawn")


class SecondaryInspection(models.Model):
    """The queue of referred travelers and the outcome of their secondary inspection."""

    inspection = models.OneToOneField(Inspection, on_delete=models.PROTECT, related_name="secondary")
    status = models.CharField(
        _("status"), max_length=12, choices=SecondaryStatus.choices, default=SecondaryStatus.WAITING, db_index=True
    )
    referred_at = models.DateTimeField(_("referred at"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=SecondaryOutcome.choices, blank=True)
    required_action = models.CharField(
        _("most serious hit at referral"), max_length=20, blank=True,
        help_text=_("The action of the most serious unresolved or confirmed hit when the traveler was referred."),
    )
    handover_agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("handed over to agency"),
    )
    handover_officer = models.CharField(_("received by (name, rank or badge)"), max_length=200, blank=True)
    reason_code = models.ForeignKey(ReasonCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(_("notes"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["referred_at"]
        verbose_name = _("secondary inspection")
        verbose_name_plural = _("secondary inspections")

    def __str__(self) -> str:
        return f"Secondary {self.pk} ({self.status})"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        return _post_scoped(qs, user, action, field="inspection__post_id")


class MovementDecision(models.TextChoices):
    ADMITTED = "admitted", _("Admitted")
    REFUSED = "refused", _("Refused")
    HANDED_OVER = "handed_over", _("Arrested and handed over")
    WITHDRAWN = "withdrawn", _("Application withdrawn")


class Movement(models.Model):
    """A crossing (or a refused attempt): entry or exit, where, when, by whom, how."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="movements")
    document = models.ForeignKey(TravelDocument, on_delete=models.PROTECT, related_name="movements")
    inspection = models.OneToOneField(Inspection, on_delete=models.PROTECT, related_name="movement")
    direction = models.CharField(_("direction"), max_length=10, choices=TRAVEL_DIRECTIONS)
    post = models.ForeignKey("core.BorderPost", on_delete=models.PROTECT, related_name="+")
    booth = models.ForeignKey("core.Booth", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    transport_mode = models.CharField(_("mode of transport"), max_length=12, choices=TransportMode.choices, blank=True)
    carrier = models.CharField(_("flight, vessel or vehicle plate"), max_length=40, blank=True)
    decision = models.CharField(_("decision"), max_length=12, choices=MovementDecision.choices)
    permitted_until = models.DateField(_("permitted to stay until"), null=True, blank=True)
    visa = models.ForeignKey("travelers.Visa", null=True, blank=True, on_delete=models.PROTECT, related_name="movements")
    stay_days = models.PositiveIntegerField(_("days stayed"), null=True, blank=True)
    overstay_days = models.PositiveIntegerField(_("days overstayed"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        verbose_name = _("movement")
        verbose_name_plural = _("movements")
        indexes = [models.Index(fields=["person", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.occurred_at:%Y-%m-%d %H:%M} {self.post_id}"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        """Every movement of a person the user may see (an officer needs the whole history)."""
        if action != "view":
            return qs.none()
        return restrict_to_visible_persons(qs, user)
