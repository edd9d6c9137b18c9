from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.forms import BoothForm, LoginForm
from accounts.permissions import Role
from accounts.services import login_failed_record, login_record, logout_record

BOOTH_SESSION_KEY = "bmis_booth_id"
BOOTH_LABEL_SESSION_KEY = "bmis_booth_label"
# An officer whose password was accepted and who has still to choose a booth (the second step).
PENDING_SESSION_KEY = "bmis_login_pending"
PENDING_SECONDS = 300
# The booth last chosen on this terminal, offered first at the next sign-in.
TERMINAL_BOOTH_COOKIE = "bmis_terminal_booth"


def current_booth_id(request) -> int | None:
    """The booth the officer signed in to (None for supervisors and administrators)."""
    return request.session.get(BOOTH_SESSION_KEY)


def _safe_next(request, next_url: str) -> str:
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
        return next_url
    return ""


def _sign_in(request, user, booth, next_url: str):
    login(request, user)
    if booth is not None:
        request.session[BOOTH_SESSION_KEY] = booth.pk
        request.session[BOOTH_LABEL_SESSION_KEY] = f"{booth.post.code}/{booth.code}"
    login_record(user=user, booth=booth)
    if next_url:
        landing = next_url
    elif user.role == Role.OFFICER:
        landing = resolve_url(settings.BMIS_OFFICER_LANDING_URL)
    else:
        landing = resolve_url(settings.LOGIN_REDIRECT_URL)
    response = redirect(landing)
    if booth is not None:
        response.set_cookie(TERMINAL_BOOTH_COOKIE, str(booth.pk), max_age=365 * 24 * 3600, httponly=True,
                            samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    return response


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next") or "")
    if request.method == "POST":
        form = LoginForm(request, data=request.POST)
        if form.is_valid():
            user = form.get_user()
            booth = form.cleaned_data.get("booth")
            if user.role == Role.OFFICER and booth is None:
                # The password is right: now the booths of this officer's own posts, and only those.
                request.session[PENDING_SESSION_KEY] = {
                    "user": user.pk, "backend": user.backend, "until": time.time() + PENDING_SECONDS,
                    "next": next_url,
                }
                return redirect("accounts:login-booth")
            return _sign_in(request, user, booth, next_url)
        if form.get_user() is None:
            login_failed_record(username=request.POST.get("username", ""))
    else:
        request.session.pop(PENDING_SESSION_KEY, None)
        form = LoginForm(request)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def _pending_user(request):
    pending = request.session.get(PENDING_SESSION_KEY)
    if not pending or pending.get("until", 0) < time.time():
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True, role=Role.OFFICER).first()
    if user is None:
        return None, None
    user.backend = pending["backend"]
    return user, pending


@csrf_protect
@never_cache
def login_booth_view(request):
    """The second step of an officer's sign-in: choose one of the booths of their own posts."""
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(PENDING_SESSION_KEY, None)
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    if request.method == "POST":
        form = BoothForm(user, data=request.POST)
        if form.is_valid():
            request.session.pop(PENDING_SESSION_KEY, None)
            return _sign_in(request, user, form.cleaned_data["booth"], _safe_next(request, pending.get("next", "")))
    else:
        booths = BoothForm(user).fields["booth"].queryset
        remembered = request.COOKIES.get(TERMINAL_BOOTH_COOKIE, "")
        initial = None
        if remembered.isdigit() and booths.filter(pk=int(remembered)).exists():
            initial = int(remembered)
        elif len(booths) == 1:
            initial = booths[0].pk
        form = BoothForm(user, initial={"booth": initial})
    return render(request, "accounts/login_booth.html", {"form": form, "pending_user": user})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        logout_record(user=request.user)
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("accounts:login")
