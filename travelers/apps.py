from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TravelersConfig(AppConfig):
    name = "travelers"
    verbose_name = _("Travelers and inspections")

    def ready(self):
        # Face captures on the inspection screen learn the traveler and post of the inspection
        # (and are refused for an inspection the officer may not see).
        from biometrics.services.face import register_inspection_lookup
        from travelers.providers import inspection_for_biometrics

        register_inspection_lookup(inspection_for_biometrics)

        # A new or changed watchlist entry re-screens the travelers of the last days.
        from travelers.providers import recent_travelers
        from watchlists.hooks import register_recent_travelers_provider

        register_recent_travelers_provider(recent_travelers)
