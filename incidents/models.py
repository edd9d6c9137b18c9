"""Green-border incidents: detections of the border cameras grouped into incidents, a patrol
dispatched to each, the contact and the outcome (the link registrations will read)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.querysets import RestrictedQuerySet
from devices.models import ObjectClass


class IncidentStatus(models.TextChoices):
    NEW = "new", _("New")
    DISPATCHED = "dispatched", _("Patrol dispatched")
    ON_SCENE = "on_scene", _("Patrol on scene")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (IncidentStatus.NEW, IncidentStatus.DISPATCHED, IncidentStatus.ON_SCENE)


# When the detections of one incident disagree, the incident shows the most significant class.
CLASS_RANK = {ObjectClass.PERSON: 3, ObjectClass.VEHICLE: 2, ObjectClass.ANIMAL: 1, ObjectClass.UNKNOWN: 0}


class Outcome(models.TextChoices):
    FALSE_ALARM = "false_alarm", _("False alarm")
    ANIMAL = "animal", _("Animal")
    APPREHENDED = "apprehended", _("Persons apprehended")
    SMUGGLING = "smuggling", _("Smuggling")
    NO_CONTACT = "no_contact", _("No contact")


class ContactSource(models.TextChoices):
    POSITION = "position", _("Patrol position near the incident")
    STATUS = "status", _("Patrol reported on scene")
    SUPERVISOR = "supervisor", _("Recorded by a supervisor")


class Incident(models.Model):
    post = models.ForeignKey("core.BorderPost", on_delete=models.PROTECT, related_name="incidents")
    sector = models.ForeignKey("core.Sector", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="incidents")
    # The camera whose detection opened the incident: the per-camera statistics count by it.
    camera = models.ForeignKey("devices.Device", on_delete=models.PROTECT, related_name="incidents_opened")
    status = models.CharField(_("status"), max_length=12, choices=IncidentStatus.choices,
                              default=IncidentStatus.NEW, db_index=True)
    object_class = models.CharField(_("object"), max_length=10, choices=ObjectClass.choices,
                                    default=ObjectClass.UNKNOWN)
    first_detection_at = models.DateTimeField(_("first detection"))
    last_detection_at = models.DateTimeField(_("last detection"), db_index=True)
    detection_count = models.PositiveIntegerField(_("detections"), default=0)
    max_count = models.PositiveIntegerField(_("largest count seen"), default=0)
    # Where the last detection placed it (WGS 84); null when no detection gave a position.
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    patrol = models.ForeignKey("devices.Device", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="incidents_dispatched")
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    contact_at = models.DateTimeField(_("patrol contact"), null=True, blank=True)
    contact_source = models.CharField(_("contact from"), max_length=12, choices=ContactSource.choices, blank=True)

    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True, db_index=True)
    # Apprehension: how many persons (registrations of irregular migrants start from here).
    persons_count = models.PositiveIntegerField(_("persons apprehended"), null=True, blank=True,
                                                validators=[MinValueValidator(1), MaxValueValidator(10_000)])
    outcome_note = models.CharField(_("note"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    closed_by_device = models.CharField(_("closed by device"), max_length=64, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-last_detection_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["post", "status", "-last_detection_at"], name="incident_post_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="apprehended", persons_count__gte=1)
                | (~models.Q(outcome="apprehended") & models.Q(persons_count__isnull=True)),
                name="incident_persons_only_for_apprehension",
            ),
            models.CheckConstraint(
                condition=models.Q(status="closed", closed_at__isnull=False) & ~models.Q(outcome="")
                | (~models.Q(status="closed") & models.Q(outcome="")),
                name="incident_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"INC-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status != IncidentStatus.CLOSED

    @property
    def seconds_to_contact(self) -> float | None:
        if self.contact_at is None:
            return None
        return max(0.0, (self.contact_at - self.first_detection_at).total_seconds())

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        """Supervisors see and act on the incidents of their posts (national ones, and partners
        reading through the API, every post); officers reach none through the pages (role)."""
        if action in ("view", "change"):
            allowed = user.post_ids()
            return qs if allowed is None else qs.filter(post_id__in=allowed)
        return qs if user.is_administrator else qs.none()


class IncidentDetection(models.Model):
    """A detection attached to its incident: one incident per detection (the handler that
    attaches it may run twice; the second finds the row and does nothing)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links")
    detection = models.OneToOneField("devices.Detection", on_delete=models.PROTECT, related_name="incident_link")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("incident detection")
        verbose_name_plural = _("incident detections")
