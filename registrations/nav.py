from django.utils.translation import gettext_lazy as _

from core.nav import NavItem

ITEMS = [
    NavItem(_("Registrations"), "registrations:list", frozenset({"officer", "supervisor", "admin"}), order=62,
            description=_("Irregular migrants apprehended: registration, identity, needs, consent and case")),
]
