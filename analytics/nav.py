from django.utils.translation import gettext_lazy as _

from core.nav import NavItem

ITEMS = [
    NavItem(_("Risk rules"), "analytics:rule-list", frozenset({"supervisor", "admin"}), order=72,
            description=_("Rules that score travelers at the booth, their versions and measured effect")),
]
