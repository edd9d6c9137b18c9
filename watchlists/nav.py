from django.utils.translation import gettext_lazy as _

from core.nav import NavItem

ITEMS = [
    NavItem(_("Watchlists"), "watchlists:list", frozenset({"supervisor", "admin"}), 40,
            _("Lists, entries, imports")),
    NavItem(_("Hits"), "watchlists:hits", frozenset({"supervisor", "admin"}), 41,
            _("Adjudicate screening hits")),
]
