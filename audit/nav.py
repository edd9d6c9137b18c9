from django.utils.translation import gettext_lazy as _

from core.nav import NavItem

ITEMS = [
    NavItem(_("Audit trail"), "audit:event-list", frozenset({"supervisor", "admin"}), order=900,
            description=_("Who did what, when: the tamper-evident trail")),
]
