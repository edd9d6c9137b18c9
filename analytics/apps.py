from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analysis and statistics")

    def ready(self) -> None:
        from analytics.rollups import movement_fold
        from travelers.hooks import register_movement_listener

        register_movement_listener(movement_fold)
