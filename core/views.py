from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.api.common import json_error
from core.health import health_report


@require_GET
@never_cache
def healthz(request):
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def handler403(request, exception=None):
    if _wants_json(request):
        return json_error(403, "permission_denied", _("You do not have permission to perform this action."))
    return render(request, "403.html", status=403)


def handler404(request, exception=None):
    if _wants_json(request):
        return json_error(404, "not_found", _("Not found."))
    return render(request, "404.html", status=404)


def handler500(request):
    if _wants_json(request):
        return json_error(500, "server_error", _("An internal error occurred; it has been logged."))
    return render(request, "500.html", status=500)


def handler400(request, exception=None):
    if _wants_json(request):
        return json_error(400, "bad_request", _("The request could not be understood."))
    return render(request, "400.html", status=400)
