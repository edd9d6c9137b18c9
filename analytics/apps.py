"""Supervisors' operations, trends, statistics an agency can publish, risk rules and flow anomalies
(layer 3: analysis). Reads the records below it; never imports its siblings (registrations,
incidents): what they count reaches it through `core.indicators`."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analysis and statistics")

    def ready(self) -> None:
        from analytics.rollups import movement_fold
        from analytics.rules import risk_provide
        from travelers.hooks import register_movement_listener, register_risk_provider

        register_movement_listener(movement_fold)
        register_risk_provider(risk_provide)
