"""OpenAPI: every operation states the scopes it requires and documents the error body."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from accounts.permissions import ScopedPermission, required_scopes_for
from core.api.common import ErrorSerializer


class BMISAutoSchema(AutoSchema):
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
