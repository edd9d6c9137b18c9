"""The officer's names of document fields (the pure MRZ module's field keys), translated."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

FIELD_NAMES = {
    "mrz": gettext_lazy("MRZ"),
    "document_code": gettext_lazy("document code"),
    "issuing_state": gettext_lazy("issuing state"),
    "name": gettext_lazy("name"),
    "primary_identifier": gettext_lazy("surname"),
    "secondary_identifier": gettext_lazy("given names"),
    "document_number": gettext_lazy("document number"),
    "nationality": gettext_lazy("nationality"),
    "date_of_birth": gettext_lazy("date of birth"),
    "sex": gettext_lazy("sex"),
    "date_of_expiry": gettext_lazy("date of expiry"),
    "optional_data": gettext_lazy("optional data"),
    "optional_data_2": gettext_lazy("optional data (line 2)"),
    "composite": gettext_lazy("composite check digit"),
}


def field_label(name: str) -> str:
    return str(FIELD_NAMES.get(name, name.replace("_", " ")))
