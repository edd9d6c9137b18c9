"""The device registry: registration, changes, credentials (issue, rotate, revoke), decommission.
Every change is audited in its transaction; raw credentials are returned once and never stored."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from audit.services import audit_log
from core.models import Booth, BorderPost, Sector
from devices.credentials import MalformedCredential, new_credential, secret_matches, split_credential
from devices.models import BOOTH_KINDS, BORDER_CAMERA_KINDS, Device, DeviceCredential, DeviceKind

EDITABLE = ("kind", "vendor", "model", "serial", "firmware", "post", "booth", "sector", "latitude", "longitude",
            "heartbeat_seconds")
# A used credential's last_used_at is written at most this often (one write per request would
# serialise a busy camera's events on its row).
_LAST_USED_EVERY = timedelta(minutes=1)


class CredentialRejected(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _require_manager(actor, post: BorderPost) -> None:
    """Administrators register devices anywhere; supervisors at the posts they supervise; the
    system itself (actor None: management commands, the demo) everywhere."""
    if actor is None:
        return
    role = getattr(actor, "role", None)
    if role == Role.ADMIN:
        return
    if role == Role.SUPERVISOR and BorderPost.objects.restrict(actor, "view").filter(pk=post.pk).exists():
        return
    raise PermissionDenied("only administrators, and supervisors of this post, manage its devices")


def _check_place(device: Device) -> None:
    errors: dict[str, str] = {}
    if device.booth_id and device.sector_id:
        errors["sector"] = "a device is at a booth or in a sector, not both"
    if device.booth_id and device.booth.post_id != device.post_id:
        errors["booth"] = "this booth is not at the device's post"
    if device.sector_id and device.sector.post_id != device.post_id:
        errors["sector"] = "this sector is not owned by the device's post"
    if device.kind in BORDER_CAMERA_KINDS and device.booth_id:
        errors["booth"] = "a border camera is placed in a sector or at a post, not at a booth"
    if device.kind == DeviceKind.THERMAL_CAMERA and not device.sector_id:
        errors["sector"] = "a thermal camera watches a green-border sector: choose it"
    if device.kind in BORDER_CAMERA_KINDS and (device.latitude is None or device.longitude is None):
        errors["latitude"] = "a border camera needs its position (latitude and longitude)"
    if (device.latitude is None) != (device.longitude is None):
        errors["longitude" if device.longitude is None else "latitude"] = "give both latitude and longitude"
    if device.kind not in BOOTH_KINDS and device.booth_id and device.kind != DeviceKind.RADIO_GATEWAY:
        errors["booth"] = "only document readers, chip readers, scanners and face cameras sit at a booth"
    if errors:
        raise ValidationError(errors)


def _issue(*, actor, device: Device) -> str:
    raw, key_id, secret_hash = new_credential()
    DeviceCredential.objects.create(
        device=device, key_id=key_id, secret_hash=secret_hash, created_by=actor if getattr(actor, "pk", None) else None,
    )
    return raw


def device_register(
    *,
    actor,
    code: str,
    kind: str,
    post: BorderPost,
    booth: Booth | None = None,
    sector: Sector | None = None,
    vendor: str = "",
    model: str = "",
    serial: str = "",
    firmware: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    heartbeat_seconds: int = 30,
) -> tuple[Device, str]:
    """Register a device at a booth, a post or a sector; returns it with its credential (shown once)."""
    _require_manager(actor, post)
    device = Device(
        code=(code or "").strip().upper(), kind=kind, post=post, booth=booth, sector=sector,
        vendor=vendor.strip(), model=model.strip(), serial=serial.strip(), firmware=firmware.strip(),
        latitude=latitude, longitude=longitude, heartbeat_seconds=heartbeat_seconds,
    )
    device.full_clean()
    _check_place(device)
    with transaction.atomic():
        device.save()
        raw = _issue(actor=actor, device=device)
        audit_log(actor=actor, action="device.register", obj=device, metadata={
            "code": device.code, "kind": device.kind, "post": post.code,
            "booth": booth.code if booth else None, "sector": sector.code if sector else None,
        })
    return device, raw


def device_update(*, actor, device: Device, **changes) -> Device:
    """Change a device's description or place (audited with the old and new values)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: "this field cannot be changed" for name in sorted(unknown)})
    _require_manager(actor, device.post)
    if "post" in changes:
        _require_manager(actor, changes["post"])
    with transaction.atomic():
        device = Device.objects.select_for_update().get(pk=device.pk)
        before = {name: getattr(device, name) for name in changes}
        for name, value in changes.items():
            setattr(device, name, value.strip() if isinstance(value, str) and name != "kind" else value)
        device.full_clean()
        _check_place(device)
        diff = {name: [str(before[name]) if before[name] is not None else None,
                       str(getattr(device, name)) if getattr(device, name) is not None else None]
                for name in changes if before[name] != getattr(device, name)}
        if diff:
            device.save()
            audit_log(actor=actor, action="device.update", obj=device, changes=diff)
    return device


def device_credential_rotate(*, actor, device: Device, grace_minutes: int = 0) -> str:
    """Issue a new credential; the old ones stop working now, or after `grace_minutes` (time to
    configure the device with the new one)."""
    _require_manager(actor, device.post)
    if not device.is_active:
        raise ValidationError({"device": "a decommissioned device gets no credential"})
    if not 0 <= grace_minutes <= 7 * 24 * 60:
        raise ValidationError({"grace_minutes": "between 0 and 10080 minutes (a week)"})
    now = timezone.now()
    with transaction.atomic():
        old = DeviceCredential.objects.select_for_update().filter(device=device, revoked_at__isnull=True)
        old_ids = list(old.values_list("key_id", flat=True))
        if grace_minutes:
            old.filter(expires_at__isnull=True).update(expires_at=now + timedelta(minutes=grace_minutes))
        else:
            old.update(revoked_at=now)
        raw = _issue(actor=actor, device=device)
        audit_log(actor=actor, action="device.credential_rotate", obj=device, metadata={
            "replaced": old_ids, "grace_minutes": grace_minutes,
        })
    return raw


def device_revoke(*, actor, device: Device, reason: str) -> Device:
    """Decommission a device (lost, stolen, replaced): its credentials stop working at once."""
    _require_manager(actor, device.post)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": "say why the device is revoked (at least 5 characters)"})
    now = timezone.now()
    with transaction.atomic():
        device = Device.objects.select_for_update().get(pk=device.pk)
        if not device.is_active:
            raise ValidationError({"device": "this device is already revoked"})
        device.is_active = False
        device.save(update_fields=["is_active", "updated_at"])
        revoked = DeviceCredential.objects.filter(device=device, revoked_at__isnull=True).update(revoked_at=now)
        audit_log(actor=actor, action="device.revoke", obj=device, metadata={"reason": reason, "credentials": revoked})
    return device


def device_reactivate(*, actor, device: Device) -> tuple[Device, str]:
    """Bring a revoked device back (found, repaired) with a new credential."""
    _require_manager(actor, device.post)
    with transaction.atomic():
        device = Device.objects.select_for_update().get(pk=device.pk)
        if device.is_active:
            raise ValidationError({"device": "this device is active"})
        device.is_active = True
        device.offline_since = None
        device.save(update_fields=["is_active", "offline_since", "updated_at"])
        raw = _issue(actor=actor, device=device)
        audit_log(actor=actor, action="device.reactivate", obj=device)
    return device, raw


def device_credential_authenticate(raw: str) -> DeviceCredential:
    """The credential (with its device) that `raw` proves, or CredentialRejected."""
    try:
        key_id, secret = split_credential(raw)
    except MalformedCredential as exc:
        raise CredentialRejected("malformed_credential", str(exc)) from None
    # get() on the unique key: no ORDER BY to build and sort (first() adds one), one row at most.
    try:
        credential = (DeviceCredential.objects.select_related("device", "device__booth", "device__sector", "device__post")
                      .get(key_id=key_id))
    except DeviceCredential.DoesNotExist:
        credential = None
    if credential is None or not secret_matches(secret, credential.secret_hash):
        raise CredentialRejected("invalid_credential", "unknown device credential")
    now = timezone.now()
    if not credential.is_usable(now):
        raise CredentialRejected("credential_revoked", "this device credential was revoked or has expired")
    if not credential.device.is_active:
        raise CredentialRejected("device_revoked", "this device has been decommissioned")
    if credential.last_used_at is None or now - credential.last_used_at > _LAST_USED_EVERY:
        DeviceCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
        credential.last_used_at = now
    return credential
