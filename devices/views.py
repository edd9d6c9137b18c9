"""Supervisor and administrator pages: device health per post and sector, alerts, the registry
(register, change, rotate and revoke credentials). A new credential is shown once, on the answer
to the form that made it, never stored or put in the session."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.permissions import Role, role_required
from core.errors import form_call
from core.models import BorderPost
from devices.forms import DeviceForm, RevokeForm, RotateForm
from devices.models import BORDER_CAMERA_KINDS, Device, DeviceAlert
from devices.selectors import device_recent_events, device_state, health_by_place, open_alerts
from devices.services import (
    device_alert_acknowledge,
    device_credential_rotate,
    device_reactivate,
    device_register,
    device_revoke,
    device_update,
    devices_check_offline,
)
from devices.services.registry import EDITABLE

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


def _post_filter(request):
    code = request.GET.get("post") or ""
    posts = BorderPost.objects.restrict(request.user, "view").filter(is_active=True)
    post = posts.filter(code=code).first() if code else None
    return post, posts


def _health_context(request) -> dict:
    # The beat task marks devices offline every few seconds; looking does it too, so the embedded
    # default (no beat) raises its alerts (idempotent: one alert per outage).
    devices_check_offline()
    post, posts = _post_filter(request)
    alerts = open_alerts(request.user, post_id=post.pk if post else None)
    return {
        "places": health_by_place(request.user, post_id=post.pk if post else None),
        "alerts": alerts,
        "dark_cameras": [a for a in alerts if a.kind == "offline" and a.device.kind in BORDER_CAMERA_KINDS],
        "post": post, "posts": posts,
    }


@role_required(*SUPERVISORS)
def device_health(request):
    return render(request, "devices/health.html", _health_context(request))


@role_required(*SUPERVISORS)
def device_health_panel(request):
    """The part of the health page that refreshes itself (htmx, every few seconds)."""
    return render(request, "devices/_health_panel.html", _health_context(request))


def _credential_page(request, device, raw: str, *, title: str):
    response = render(request, "devices/credential.html", {"device": device, "credential": raw, "title": title})
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@role_required(*SUPERVISORS)
def device_new(request):
    form = DeviceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        # The form's optional text fields clean to "" (Django's CharField), as the service wants.
        outcome = form_call(form, device_register, actor=request.user, **form.cleaned_data)
        if outcome is not None:
            device, raw = outcome
            return _credential_page(request, device, raw, title=_("Device registered"))
    return render(request, "devices/device_form.html", {"form": form, "device": None})


def _device_or_404(request, code: str, action: str = "view") -> Device:
    qs = Device.objects.restrict(request.user, action).select_related("post", "booth", "sector")
    return get_object_or_404(qs, code=code)


@role_required(*SUPERVISORS)
def device_detail(request, code):
    device = _device_or_404(request, code)
    can_manage = Device.objects.restrict(request.user, "manage").filter(pk=device.pk).exists()
    return render(request, "devices/device_detail.html", {
        "device": device, "state": device_state(device), "can_manage": can_manage,
        "events": device_recent_events(request.user, device),
        "alerts": DeviceAlert.objects.restrict(request.user, "view").filter(device=device)[:20],
        "credentials": device.credentials.all()[:10],
        "revoke_form": RevokeForm(), "rotate_form": RotateForm(),
    })


@never_cache
@role_required(*SUPERVISORS)
def device_edit(request, code):
    device = _device_or_404(request, code, "manage")
    initial = {name: getattr(device, name) for name in EDITABLE}
    initial["code"] = device.code
    form = DeviceForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in EDITABLE if form.cleaned_data[name] != getattr(device, name)}
        if form_call(form, device_update, actor=request.user, device=device, **changes) is not None:
            messages.success(request, _("Device saved."))
            return redirect("devices:detail", code=device.code)
    return render(request, "devices/device_form.html", {"form": form, "device": device})


@never_cache
@require_POST
@role_required(*SUPERVISORS)
def device_rotate(request, code):
    device = _device_or_404(request, code, "manage")
    form = RotateForm(request.POST)
    if form.is_valid():
        raw = form_call(form, device_credential_rotate, actor=request.user, device=device,
                        grace_minutes=form.cleaned_data["grace_minutes"])
        if raw is not None:
            return _credential_page(request, device, raw, title=_("New credential"))
    messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
    return redirect("devices:detail", code=device.code)


@require_POST
@role_required(*SUPERVISORS)
def device_revoke_view(request, code):
    device = _device_or_404(request, code, "manage")
    form = RevokeForm(request.POST)
    if form.is_valid() and form_call(form, device_revoke, actor=request.user, device=device,
                                     reason=form.cleaned_data["reason"]) is not None:
        messages.success(request, _("Device revoked: its credentials no longer work."))
    else:
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
    return redirect("devices:detail", code=device.code)


@never_cache
@require_POST
@role_required(*SUPERVISORS)
def device_reactivate_view(request, code):
    device = _device_or_404(request, code, "manage")
    form = RevokeForm()
    outcome = form_call(form, device_reactivate, actor=request.user, device=device)
    if outcome is None:
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
        return redirect("devices:detail", code=device.code)
    return _credential_page(request, outcome[0], outcome[1], title=_("Device reactivated"))


@require_POST
@role_required(*SUPERVISORS)
def alert_acknowledge(request, pk):
    alert = get_object_or_404(DeviceAlert.objects.restrict(request.user, "manage").select_related("device__post"), pk=pk)
    device_alert_acknowledge(actor=request.user, alert=alert)
    messages.success(request, _("Alert acknowledged."))
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/devices/") else "devices:health")
