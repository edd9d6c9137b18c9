from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.querysets import RestrictedQuerySet
from core.validators import code_validator, country_code_validator


class PostKind(models.TextChoices):
    AIRPORT = "airport", _("Airport")
    LAND = "land", _("Land crossing")
    SEAPORT = "seaport", _("Seaport")
    GREEN_BORDER = "green_border", _("Green-border patrol sector")


class BorderPost(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    name_local = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PostKind.choices)
    country = models.CharField(
        _("country"), max_length=3, default="IRQ", validators=[country_code_validator]
    )
    neighbour_country = models.CharField(
        _("neighbouring country"), max_length=3, blank=True, validators=[country_code_validator],
        help_text=_("For land crossings and green-border sectors: the country across the border."),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    open_inspection_alert_minutes = models.PositiveIntegerField(
        _("alert on inspections open longer than (minutes)"), default=10,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
        help_text=_("Supervisors see the inspections of this post left undecided for longer."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("border post")
        verbose_name_plural = _("border posts")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        """"view": the posts whose data the user may see. "inspect": where the user may open
        inspections: the same for people; a partner client (which sees every post) only at the
        posts its client is assigned to (where its agency is allowed to work)."""
        if action in ("view", "inspect"):
            allowed = user.post_ids(action)
            return qs if allowed is None else qs.filter(pk__in=allowed)
        return qs if user.is_administrator else qs.none()


def post_place_policy(qs, user, action: str):
    """Places of a post (booths, sectors): seen by the users of the post, changed by administrators."""
    if action == "view":
        allowed = user.post_ids()
        return qs if allowed is None else qs.filter(post_id__in=allowed)
    return qs if user.is_administrator else qs.none()


class BoothKind(models.TextChoices):
    PASSENGER = "passenger", _("Passenger booth")
    VEHICLE = "vehicle", _("Vehicle lane")
    FREIGHT = "freight", _("Freight lane")
    PATROL = "patrol", _("Patrol unit")


class Direction(models.TextChoices):
    ENTRY = "entry", _("Entry")
    EXIT = "exit", _("Exit")
    BOTH = "both", _("Entry and exit")


class Booth(models.Model):
    post = models.ForeignKey(BorderPost, on_delete=models.PROTECT, related_name="booths")
    code = models.CharField(_("code"), max_length=16, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=BoothKind.choices, default=BoothKind.PASSENGER)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.BOTH)
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["post__code", "code"]
        constraints = [models.UniqueConstraint(fields=["post", "code"], name="booth_code_unique_per_post")]
        verbose_name = _("booth")
        verbose_name_plural = _("booths")

    def __str__(self) -> str:
        return f"{self.post.code}/{self.code}"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        return post_place_policy(qs, user, action)


def _validate_sector_geometry(value) -> None:
    from django.core.exceptions import ValidationError

    from core.geo import validate_geometry

    errors = validate_geometry(value)
    if errors:
        raise ValidationError(errors)


class Sector(models.Model):
    """A stretch of the green border watched by cameras and patrols, owned by a post: a line along
    the border (with a buffer either side) or an area. A place like a post or a booth: devices are
    installed in it and incidents happen in it."""

    post = models.ForeignKey(BorderPost, on_delete=models.PROTECT, related_name="sectors", verbose_name=_("post"))
    code = models.CharField(_("code"), max_length=16, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    name_local = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    geometry = models.JSONField(
        _("geometry"), validators=[_validate_sector_geometry],
        help_text=_("A GeoJSON LineString (the border line watched) or Polygon, positions as [longitude, latitude]."),
    )
    buffer_m = models.PositiveIntegerField(
        _("buffer (metres)"), default=3000, validators=[MaxValueValidator(50000)],
        help_text=_("How far from the line (or outside the area) a detection may still lie in this sector."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["post__code", "code"]
        verbose_name = _("green-border sector")
        verbose_name_plural = _("green-border sectors")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        return post_place_policy(qs, user, action)

    def contains(self, latitude: float, longitude: float) -> bool:
        from core.geo import contains

        return contains(self.geometry, latitude, longitude, self.buffer_m)
