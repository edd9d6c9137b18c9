"""DRF authentication for partner-agency clients: `Authorization: Bearer bmis_<id>_<secret>`."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from accounts.services import TokenRejected, api_token_authenticate


def authorization_parts(request, *, code: str) -> list[str] | None:
    """The words of the Authorization header (None without one); a header that is not ASCII is
    refused with `code`."""
    header = get_authorization_header(request)
    if not header:
        return None
    try:
        return header.decode("ascii").split()
    except UnicodeDecodeError:
        raise exceptions.AuthenticationFailed("the Authorization header must be ASCII", code=code) from None


class ApiTokenAuthentication(BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        parts = authorization_parts(request, code="malformed_token")
        if parts is None:
            return None
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "malformed Authorization header: expected 'Bearer <token>'", code="malformed_token"
            )
        try:
            token = api_token_authenticate(parts[1])
        except TokenRejected as exc:
            raise exceptions.AuthenticationFailed(exc.message, code=exc.code) from None
        except PermissionError as exc:
            raise exceptions.PermissionDenied(str(exc), code="client_disabled") from None
        return token.client.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="bmis"'
