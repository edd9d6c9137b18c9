"""ICAO Doc 9303 machine-readable zones: parse, validate and generate TD1, TD2, TD3, MRV-A, MRV-B.

Pure Python (no Django import), so it can be tested, benchmarked and reused on its own::

    from travelers.mrz import parse
    result = parse(text_from_reader)
    if result.valid: ...
    for error in result.errors: print(error)   # line 2, positions 14-19: date of birth ...
"""

from .checkdigit import check_digit
from .clean import clean, looks_complete
from .codes import code_category, code_name, is_known_code
from .generator import generate, generate_lines
from .national_id import NATIONAL_ID_CARDS, national_id_card, national_id_number
from .parser import FORMAT_LABELS, LAYOUTS, parse
from .result import (
    FIELD_LABELS,
    CheckDigitResult,
    DocumentFields,
    FieldError,
    MRZResult,
    PartialDate,
)
from .validate import validate_fields

__all__ = [
    "FIELD_LABELS",
    "FORMAT_LABELS",
    "LAYOUTS",
    "NATIONAL_ID_CARDS",
    "CheckDigitResult",
    "DocumentFields",
    "FieldError",
    "MRZResult",
    "PartialDate",
    "check_digit",
    "clean",
    "code_category",
    "code_name",
    "generate",
    "generate_lines",
    "is_known_code",
    "looks_complete",
    "national_id_card",
    "national_id_number",
    "parse",
    "validate_fields",
]
