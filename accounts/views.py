from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.forms import LoginForm
from accounts.services import login_failed_record, login_record, logout_record

BOOTH_SESSION_KEY = "bmis_booth_id"
BOOTH_LABEL_SESSION_KEY = "bmis_booth_label"


def current_booth_id(request) -> int | None:
    """The booth the officer signed in to (None for supervisors and administrators)."""
    return request.session.get(BOOTH_SESSION_KEY)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST":
        form = LoginForm(request, data=request.POST)
        if form.is_valid():
            user = form.get_user()
            booth = form.cleaned_data.get("booth")
            login(request, user)
            if booth is not None:
                request.session[BOOTH_SESSION_KEY] = booth.pk
                request.session[BOOTH_LABEL_SESSION_KEY] = f"{booth.post.code}/{booth.code}"
            login_record(user=user, booth=booth)
            return redirect(next_url or resolve_url("core:home"))
        if form.get_user() is None:
            login_failed_record(username=request.POST.get("username", ""))
    else:
        form = LoginForm(request)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        logout_record(user=request.user)
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("accounts:login")
