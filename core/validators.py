"""Small validators shared by the apps."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

country_code_validator = RegexValidator(
    r"^[A-Z]{3}$", _("Enter a three-letter ICAO/ISO 3166 alpha-3 country code, e.g. IRQ.")
)
code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{0,15}$",
    _("Use 1-16 upper-case letters, digits or hyphens, starting with a letter or digit."),
)
