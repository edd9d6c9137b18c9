"""The API always answers in JSON: unknown paths, wrong methods, bad or oversized requests and
unexpected errors included (never Django's HTML debug page or a stack trace).

Request size: Django's DATA_UPLOAD_MAX_MEMORY_SIZE applies to form data only, while DRF's JSON
parser reads the whole body into memory.  An API request whose Content-Length exceeds
``BMIS_API_MAX_BODY_BYTES`` is answered 413 here, before anything reads its body.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.utils.translation import gettext as _

from core.api.common import json_error
from core.logsafe import log_failure

logger = logging.getLogger("bmis.api")

_GENERIC = {
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Method not allowed."),
    413: ("too_large", "The request body is too large."),
    400: ("bad_request", "The request could not be understood."),
}


def _content_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.0f}"


class ApiJsonErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            length = _content_length(request)
            if length is None:
                return json_error(400, "bad_request", _("The Content-Length header is not a number."))
            limit = settings.BMIS_API_MAX_BODY_BYTES
            if length > limit:
                return json_error(413, "too_large", _(
                    "The request body is too large: %(size)s MB; the limit is %(limit)s MB."
                ) % {"size": _megabytes(length), "limit": _megabytes(limit)})
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
        # Bad input caught by Django's request parsing: the client's fault, not a server error.
        if isinstance(exception, RequestDataTooBig):
            return json_error(413, "too_large", _(
                "The request body is too large: the limit for form data is %(limit)s MB "
                "(files not counted)."
            ) % {"limit": _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)})
        if isinstance(exception, TooManyFieldsSent):
            return json_error(400, "too_many_fields", _(
                "The request has too many fields; the limit is %(limit)s."
            ) % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS})
        if isinstance(exception, TooManyFilesSent):
            return json_error(400, "too_many_files", _(
                "The request has too many files; the limit is %(limit)s."
            ) % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES})
        view = request.resolver_match.view_name if request.resolver_match else "?"
        log_failure(logger, "unhandled error in API view %s (request %s)", view,
                    getattr(request, "request_id", "-"), exc=exception)
        return json_error(500, "server_error", _("An internal error occurred; it has been logged."))


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every page and API answer: they hold personal data (names,
    documents, faces, hits) that must not stay in a browser's or a proxy's cache on a shared
    terminal. Static files (served before this runs) and answers that declare themselves
    ``public`` keep their own caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils.cache import patch_cache_control

        response = self.get_response(request)
        if "public" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True, private=True)
        return response

