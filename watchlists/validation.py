"""Checks on what screening receives; every error names its field.

Used by the screening services (so every caller gets them) and by the API
serializers (so the schema states them)."""

from __future__ import annotations

import io
import re
import unicodedata
import warnings

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

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


# Person entry photos (enrolled into the face gallery of the list by biometrics): the upload is
# checked here, from the header before any decoding, like biometrics.face.images does for captures.
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
MIN_PHOTO_SIDE = 80
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def clean_photo(data: bytes, field: str = "photo") -> str:
    """Check a photo's bytes; return its file extension. Raises ValidationError naming ``field``."""

    def error(message: str):
        return ValidationError({field: [message]})

    if not data:
        raise error(_("The photo is empty."))
    if len(data) > MAX_PHOTO_BYTES:
        raise error(_("The photo is larger than %(n)d MB.") % {"n": MAX_PHOTO_BYTES // (1024 * 1024)})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            kind = image.format
            width, height = image.size
            if kind not in PHOTO_FORMATS:
                raise error(_("The photo must be a JPEG, PNG or WebP image (this file is %(kind)s).") % {"kind": kind})
            if width * height > MAX_PHOTO_PIXELS:
                raise error(_("The photo is too large: %(w)d × %(h)d pixels; the limit is %(n)d megapixels.")
                            % {"w": width, "h": height, "n": MAX_PHOTO_PIXELS // 1_000_000})
            if min(width, height) < MIN_PHOTO_SIDE:
                raise error(_("The photo is too small: %(w)d × %(h)d pixels; a face needs at least %(n)d pixels "
                              "on each side.") % {"w": width, "h": height, "n": MIN_PHOTO_SIDE})
            image.load()  # decodes the whole image: truncated or corrupt data fails here
    except UnidentifiedImageError:
        raise error(_("The file is not an image (JPEG, PNG or WebP expected).")) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise error(_("The photo is too large to decode safely.")) from None
    except (OSError, SyntaxError, ValueError):
        raise error(_("The photo cannot be read: the file is truncated or corrupt.")) from None
    return PHOTO_FORMATS[kind]
