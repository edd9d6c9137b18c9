"""Checks on what screening receives; every error names its field.

Used by the screening services (so every caller gets them) and by the API
serializers (so the schema states them)."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from watchlists.explain import phrase
from watchlists.names.normalize import MAX_NAME_LENGTH, has_arabic, has_latin
from watchlists.names.score import parse_dob

MAX_NAMES = 20
_COUNTRY = re.compile(r"^[A-Z]{3}$|^D$")
_DOCUMENT = re.compile(r"^[0-9A-Za-z<\- ./]{1,40}$")
_PLATE_MAX = 20


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def clean_name(value, field: str = "names") -> str:
    if not isinstance(value, str):
        raise ValidationError({field: [_("A name must be text.")]})
    text = value.strip()
    if not text:
        raise ValidationError({field: [_("A name may not be empty.")]})
    if len(text) > MAX_NAME_LENGTH:
        raise ValidationError({field: [_("A name may be at most %(n)d characters long.") % {"n": MAX_NAME_LENGTH}]})
    if _has_control(text):
        raise ValidationError({field: [_("A name may not contain control characters.")]})
    if has_arabic(text) and has_latin(text):
        raise ValidationError({field: [_("A name must be written in one script (Arabic or Latin), not a mix.")]})
    if not any(ch.isalpha() for ch in text):
        raise ValidationError({field: [_("A name must contain letters.")]})
    return text


def clean_names(values, field: str = "names") -> list[str]:
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list | tuple) or not values:
        raise ValidationError({field: [_("Give at least one name.")]})
    if len(values) > MAX_NAMES:
        raise ValidationError({field: [_("At most %(n)d names.") % {"n": MAX_NAMES}]})
    return [clean_name(v, field) for v in values]


def clean_date_of_birth(value, field: str = "date_of_birth") -> str | None:
    if value in (None, ""):
        return None
    try:
        dob = parse_dob(str(value))
    except ValueError as exc:
        raise ValidationError({field: [phrase(str(exc))]}) from exc
    return str(dob)


def clean_country(value, field: str = "nationality") -> str | None:
    if value in (None, ""):
        return None
    code = str(value).strip().upper()
    if not _COUNTRY.match(code):
        raise ValidationError({field: [_("Use a three-letter ICAO country code such as IRQ.")]})
    return code


def clean_gender(value, field: str = "gender") -> str | None:
    if value in (None, ""):
        return None
    g = str(value).strip().upper()
    if g not in ("M", "F", "X"):
        raise ValidationError({field: [_("Gender is M, F or X.")]})
    return None if g == "X" else g


def clean_document_number(value, field: str = "number") -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({field: [_("Give the document number.")]})
    if _has_control(value) or not _DOCUMENT.match(value.strip()):
        raise ValidationError({field: [_("A document number has at most 40 letters, digits and fillers.")]})
    return value.strip()


def clean_plate(value, field: str = "plate") -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({field: [_("Give the plate.")]})
    if _has_control(value) or len(value.strip()) > _PLATE_MAX:
        raise ValidationError({field: [_("A plate has at most %(n)d characters.") % {"n": _PLATE_MAX}]})
    return value.strip()
