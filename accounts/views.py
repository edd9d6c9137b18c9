from __future__ import annotations

import base64
import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.forms import BoothForm, LoginForm
from accounts.models import User
from accounts.permissions import STAFF_ROLES, Role
from accounts.selectors import BOOTH_LABEL_SESSION_KEY, BOOTH_SESSION_KEY
from accounts.services import login_failed_record, logout_record, totp_device_confirm, totp_device_for
from core.models import Booth

# Between a correct password and the second factor: who, where to, since when (no session login yet).
OTP_PENDING_SESSION_KEY = "bmis_otp_pending"
OTP_MAX_FAILURES = 5
# An officer whose password was accepted and who has still to choose a booth (the second step).
PENDING_SESSION_KEY = "bmis_login_pending"
PENDING_SECONDS = 300
# The booth last chosen on this terminal, offered first at the next sign-in.
TERMINAL_BOOTH_COOKIE = "bmis_terminal_booth"


def needs_second_factor(user) -> bool:
    """Supervisors and administrators sign in with a password and a TOTP code."""
    return user.role in STAFF_ROLES


def _complete_login(request, user, *, booth, next_url: str, backend: str | None = None, second_factor: str = ""):
    """Sign in (accounts.signals audits it, with this context) and land: where the user was going,
    officers on the checkpoint screen, others on the home page. The terminal remembers its booth."""
    request.bmis_login_context = {"booth": booth, "second_factor": second_factor}
    login(request, user, backend=backend)
    if booth is not None:
        request.session[BOOTH_SESSION_KEY] = booth.pk
        request.session[BOOTH_LABEL_SESSION_KEY] = f"{booth.post.code}/{booth.code}"
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


def _safe_next(request, next_url: str) -> str:
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
        return next_url
    return ""


def _next_url(request) -> str:
    return _safe_next(request, request.POST.get("next") or request.GET.get("next") or "")


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    next_url = _next_url(request)
    if request.method == "POST":
        # Failed passwords are audited and throttled by authenticate() itself (accounts.signals,
        # django-axes), whichever page calls it.
        form = LoginForm(request, data=request.POST)
        if form.is_valid():
            user = form.get_user()
            booth = form.cleaned_data.get("booth")
            if needs_second_factor(user):
                request.session.cycle_key()
                request.session[OTP_PENDING_SESSION_KEY] = {
                    "user": user.pk, "booth": booth.pk if booth else None, "next": next_url,
                    "since": int(time.time()), "backend": user.backend, "failures": 0,
                }
                return redirect("accounts:login-otp")
            if user.role == Role.OFFICER and booth is None:
                # The password is right: now the booths of this officer's own posts, and only those.
                request.session.cycle_key()
                request.session[PENDING_SESSION_KEY] = {
                    "user": user.pk, "backend": user.backend, "until": time.time() + PENDING_SECONDS,
                    "next": next_url,
                }
                return redirect("accounts:login-booth")
            return _complete_login(request, user, booth=booth, next_url=next_url)
    else:
        request.session.pop(PENDING_SESSION_KEY, None)
        form = LoginForm(request)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def _pending_officer(request):
    pending = request.session.get(PENDING_SESSION_KEY)
    if not pending or pending.get("until", 0) < time.time():
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True, role=Role.OFFICER).first()
    return user, pending


@csrf_protect
@never_cache
def login_booth_view(request):
    """The second step of an officer's sign-in: choose one of the booths of their own posts."""
    user, pending = _pending_officer(request)
    if user is None:
        request.session.pop(PENDING_SESSION_KEY, None)
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    if request.method == "POST":
        form = BoothForm(user, data=request.POST)
        if form.is_valid():
            request.session.pop(PENDING_SESSION_KEY, None)
            return _complete_login(request, user, booth=form.cleaned_data["booth"], backend=pending["backend"],
                                   next_url=_safe_next(request, pending.get("next", "")))
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


class OtpForm(forms.Form):
    token = forms.RegexField(
        label=gettext_lazy("Code from your authenticator app"), regex=r"^\s*\d{6}\s*$", max_length=12,
        error_messages={"invalid": gettext_lazy("Enter the six digits shown by your authenticator app.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def _pending(request) -> dict | None:
    pending = request.session.get(OTP_PENDING_SESSION_KEY)
    if not pending:
        return None
    if time.time() - pending.get("since", 0) > settings.BMIS_LOGIN_OTP_MINUTES * 60:
        request.session.pop(OTP_PENDING_SESSION_KEY, None)
        return None
    return pending


@sensitive_post_parameters("token")
@csrf_protect
@never_cache
def login_otp_view(request):
    """Second step for supervisors and administrators: a TOTP code; on the first sign-in, enrolment
    (the otpauth URI and secret to add to an authenticator app, confirmed by a first code)."""
    pending = _pending(request)
    user = User.objects.filter(pk=pending["user"], is_active=True).first() if pending else None
    if user is None:
        request.session.pop(OTP_PENDING_SESSION_KEY, None)
        messages.warning(request, _("Please sign in again."))
        return redirect("accounts:login")
    device = totp_device_for(user=user)
    enrolling = not device.confirmed
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            request.session.pop(OTP_PENDING_SESSION_KEY, None)
            if enrolling:
                totp_device_confirm(user=user, device=device)
            booth = Booth.objects.filter(pk=pending["booth"]).select_related("post").first() if pending["booth"] else None
            response = _complete_login(request, user, booth=booth, next_url=pending["next"],
                                       backend=pending["backend"], second_factor="totp")
            from django_otp import login as otp_login

            otp_login(request, device)  # the session is verified: user.is_verified()
            return response
        login_failed_record(username=user.get_username(), path=request.path, reason="totp")
        pending["failures"] = pending.get("failures", 0) + 1
        if pending["failures"] >= OTP_MAX_FAILURES:
            request.session.pop(OTP_PENDING_SESSION_KEY, None)
            messages.error(request, _("Too many wrong codes. Sign in again."))
            return redirect("accounts:login")
        request.session[OTP_PENDING_SESSION_KEY] = pending
        form.add_error("token", _("This code is not valid (or was already used). Wait for the next code and try again."))
    context = {"form": form, "enrolling": enrolling}
    if enrolling:
        context["otpauth_uri"] = device.config_url
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/login_otp.html", context)


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): the sign-in page with a 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    lockout = _(
        "Too many failed sign-ins for this account. Try again in %(minutes)d minutes or ask an administrator."
    ) % {"minutes": minutes}
    return render(request, "accounts/login.html", {"form": LoginForm(request), "next": "", "lockout": lockout},
                  status=429)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        logout_record(user=request.user)
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("accounts:login")
