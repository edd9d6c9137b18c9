from django.utils.translation import gettext_lazy as _

from core.nav import NavItem

ITEMS = [
    NavItem(_("Devices"), "devices:health", frozenset({"supervisor", "admin"}), 50,
            _("Readers, scanners, cameras and handsets: health, alerts, registry")),
]
