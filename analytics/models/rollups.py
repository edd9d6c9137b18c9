"""Rollups: counts kept per hour so that pages never scan the movements.

Both tables are derived data, maintained in the transaction that records each movement
(analytics.rollups.movement_fold, registered as a travelers movement listener) and rebuilt from
scratch by ``manage.py analytics_rebuild`` (analytics.rollups.rollups_rebuild), which gives the
same numbers. Ids of booths and officers are plain integers (0: no booth), so that every
dimension is NOT NULL and one unique constraint serves the upsert on both databases.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.permissions import Role, post_ids
from core.querysets import RestrictedQuerySet


def _rollup_policy(qs, user, action: str):
    """Supervisors and administrators read rollups of the posts they may see; nobody else."""
    if action != "view" or getattr(user, "role", None) not in (Role.SUPERVISOR, Role.ADMIN):
        return qs.none()
    allowed = post_ids(user)
    return qs if allowed is None else qs.filter(post_id__in=allowed)


class MovementRollup(models.Model):
    """Movements per hour (UTC, truncated) and post, direction, mode of transport, nationality
    (of the document), decision and refusal reason code (blank unless refused)."""

    hour = models.DateTimeField(_("hour"))
    post = models.ForeignKey("core.BorderPost", on_delete=models.DO_NOTHING, db_constraint=False,
                             related_name="+", verbose_name=_("post"))
    direction = models.CharField(_("direction"), max_length=10)
    transport_mode = models.CharField(_("mode of transport"), max_length=12, blank=True)
    nationality = models.CharField(_("nationality"), max_length=3, blank=True)
    decision = models.CharField(_("decision"), max_length=12)
    reason_code = models.CharField(_("reason code"), max_length=16, blank=True)
    count = models.PositiveIntegerField(_("count"), default=0)

    objects = RestrictedQuerySet.as_manager()

    DIMENSIONS = ("hour", "post_id", "direction", "transport_mode", "nationality", "decision", "reason_code")

    class Meta:
        verbose_name = _("movement rollup")
        verbose_name_plural = _("movement rollups")
        constraints = [models.UniqueConstraint(
            fields=["hour", "post", "direction", "transport_mode", "nationality", "decision", "reason_code"],
            name="movementrollup_dimensions_unique")]
        indexes = [models.Index(fields=["post", "hour"]), models.Index(fields=["hour"])]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}h post {self.post_id}: {self.count}"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        return _rollup_policy(qs, user, action)


class InspectionRollup(models.Model):
    """Decided inspections that ended in a movement, per hour of the booth's decision (UTC,
    truncated), post, booth (0: none), officer, direction and bucket of seconds from document
    read to decision (analytics.histogram: the median and 90th percentile are read from the
    summed bucket counts). Folded when the movement is recorded: a referred traveler counts once
    secondary inspection ends, at the hour of the booth's decision."""

    hour = models.DateTimeField(_("hour"))
    post = models.ForeignKey("core.BorderPost", on_delete=models.DO_NOTHING, db_constraint=False,
                             related_name="+", verbose_name=_("post"))
    booth_id = models.PositiveIntegerField(_("booth"), default=0)
    officer_id = models.PositiveIntegerField(_("officer"))
    direction = models.CharField(_("direction"), max_length=10)
    bucket = models.PositiveSmallIntegerField(_("seconds bucket"))
    count = models.PositiveIntegerField(_("count"), default=0)

    objects = RestrictedQuerySet.as_manager()

    DIMENSIONS = ("hour", "post_id", "booth_id", "officer_id", "direction", "bucket")

    class Meta:
        verbose_name = _("inspection rollup")
        verbose_name_plural = _("inspection rollups")
        constraints = [models.UniqueConstraint(
            fields=["hour", "post", "booth_id", "officer_id", "direction", "bucket"],
            name="inspectionrollup_dimensions_unique")]
        indexes = [models.Index(fields=["post", "hour"]), models.Index(fields=["hour"])]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}h booth {self.booth_id} officer {self.officer_id}: {self.count}"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        return _rollup_policy(qs, user, action)
