"""Idle timeout for terminals: a session unused for BMIS_SESSION_IDLE_MINUTES is closed.

Background requests (htmx polling of results) send `X-BMIS-Passive: 1` and do not count as
activity, so an unattended screen still locks.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

SESSION_KEY = "bmis_last_activity"


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            last = request.session.get(SESSION_KEY)
            limit = settings.BMIS_SESSION_IDLE_MINUTES * 60
            if last is not None and now - int(last) > limit:
                from accounts.services import logout_record

                logout_record(user=user)
                logout(request)
                return self._expired(request)
            if request.headers.get("X-BMIS-Passive") != "1" or last is None:
                request.session[SESSION_KEY] = now
        return self.get_response(request)

    def _expired(self, request):
        message = _("Your session ended after a period without activity. Please sign in again.")
        if request.path.startswith("/api/"):
            return JsonResponse({"error": {"code": "session_expired", "message": message, "fields": {}}}, status=401)
        if request.headers.get("HX-Request"):
            response = JsonResponse({"error": {"code": "session_expired", "message": message, "fields": {}}}, status=401)
            response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
            return response
        messages.warning(request, message)
        return redirect_to_login(request.get_full_path())
