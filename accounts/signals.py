"""Sign-ins audited on every path: Django's auth signals (sent by `authenticate` and `login`,
whichever view calls them) and django-axes' lockout signal write audit events."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from accounts.services import login_failed_record, login_locked_out_record, login_record


def _path(request) -> str:
    return getattr(request, "path", "")[:100] if request is not None else ""


@receiver(user_logged_in, dispatch_uid="bmis-audit-login")
def _logged_in(sender, request, user, **kwargs):
    context = getattr(request, "bmis_login_context", None) or {}
    login_record(user=user, booth=context.get("booth"), path=_path(request),
                 second_factor=context.get("second_factor", ""))


@receiver(user_login_failed, dispatch_uid="bmis-audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` has the password masked by Django; only the username is kept.
    login_failed_record(username=str(credentials.get("username") or ""), path=_path(request))


@receiver(user_locked_out, dispatch_uid="bmis-audit-locked-out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    login_locked_out_record(username=str(username or ""), path=_path(request))
