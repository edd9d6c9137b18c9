"""Request id and client IP for every request, echoed in the X-Request-ID response header."""

from __future__ import annotations

import ipaddress
import logging
import re
import uuid

from django.conf import settings

from audit import context

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _client_ip(request) -> str | None:
    candidate = request.META.get("REMOTE_ADDR")
    if settings.BMIS_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            candidate = forwarded.split(",")[0].strip()
    try:
        return str(ipaddress.ip_address(candidate)) if candidate else None
    except ValueError:
        return None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = context.bind(context.RequestContext(request_id=request_id, client_ip=_client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = context.current().request_id or "-"
        return True
