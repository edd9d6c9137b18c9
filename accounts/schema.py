"""OpenAPI: every operation states the scopes it requires and documents the error body."""

from __future__ import annotations

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from accounts.permissions import ScopedPermission, required_scopes_for
from core.api.common import ErrorSerializer


def first_sentence(text: str | None) -> str:
    """The opening sentence of a docstring, on one line, without its closing full stop."""
    paragraph = " ".join((text or "").strip().split("\n\n")[0].split())
    return re.split(r"(?<=\.)\s", paragraph, maxsplit=1)[0].rstrip(".")


class BMISAutoSchema(AutoSchema):
    def get_summary(self):
        """An explicit `extend_schema(summary=...)`, else the first sentence of the handler's
        docstring, else of the view's."""
        explicit = super().get_summary()
        if explicit:
            return explicit
        action = getattr(self.view, "action", None) or self.method.lower()
        handler = getattr(type(self.view), action, None)
        ours = handler is not None and (getattr(handler, "__module__", "") or "").split(".")[0] not in (
            "rest_framework", "django", "drf_spectacular")
        return first_sentence(handler.__doc__ if ours else None) or first_sentence(type(self.view).__doc__) or None

    def _scopes(self) -> frozenset[str] | None:
        if not any(isinstance(p, ScopedPermission) for p in self.view.get_permissions()):
            return None
        return required_scopes_for(self.view, self.method) or frozenset()

    def get_description(self):
        description = super().get_description() or ""
        scopes = self._scopes()
        if scopes is None:
            return description
        note = (
            "**Required scopes:** " + ", ".join(f"`{s}`" for s in sorted(scopes))
            + ". Partner clients need them granted; officers, supervisors and administrators "
            "hold them through their role."
        )
        return f"{description}\n\n{note}".strip()

    def get_extensions(self):
        scopes = self._scopes()
        return {"x-required-scopes": sorted(scopes)} if scopes else {}

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        if self._scopes() is None:
            return responses
        defaults = {
            "400": "Invalid input; `fields` names each invalid field, and each field the operation does "
                   "not know (`\"unknown field\"`, nested ones by their path such as `document.nmber`).",
            "401": "Missing, malformed, expired or revoked token.",
            "403": "The client lacks a required scope, or its agency or account is disabled.",
        }
        for status, text in defaults.items():
            if status not in responses:
                responses[status] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=text), status
                )
        return responses


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "bmis_<key id>_<secret>",
            "description": "A partner-agency API token (hashed at rest, expiring, revocable).",
        }


class DeviceCredentialScheme(OpenApiAuthenticationExtension):
    target_class = "devices.api.authentication.DeviceCredentialAuthentication"
    name = "deviceCredential"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "bmisdev_<key id>_<secret>",
            "description": "A device's own credential (registered device, hashed at rest, rotated and revoked by "
                           "supervisors); carries the devices:write scope.",
        }
