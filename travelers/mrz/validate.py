"""Validation of document data typed in by hand (documents without an MRZ, officer corrections).

Gives the same field names and error kinds as the MRZ parser, without positions.
Pure Python: no Django import.
"""

from __future__ import annotations

import re
from datetime import date

from . import codes
from .result import FieldError, PartialDate

_DOCUMENT_NUMBER = re.compile(r"^[A-Z0-9]{1,35}$")
_DOCUMENT_CODE = re.compile(r"^[ACIPV][A-Z]?$")
# Letters of any script, with spaces, hyphens and apostrophes between words.
_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-’][^\W\d_]+)*$")


def validate_fields(
    *,
    document_code: str,
    issuing_state: str,
    primary_identifier: str,
    secondary_identifier: str,
    document_number: str,
    nationality: str,
    date_of_birth: PartialDate | None,
    sex: str,
    date_of_expiry: date | None,
    today: date,
    extra_codes: frozenset[str] | set[str] = frozenset(),
) -> list[FieldError]:
    """Every problem with the given document data, one FieldError per field problem."""
    errors: list[FieldError] = []

    def err(field, kind, message):
        errors.append(FieldError(field, kind, message))

    if not _DOCUMENT_CODE.match(document_code or ""):
        err(
            "document_code",
            "document_code",
            "document code must be one or two letters starting with P, V, I, A or C",
        )
    for field, value in (("issuing_state", issuing_state), ("nationality", nationality)):
        label = "issuing state" if field == "issuing_state" else "nationality"
        if not value:
            err(field, "unknown_code", f"{label} is required")
        elif not codes.is_known_code(value, extra_codes):
            err(
                field,
                "unknown_code",
                f"{label} {value} is not an ICAO Doc 9303 country or organisation code",
            )
    primary = (primary_identifier or "").strip()
    if not primary:
        err("primary_identifier", "name", "the primary identifier (surname) is required")
    elif not _NAME.match(primary):
        err("primary_identifier", "name", "the surname may contain only letters, spaces, - and '")
    secondary = (secondary_identifier or "").strip()
    if secondary and not _NAME.match(secondary):
        err(
            "secondary_identifier",
            "name",
            "the given names may contain only letters, spaces, - and '",
        )
    if not _DOCUMENT_NUMBER.match(document_number or ""):
        err(
            "document_number",
            "document_number",
            "document number must be 1 to 35 letters A-Z and digits",
        )
    if sex not in ("M", "F", "X"):
        err("sex", "sex", "sex must be M, F or X (unspecified)")
    born = None
    if date_of_birth is not None and date_of_birth.year is not None:
        born = (date_of_birth.year, date_of_birth.month or 1, date_of_birth.day or 1)
        if born > (today.year, today.month, today.day):
            err(
                "date_of_birth",
                "birth_in_future",
                f"date of birth {date_of_birth.isoformat()} is in the future",
            )
    if date_of_expiry is None:
        err("date_of_expiry", "date", "date of expiry is required")
    else:
        if date_of_expiry < today:
            err(
                "date_of_expiry",
                "expired",
                f"the document expired on {date_of_expiry.isoformat()}",
            )
        if born is not None and born > (
            date_of_expiry.year,
            date_of_expiry.month,
            date_of_expiry.day,
        ):
            err(
                "date_of_birth",
                "date_order",
                f"date of birth {date_of_birth.isoformat()} is after the date of expiry {date_of_expiry.isoformat()}",
            )
    return errors
