from django.utils.translation import gettext_lazy as _

from core.nav import NavItem

ITEMS = [
    NavItem(_("Live operations"), "analytics:live", frozenset({"supervisor", "admin"}), order=70,
            description=_("Flows, queues, booths, hits, devices and flow alerts, refreshed every few seconds")),
    NavItem(_("Trends"), "analytics:trends", frozenset({"supervisor", "admin"}), order=71,
            description=_("Flows by day, week and month beside last year; hits and false hits per list")),
    NavItem(_("Statistics"), "analytics:statistics", frozenset({"supervisor", "admin"}), order=72,
            description=_("Indicators for publication (EES Article 63, green border), with exports")),
    NavItem(_("Risk rules"), "analytics:rule-list", frozenset({"supervisor", "admin"}), order=73,
            description=_("Rules that score travelers at the booth, their versions and measured effect")),
]
