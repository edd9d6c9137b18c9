from django.utils.translation import gettext_lazy as _

from core.nav import NavItem

ITEMS = [
    NavItem(_("Border map"), "incidents:map", frozenset({"supervisor", "admin"}), order=60,
            description=_("Green-border incidents live: cameras, sectors, patrols")),
    NavItem(_("Incidents"), "incidents:list", frozenset({"supervisor", "admin"}), order=61,
            description=_("Detections grouped into incidents, dispatch and outcomes")),
]
