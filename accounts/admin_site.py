"""Django's admin behind the one sign-in of BMIS.

The admin's own login page was a second way in (no throttling, no audit, no second factor): here
its login redirects to accounts' login, and its pages need a session that passed the second factor
(``user.is_verified()``, django-otp), which only ``accounts.views.login_otp_view`` gives.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django_otp.admin import OTPAdminSite


class BMISAdminSite(OTPAdminSite):
    def login(self, request, extra_context=None):
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"),
                                 login_url=reverse("accounts:login"))
