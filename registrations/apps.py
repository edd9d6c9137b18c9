"""Registration of irregular migrants: apprehensions, groups and households, declared identities,
captures, specific needs, consent and case status (layer 3: field)."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self) -> None:
        from registrations.selectors import person_panel
        from registrations.services import registrations_move, registrations_restore
        from travelers.hooks import register_merge_participant, register_person_panel

        # A registration follows its person through a merge and goes back on unmerge.
        register_merge_participant("registrations", registrations_move, registrations_restore)
        register_person_panel("registrations", person_panel)

        # Apprehensions by sector and nationality for the published statistics (analytics reads
        # them through core.indicators: the two apps are siblings and never import each other).
        from core.indicators import register_indicator_source
        from registrations.indicators import apprehensions_by_sector

        register_indicator_source("registrations.apprehensions", apprehensions_by_sector)
