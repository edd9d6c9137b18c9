from django.utils.translation import gettext_lazy as _

from core.nav import NavItem

# The audit trail's page lives in accounts.pages (audit imports nothing of ours).
ITEMS = [
    NavItem(_("Audit trail"), "audit:event-list", frozenset({"supervisor", "admin"}), order=900,
            description=_("Who did what, when: the tamper-evident trail")),
]
