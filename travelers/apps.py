from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TravelersConfig(AppConfig):
    name = "travelers"
    verbose_name = _("Travelers and inspections")
