from django.utils.translation import gettext_lazy as _

from core.nav import NavItem

ITEMS = [
    NavItem(_("Fingerprints"), "biometrics:fingerprint-capture", frozenset({"officer", "supervisor", "admin"}),
            order=30, description=_("Capture, verify and identify fingerprints, with per-finger quality")),
]
