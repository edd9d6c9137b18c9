"""Device registry, device credentials, heartbeats and the events devices push.

Every event a device sends is stored (DeviceEvent, with its images in DeviceEventFile) before
anything acts on it; a device-generated ``event_id`` makes a resend return the first result.
Detections (thermal and surveillance cameras) and patrol positions keep their own rows for the
map and the incidents built from them."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from core.models import Booth, BorderPost, Sector
from core.querysets import RestrictedQuerySet
from core.validators import code_validator

MISSED_HEARTBEATS_OFFLINE = 3


class DeviceKind(models.TextChoices):
    DOCUMENT_READER = "document_reader", _("Document reader")
    CHIP_READER = "chip_reader", _("Chip reader")
    FINGERPRINT_SCANNER = "fingerprint_scanner", _("Fingerprint scanner")
    FACE_CAMERA = "face_camera", _("Face camera")
    THERMAL_CAMERA = "thermal_camera", _("Thermal camera")
    SURVEILLANCE_CAMERA = "surveillance_camera", _("Surveillance / PTZ camera")
    PATROL_HANDSET = "patrol_handset", _("Patrol handset")
    RADIO_GATEWAY = "radio_gateway", _("Radio gateway")


BOOTH_KINDS = {DeviceKind.DOCUMENT_READER, DeviceKind.CHIP_READER, DeviceKind.FINGERPRINT_SCANNER, DeviceKind.FACE_CAMERA}
BORDER_CAMERA_KINDS = {DeviceKind.THERMAL_CAMERA, DeviceKind.SURVEILLANCE_CAMERA}


class ReportedStatus(models.TextChoices):
    OK = "ok", _("OK")
    DEGRADED = "degraded", _("Degraded")
    ERROR = "error", _("Error")


class _PostScoped:
    """Devices and what they send are seen by the users of the device's post."""

    post_field = "post_id"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        if action == "view":
            allowed = user.post_ids()
            return qs if allowed is None else qs.filter(**{f"{cls.post_field}__in": allowed})
        if action == "manage":
            if user.is_administrator:
                return qs
            if getattr(user, "role", None) == Role.SUPERVISOR:
                allowed = user.post_ids()
                return qs if allowed is None else qs.filter(**{f"{cls.post_field}__in": allowed})
            return qs.none()
        return qs if user.is_administrator else qs.none()


class Device(_PostScoped, models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    kind = models.CharField(_("kind"), max_length=24, choices=DeviceKind.choices)
    vendor = models.CharField(_("vendor"), max_length=100, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    firmware = models.CharField(_("firmware"), max_length=60, blank=True)
    post = models.ForeignKey(BorderPost, on_delete=models.PROTECT, related_name="devices", verbose_name=_("post"))
    booth = models.ForeignKey(
        Booth, on_delete=models.PROTECT, null=True, blank=True, related_name="devices", verbose_name=_("booth")
    )
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, null=True, blank=True, related_name="devices", verbose_name=_("sector")
    )
    latitude = models.FloatField(
        _("latitude"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    heartbeat_seconds = models.PositiveIntegerField(
        _("heartbeat interval (seconds)"), default=30, validators=[MinValueValidator(5), MaxValueValidator(3600)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Health as last reported (heartbeats) and as judged by the server (offline_since).
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    reported_status = models.CharField(_("reported status"), max_length=10, choices=ReportedStatus.choices, blank=True)
    temperature_c = models.FloatField(_("temperature (°C)"), null=True, blank=True)
    battery_percent = models.FloatField(_("battery (%)"), null=True, blank=True)
    error_codes = models.JSONField(_("error codes"), default=list, blank=True)
    offline_since = models.DateTimeField(_("offline since"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["post__code", "code"]
        indexes = [models.Index(fields=["booth", "kind"]), models.Index(fields=["post", "kind"])]
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return self.code

    def offline_after(self) -> timedelta:
        return timedelta(seconds=MISSED_HEARTBEATS_OFFLINE * self.heartbeat_seconds)

    def is_online(self, now=None) -> bool:
        """Seen within three heartbeat intervals (and not decommissioned)."""
        if not self.is_active or self.last_seen_at is None:
            return False
        return (now or timezone.now()) - self.last_seen_at <= self.offline_after()

    @property
    def place_label(self) -> str:
        if self.booth_id:
            return str(self.booth)
        if self.sector_id:
            return str(self.sector)
        return str(self.post)


class DeviceCredential(models.Model):
    """A device's own credential (`bmisdev_<key id>_<secret>`): only the secret's hash is kept; the
    raw credential is shown once. Rotation issues a new one and revokes the old after a grace period."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="credentials")
    key_id = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("device credential")
        verbose_name_plural = _("device credentials")

    def __str__(self) -> str:
        return f"bmisdev_{self.key_id}_…"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class EventKind(models.TextChoices):
    HEARTBEAT = "heartbeat", _("Heartbeat")
    DOCUMENT = "document", _("Document read")
    CAPTURE = "capture", _("Biometric capture")
    DETECTION = "detection", _("Detection")
    POSITION = "position", _("Patrol position")


class EventStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")  # stored, not yet acted on (background work pending)
    PROCESSED = "processed", _("Processed")
    REJECTED = "rejected", _("Rejected")  # refused by the handler (e.g. no open inspection)
    FAILED = "failed", _("Failed")  # the handler broke: kept, retried when the device resends


class DeviceEvent(_PostScoped, models.Model):
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="events")
    post = models.ForeignKey(BorderPost, on_delete=models.PROTECT, related_name="+")
    event_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    device_time = models.DateTimeField()
    received_at = models.DateTimeField()
    clock_skew_seconds = models.FloatField(default=0)
    flags = models.JSONField(default=list, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=EventStatus.choices, default=EventStatus.ACCEPTED)
    result = models.JSONField(default=dict, blank=True)
    error = models.JSONField(default=dict, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["device", "event_id"], name="device_event_id_unique")]
        indexes = [models.Index(fields=["kind", "received_at"]), models.Index(fields=["post", "received_at"])]
        verbose_name = _("device event")
        verbose_name_plural = _("device events")

    def __str__(self) -> str:
        return f"{self.device_id}:{self.event_id}"


class DeviceEventFile(models.Model):
    """An image or data group an event carried (page images, chip data groups, snapshots,
    captures). Served only through views that check permissions."""

    event = models.ForeignKey(DeviceEvent, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=20)
    content_type = models.CharField(max_length=60)
    data = models.BinaryField(editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "role"], name="device_event_file_role_unique")]


class ObjectClass(models.TextChoices):
    PERSON = "person", _("Person")
    VEHICLE = "vehicle", _("Vehicle")
    ANIMAL = "animal", _("Animal")
    UNKNOWN = "unknown", _("Unknown")


class Detection(_PostScoped, models.Model):
    event = models.OneToOneField(DeviceEvent, on_delete=models.PROTECT, related_name="detection")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="detections")
    post = models.ForeignKey(BorderPost, on_delete=models.PROTECT, related_name="+")
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, null=True, blank=True, related_name="detections")
    observed_at = models.DateTimeField()
    object_class = models.CharField(max_length=10, choices=ObjectClass.choices)
    count = models.PositiveIntegerField(default=1)
    confidence = models.FloatField()
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    bearing_deg = models.FloatField(null=True, blank=True)
    distance_m = models.FloatField(null=True, blank=True)
    track_id = models.CharField(max_length=64, blank=True)
    has_snapshot = models.BooleanField(default=False)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-observed_at", "-pk"]
        indexes = [models.Index(fields=["sector", "observed_at"]), models.Index(fields=["device", "track_id"])]
        verbose_name = _("detection")
        verbose_name_plural = _("detections")


class PatrolPosition(_PostScoped, models.Model):
    event = models.OneToOneField(DeviceEvent, on_delete=models.PROTECT, related_name="position")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="positions")
    post = models.ForeignKey(BorderPost, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    latitude = models.FloatField()
    longitude = models.FloatField()
    accuracy_m = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=20, blank=True)
    message = models.CharField(max_length=500, blank=True)
    incident_ref = models.PositiveBigIntegerField(null=True, blank=True)
    # What the patrol found, when this position reports it (see PATROL_OUTCOMES).
    outcome = models.CharField(max_length=20, blank=True)
    persons = models.PositiveIntegerField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["device", "at"])]
        verbose_name = _("patrol position")
        verbose_name_plural = _("patrol positions")


# What a patrol handset may report as the outcome of the incident it was sent to.
PATROL_OUTCOMES = ("false_alarm", "animal", "apprehended", "smuggling", "no_contact")


class AlertKind(models.TextChoices):
    OFFLINE = "offline", _("Offline (missed heartbeats)")
    ERROR = "error", _("Reports an error")


class DeviceAlert(_PostScoped, models.Model):
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="alerts")
    post = models.ForeignKey(BorderPost, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    detail = models.CharField(max_length=300, blank=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["closed_at", "post"])]
        verbose_name = _("device alert")
        verbose_name_plural = _("device alerts")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
