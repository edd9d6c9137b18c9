from __future__ import annotations

import base64
import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.forms import LoginForm
from accounts.models import User
from accounts.permissions import STAFF_ROLES
from accounts.services import login_failed_record, logout_record, totp_device_confirm, totp_device_for
from core.models import Booth

BOOTH_SESSION_KEY = "bmis_booth_id"
BOOTH_LABEL_SESSION_KEY = "bmis_booth_label"
# Between a correct password and the second factor: who, where to, since when (no session login yet).
OTP_PENDING_SESSION_KEY = "bmis_otp_pending"
OTP_MAX_FAILURES = 5


def current_booth_id(request) -> int | None:
    """The booth the officer signed in to (None for supervisors and administrators)."""
    return request.session.get(BOOTH_SESSION_KEY)


def needs_second_factor(user) -> bool:
    """Supervisors and administrators sign in with a password and a TOTP code."""
    return user.role in STAFF_ROLES


def _complete_login(request, user, *, booth, next_url: str, backend: str | None = None, second_factor: str = ""):
    # accounts.signals audits the login (user_logged_in) with this context.
    request.bmis_login_context = {"booth": booth, "second_factor": second_factor}
    login(request, user, backend=backend)
    if booth is not None:
        request.session[BOOTH_SESSION_KEY] = booth.pk
        request.session[BOOTH_LABEL_SESSION_KEY] = f"{booth.post.code}/{booth.code}"
    return redirect(next_url or resolve_url("core:home"))


def _next_url(request) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return ""
    return next_url


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
            return _complete_login(request, user, booth=booth, next_url=next_url)
    else:
        form = LoginForm(request)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


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
