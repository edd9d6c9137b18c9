"""The API always answers in JSON: unknown paths, wrong methods and unexpected errors included
(never Django's HTML debug page or a stack trace)."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _

from core.api.common import json_error

logger = logging.getLogger("bmis.api")

_GENERIC = {
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Method not allowed."),
    413: ("too_large", "The request body is too large."),
    400: ("bad_request", "The request could not be understood."),
}


class ApiJsonErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code in _GENERIC
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = _GENERIC[response.status_code]
            return json_error(response.status_code, code, _(message))
        return response

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        logger.exception("unhandled error in API view %s", request.resolver_match.view_name if request.resolver_match else "?")
        return json_error(500, "server_error", _("An internal error occurred; it has been logged."))
