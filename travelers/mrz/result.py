"""Typed values returned by the MRZ parser, and the field-level error.

Pure Python: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Human-readable labels for field names, used in messages. The keys are the field names used in
# errors, in the API's error body and in forms.
FIELD_LABELS: dict[str, str] = {
    "mrz": "MRZ",
    "document_code": "document code",
    "issuing_state": "issuing state",
    "name": "name",
    "primary_identifier": "primary identifier (surname)",
    "secondary_identifier": "secondary identifier (given names)",
    "document_number": "document number",
    "nationality": "nationality",
    "date_of_birth": "date of birth",
    "sex": "sex",
    "date_of_expiry": "date of expiry",
    "optional_data": "optional data",
    "optional_data_2": "optional data (line 2)",
    "composite": "composite check digit",
}

# Error kinds that say the document is not acceptable as it stands although the MRZ itself was
# read correctly (the officer may still proceed with an override).
VALIDITY_KINDS = frozenset({"expired", "birth_in_future", "date_order"})


@dataclass(frozen=True)
class FieldError:
    """One problem with one field, with where it is in the MRZ when it came from one.

    ``line`` and positions are 1-based and inclusive, as Doc 9303 numbers them; they are None
    for data typed in by hand.
    """

    field: str
    kind: str
    message: str
    line: int | None = None
    start: int | None = None
    end: int | None = None

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The message with its place: ``line 2, positions 14-19: date of birth ...``."""
        if self.line is None:
            return self.message
        if self.start is None:
            return f"line {self.line}: {self.message}"
        if self.end is None or self.end == self.start:
            return f"line {self.line}, position {self.start}: {self.message}"
        return f"line {self.line}, positions {self.start}-{self.end}: {self.message}"

    def as_dict(self) -> dict:
        return {
            "field": self.field,
            "kind": self.kind,
            "message": self.text,
            "line": self.line,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True)
class PartialDate:
    """A date of birth that may lack its day, or its day and month (MRZ ``74<<<<``, ``7408<<``).

    Doc 9303 writes unknown parts of a date of birth as fillers.
    """

    year: int | None
    month: int | None = None
    day: int | None = None

    @property
    def date(self) -> date | None:
        if self.year is None or self.month is None or self.day is None:
            return None
        return date(self.year, self.month, self.day)

    @property
    def precision(self) -> str:
        """``day``, ``month``, ``year`` or ``unknown``."""
        if self.year is None:
            return "unknown"
        if self.month is None:
            return "year"
        if self.day is None:
            return "month"
        return "day"

    def isoformat(self) -> str:
        if self.year is None:
            return ""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @classmethod
    def from_date(cls, value: date) -> PartialDate:
        return cls(value.year, value.month, value.day)


@dataclass(frozen=True)
class CheckDigitResult:
    """One check digit as read and as computed."""

    field: str
    line: int
    position: int
    found: str
    expected: str
    valid: bool


@dataclass(frozen=True)
class DocumentFields:
    """The data of a travel document, as the generator takes it and manual entry provides it.

    Names are in readable form: spaces between words, ``primary_identifier`` is the surname(s),
    ``secondary_identifier`` the given name(s). Codes are without fillers (``"D"``, not ``"D<<"``).
    ``sex`` is ``"F"``, ``"M"`` or ``"X"`` (unspecified).
    """

    document_code: str
    issuing_state: str
    primary_identifier: str
    secondary_identifier: str
    document_number: str
    nationality: str
    date_of_birth: PartialDate
    sex: str
    date_of_expiry: date
    optional_data: str = ""
    optional_data_2: str = ""


def _readable(text: str) -> str:
    # The names helper owns ICAO's transliteration of Arabic; this module only calls it.
    from watchlists.names.icao import icao_readable

    return icao_readable(text)


@dataclass(frozen=True)
class MRZResult:
    """What the parser read. ``errors`` empty means the MRZ is valid and the document acceptable.

    Fields that could not be read are empty strings or None. ``lines`` are the cleaned lines as
    read; ``corrected_lines`` have the tolerated OCR confusions (``O`` read in a digit field, ...)
    replaced, each replacement listed in ``warnings``.
    """

    format: str | None
    lines: tuple[str, ...]
    corrected_lines: tuple[str, ...] = ()
    document_code: str = ""
    document_kind: str = ""
    issuing_state: str = ""
    name_as_read: str = ""
    primary_identifier: str = ""
    secondary_identifier: str = ""
    name_truncated: bool = False
    document_number: str = ""
    nationality: str = ""
    birth: PartialDate = field(default_factory=lambda: PartialDate(None))
    sex: str = ""
    date_of_expiry: date | None = None
    optional_data: str = ""
    optional_data_2: str = ""
    checks: tuple[CheckDigitResult, ...] = ()
    errors: tuple[FieldError, ...] = ()
    warnings: tuple[FieldError, ...] = ()

    @property
    def valid(self) -> bool:
        """No error at all: the MRZ reads correctly and the document is acceptable today."""
        return not self.errors

    @property
    def mrz_valid(self) -> bool:
        """The MRZ reads correctly (formats, codes, check digits), whatever its validity dates."""
        return all(e.kind in VALIDITY_KINDS for e in self.errors)

    @property
    def expired(self) -> bool:
        return any(e.kind == "expired" for e in self.errors)

    @property
    def date_of_birth(self) -> date | None:
        """The full date of birth, or None when the MRZ gives only part of it."""
        return self.birth.date

    @property
    def surname(self) -> str:
        return self.primary_identifier

    @property
    def given_names(self) -> str:
        return self.secondary_identifier

    @property
    def primary_identifier_readable(self) -> str:
        """The surname with ICAO's transliteration of Arabic (``MXHMWD``) made readable."""
        return _readable(self.primary_identifier)

    @property
    def secondary_identifier_readable(self) -> str:
        return _readable(self.secondary_identifier)

    @property
    def national_id_number(self) -> str:
        """The holder's national ID number when this is a national identity card, else ""."""
        from .national_id import national_id_number

        return national_id_number(self.document_code, self.issuing_state, self.optional_data)

    def errors_for(self, field_name: str) -> list[FieldError]:
        return [e for e in self.errors if e.field == field_name]

    def fields(self) -> DocumentFields:
        """The data as DocumentFields (for manual correction forms and the generator)."""
        return DocumentFields(
            document_code=self.document_code,
            issuing_state=self.issuing_state,
            primary_identifier=self.primary_identifier,
            secondary_identifier=self.secondary_identifier,
            document_number=self.document_number,
            nationality=self.nationality,
            date_of_birth=self.birth,
            sex=self.sex,
            date_of_expiry=self.date_of_expiry,
            optional_data=self.optional_data,
            optional_data_2=self.optional_data_2,
        )
