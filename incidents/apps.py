from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Green-border incidents")

    def ready(self) -> None:
        from devices.hooks import register_event_handler
        from incidents.handlers import on_detection, on_position

        register_event_handler("detection", on_detection, background=True)
        register_event_handler("position", on_position)

        from core.indicators import register_indicator_source
        from incidents.indicators import detections_by_sector

        register_indicator_source("incidents.detections", detections_by_sector)
