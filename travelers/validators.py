from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# Doc 9303 codes are three letters, except Germany's single "D".
icao_code_validator = RegexValidator(
    r"^[A-Z]{1,3}$", _("Enter an ICAO Doc 9303 code: three letters (IRQ), or D for Germany.")
)
