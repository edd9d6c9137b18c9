"""DRF authentication of devices: `Authorization: Bearer bmisdev_<key id>_<secret>`.

A device is not a user: the request's user is a :class:`DevicePrincipal` (authenticated, no
role, no posts) and ``request.auth`` is the DeviceCredential, whose device says where it works.
Only the device endpoints use this class; partner tokens are refused there, and device
credentials everywhere else."""

from __future__ import annotations

from dataclasses import replace

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission

from accounts.authentication import authorization_parts
from audit import context
from devices.services import CredentialRejected, device_credential_authenticate


class DevicePrincipal:
    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_administrator = False
    pk = None
    role = None

    def __init__(self, device):
        self.device = device

    def post_ids(self, action: str = "view") -> list[int]:
        return [self.device.post_id]

    def get_username(self) -> str:
        return f"device:{self.device.code}"

    def __str__(self) -> str:
        return self.get_username()


class DeviceCredentialAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = authorization_parts(request, code="malformed_credential")
        if parts is None:
            return None
        if len(parts) != 2 or parts[0].lower() != "bearer":
            raise exceptions.AuthenticationFailed(
                "malformed Authorization header: expected 'Bearer bmisdev_<key id>_<secret>'", code="malformed_credential")
        try:
            credential = device_credential_authenticate(parts[1])
        except CredentialRejected as exc:
            raise exceptions.AuthenticationFailed(exc.message, code=exc.code) from None
        # What the device's request does is audited as the device's (the audit middleware
        # restores the context it bound when the request ends).
        context.bind(replace(context.current(), device=credential.device.code))
        return DevicePrincipal(credential.device), credential

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="bmis-devices"'


class IsDevice(BasePermission):
    """An authenticated device (its credential carries the devices:write scope)."""

    message = "a device credential is required"

    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, DevicePrincipal)
