"""Parser and validator for ICAO Doc 9303 machine-readable zones: TD1, TD2, TD3, MRV-A, MRV-B.

``parse(text)`` never raises on bad input: it returns an ``MRZResult`` whose ``errors`` name each
field that is wrong, with its line and positions (``line 2, positions 14-19: date of birth
741312 is not a valid date: month 13 does not exist``).

OCR confusions are tolerated only where the field type allows a single reading: a letter that
looks like a digit in a digit-only field (dates, check digits), and a digit that looks like a
letter in a letter-only field (codes, names). Alphanumeric fields (document number, optional data)
are taken as read, because there either reading is possible. Each replacement is reported in
``warnings``.

Pure Python: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from . import codes
from .checkdigit import VALID_CHARS, check_digit
from .clean import clean
from .dates import birth_year, date_problem, expiry_year
from .result import FIELD_LABELS, CheckDigitResult, FieldError, MRZResult, PartialDate

DIGITS = frozenset("0123456789")
LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

# Letters that OCR (and people typing from the page) confuse with digits, and the reverse.
TO_DIGIT = {"O": "0", "Q": "0", "D": "0", "I": "1", "Z": "2", "S": "5", "G": "6", "B": "8"}
TO_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "6": "G", "8": "B"}

Span = tuple[int, int, int]  # line, start, end (0-based, end exclusive)
Pos = tuple[int, int]  # line, position (0-based)


@dataclass(frozen=True)
class Layout:
    """Where each field sits in one MRZ format (Doc 9303 Parts 4-7)."""

    name: str
    lines: int
    width: int
    first_letters: frozenset[str]
    name_span: Span
    document_number: Span
    document_number_cd: Pos
    nationality: Span
    birth: Span
    birth_cd: Pos
    sex: Pos
    expiry: Span
    expiry_cd: Pos
    optional: Span
    optional_cd: Pos | None = None
    optional_2: Span | None = None
    composite_cd: Pos | None = None
    composite_spans: tuple[Span, ...] = ()
    long_number: bool = False


TD1 = Layout(
    name="TD1",
    lines=3,
    width=30,
    first_letters=frozenset("ACI"),
    name_span=(2, 0, 30),
    document_number=(0, 5, 14),
    document_number_cd=(0, 14),
    optional=(0, 15, 30),
    birth=(1, 0, 6),
    birth_cd=(1, 6),
    sex=(1, 7),
    expiry=(1, 8, 14),
    expiry_cd=(1, 14),
    nationality=(1, 15, 18),
    optional_2=(1, 18, 29),
    composite_cd=(1, 29),
    composite_spans=((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)),
    long_number=True,
)


def _two_line(name, width, first_letters, **extra) -> Layout:
    return Layout(
        name=name,
        lines=2,
        width=width,
        first_letters=frozenset(first_letters),
        name_span=(0, 5, width),
        document_number=(1, 0, 9),
        document_number_cd=(1, 9),
        nationality=(1, 10, 13),
        birth=(1, 13, 19),
        birth_cd=(1, 19),
        sex=(1, 20),
        expiry=(1, 21, 27),
        expiry_cd=(1, 27),
        **extra,
    )


TD2 = _two_line(
    "TD2",
    36,
    "ACI",
    optional=(1, 28, 35),
    composite_cd=(1, 35),
    composite_spans=((1, 0, 10), (1, 13, 20), (1, 21, 35)),
    long_number=True,
)
TD3 = _two_line(
    "TD3",
    44,
    "P",
    optional=(1, 28, 42),
    optional_cd=(1, 42),
    composite_cd=(1, 43),
    composite_spans=((1, 0, 10), (1, 13, 20), (1, 21, 43)),
)
MRVA = _two_line("MRVA", 44, "V", optional=(1, 28, 44))
MRVB = _two_line("MRVB", 36, "V", optional=(1, 28, 36))

LAYOUTS = {layout.name: layout for layout in (TD1, TD2, TD3, MRVA, MRVB)}

FORMAT_LABELS = {
    "TD1": "TD1 identity card (3 lines of 30)",
    "TD2": "TD2 identity card (2 lines of 36)",
    "TD3": "TD3 passport (2 lines of 44)",
    "MRVA": "MRV-A visa (2 lines of 44)",
    "MRVB": "MRV-B visa (2 lines of 36)",
}

DOCUMENT_KINDS = {
    "P": "passport",
    "V": "visa",
    "I": "identity_card",
    "A": "travel_document",
    "C": "travel_document",
}


def detect_layout(lines: list[str]) -> Layout | None:
    """The layout that the line count and lengths (and, for visas, the first letter) call for."""
    lengths = [len(line) for line in lines]
    if lengths == [30, 30, 30]:
        return TD1
    if lengths == [44, 44]:
        return MRVA if lines[0][:1] == "V" else TD3
    if lengths == [36, 36]:
        return MRVB if lines[0][:1] == "V" else TD2
    return None


def _format_error(lines: list[str]) -> FieldError:
    if not lines:
        return FieldError("mrz", "format", "the MRZ is empty")
    expected = "3 lines of 30 characters (TD1), 2 lines of 36 (TD2, MRV-B) or 2 lines of 44 (TD3, MRV-A)"
    # When the count of lines fits a format, name the line whose length is off.
    if len(lines) in (2, 3):
        width = 30 if len(lines) == 3 else max((36, 44), key=lambda w: _fit(lines, w))
        matching = _fit(lines, width)
    if len(lines) in (2, 3) and matching:
        for i, line in enumerate(lines, start=1):
            if len(line) != width:
                return FieldError(
                    "mrz",
                    "format",
                    f"this line has {len(line)} characters; a line of {_WIDTH_LABELS[width]} has {width}",
                    line=i,
                )
    counts = ", ".join(str(len(line)) for line in lines)
    plural = "line" if len(lines) == 1 else "lines"
    return FieldError(
        "mrz",
        "format",
        f"the MRZ has {len(lines)} {plural} of {counts} characters; expected {expected}",
    )


_WIDTH_LABELS = {
    30: "a TD1 identity card",
    36: "a TD2 identity card or MRV-B visa",
    44: "a TD3 passport or MRV-A visa",
}


def _fit(lines: list[str], width: int) -> int:
    return sum(len(line) == width for line in lines)


class _Reader:
    """Reads fields out of the lines, collecting corrections and errors as it goes."""

    def __init__(self, lines: list[str], layout: Layout, today: date, extra_codes):
        self.layout = layout
        self.today = today
        self.extra_codes = extra_codes
        self.errors: list[FieldError] = []
        self.warnings: list[FieldError] = []
        self.checks: list[CheckDigitResult] = []
        self.fixed = [list(line) for line in lines]
        # Where the optional data starts after a long document number (TD1/TD2), if any.
        self.long_number_optional_start: int | None = None
        for li, line in enumerate(lines):
            for pi, ch in enumerate(line):
                if ch not in VALID_CHARS:
                    self.error(
                        "mrz",
                        "character",
                        f"character {ch!r} is not allowed in an MRZ (only A-Z, 0-9 and <)",
                        li,
                        pi,
                    )
                    # Read it as a filler so the rest of the zone can still be checked.
                    self.fixed[li][pi] = "<"

    # Recording -------------------------------------------------------------------------------

    def error(self, field: str, kind: str, message: str, line: int, start: int, end=None):
        self.errors.append(_place(field, kind, message, line, start, end))

    def text(self, span: Span) -> str:
        line, start, end = span
        return "".join(self.fixed[line][start:end])

    def char(self, pos: Pos) -> str:
        return self.fixed[pos[0]][pos[1]]

    def _correct(self, field: str, line: int, start: int, end: int, table: dict, kind: str):
        row = self.fixed[line]
        for i in range(start, end):
            replacement = table.get(row[i])
            if replacement is not None:
                self.warnings.append(
                    _place(
                        field,
                        "ocr_correction",
                        f"{row[i]!r} read as {replacement!r} ({kind}-only field {FIELD_LABELS.get(field, field)})",
                        line,
                        i,
                    )
                )
                row[i] = replacement

    def digits(self, field: str, span: Span) -> str:
        self._correct(field, *span, TO_DIGIT, "digit")
        return self.text(span)

    def letters(self, field: str, span: Span) -> str:
        self._correct(field, *span, TO_LETTER, "letter")
        return self.text(span)

    # Fields ----------------------------------------------------------------------------------

    def document_code(self) -> str:
        raw = self.letters("document_code", (0, 0, 2))
        first, second = raw[0], raw[1]
        allowed = self.layout.first_letters
        if first not in allowed:
            wanted = " or ".join(sorted(allowed))
            self.error(
                "document_code",
                "document_code",
                f"document code {raw} must start with {wanted} in a {FORMAT_LABELS[self.layout.name]}",
                0,
                0,
            )
        if second not in LETTERS and second != "<":
            self.error(
                "document_code",
                "document_code",
                f"the second character of document code {raw} must be a letter or <",
                0,
                1,
            )
        return raw.rstrip("<")

    def state_code(self, field: str, span: Span) -> str:
        raw = self.letters(field, span)
        label = FIELD_LABELS[field]
        line, start, end = span
        code = raw.rstrip("<")
        if not code:
            self.error(field, "unknown_code", f"{label} is missing", line, start, end - 1)
        elif not all(c in LETTERS for c in code):
            self.error(
                field,
                "unknown_code",
                f"{label} {raw} is not a code: a code has letters, then fillers",
                line,
                start,
                end - 1,
            )
        elif not codes.is_known_code(code, self.extra_codes):
            self.error(
                field,
                "unknown_code",
                f"{label} {code} is not an ICAO Doc 9303 country or organisation code",
                line,
                start,
                end - 1,
            )
        return code

    def name(self) -> tuple[str, str, str, bool]:
        span = self.layout.name_span
        line, start, end = span
        raw = self.letters("name", span)
        for i, ch in enumerate(raw):
            if ch not in LETTERS and ch != "<":
                self.error(
                    "name",
                    "name",
                    f"name contains {ch!r}; a name has only letters and fillers",
                    line,
                    start + i,
                )
        as_read = raw.rstrip("<")
        truncated = raw[-1] != "<"
        primary, _, secondary = as_read.partition("<<")
        primary = _words(primary)
        secondary = _words(secondary)
        if not primary:
            self.error(
                "name",
                "name",
                "the primary identifier (surname) is missing: the name field must start with it",
                line,
                start,
                end - 1,
            )
        if truncated:
            self.warnings.append(
                _place(
                    "name",
                    "name_truncated",
                    "the name fills the whole field and may have been truncated",
                    line,
                    start,
                    end - 1,
                )
            )
        return as_read, primary, secondary, truncated

    def document_number(self) -> str:
        layout = self.layout
        line, start, end = layout.document_number
        number = self.text(layout.document_number)
        if layout.long_number and self.char(layout.document_number_cd) == "<":
            return self._long_document_number(number)
        self.check_digit("document_number", number, layout.document_number_cd)
        value = number.rstrip("<")
        if not value:
            self.error(
                "document_number",
                "document_number",
                "document number is missing",
                line,
                start,
                end - 1,
            )
        return value

    def _long_document_number(self, head: str) -> str:
        """TD1/TD2: a filler at the check digit's place means the number goes on in the
        optional data, followed by its check digit and a filler (Doc 9303 Part 5, note j)."""
        layout = self.layout
        o_line, o_start, _o_end = layout.optional
        optional = self.text(layout.optional)
        continuation = optional.split("<", 1)[0]
        cd_line, cd_pos = layout.document_number_cd
        if len(continuation) < 2 or "<" in head:
            self.error(
                "document_number",
                "document_number",
                "the document number's check digit is a filler, which announces a long document "
                "number, but the optional data does not carry its remaining characters and check "
                "digit",
                cd_line,
                cd_pos,
            )
            return head.rstrip("<")
        cd_at = (o_line, o_start + len(continuation) - 1)
        self._correct("document_number", o_line, cd_at[1], cd_at[1] + 1, TO_DIGIT, "digit")
        continuation = self.text((o_line, o_start, cd_at[1] + 1))
        number = head + continuation[:-1]
        self.check_digit("document_number", number, cd_at)
        self.long_number_optional_start = o_start + len(continuation) + 1
        return number

    def check_digit(self, field: str, data: str, pos: Pos, filler_if_empty: bool = False) -> None:
        line, position = pos
        self._correct(field, line, position, position + 1, TO_DIGIT, "digit")
        found = self.char(pos)
        expected = check_digit(data)
        label = FIELD_LABELS.get(field, field)
        if field == "composite":
            what = "the composite check digit"
        else:
            what = f"the check digit of {label} {data}"
        if found == "<" and filler_if_empty and not data.strip("<"):
            self.checks.append(CheckDigitResult(field, line + 1, position + 1, found, "0", True))
            return
        valid = found == expected
        self.checks.append(CheckDigitResult(field, line + 1, position + 1, found, expected, valid))
        if found not in DIGITS:
            self.error(field, "check_digit", f"{what} is {found!r}, not a digit", line, position)
        elif not valid:
            self.error(
                field,
                "check_digit",
                f"{what} is {found} but should be {expected}",
                line,
                position,
            )

    def birth(self) -> PartialDate:
        span = self.layout.birth
        raw = self.digits("date_of_birth", span)
        self.check_digit("date_of_birth", raw, self.layout.birth_cd)
        line, start, end = span
        label = "date of birth"
        # Unknown parts are fillers: YY<<<<, YYMM<< or <<<<<<.
        yy, mm, dd = raw[0:2], raw[2:4], raw[4:6]
        if raw == "<<<<<<":
            return PartialDate(None)
        if not yy.isdigit() or not _digits_or_fillers(mm) or not _digits_or_fillers(dd) or (mm == "<<" and dd != "<<"):
            self.error(
                "date_of_birth",
                "date",
                f"{label} {raw} is not a date: expected YYMMDD digits (unknown day or month as <<)",
                line,
                start,
                end - 1,
            )
            return PartialDate(None)
        month = int(mm) if mm != "<<" else None
        day = int(dd) if dd != "<<" else None
        if month is not None and not 1 <= month <= 12:
            self.error(
                "date_of_birth",
                "date",
                f"{label} {raw} is not a valid date: month {month:02d} does not exist",
                line,
                start,
                end - 1,
            )
            return PartialDate(None)
        year = birth_year(int(yy), self.today, month, day)
        if day is not None:
            problem = date_problem(year, month, day)
            if problem:
                self.error(
                    "date_of_birth",
                    "date",
                    f"{label} {raw} is not a valid date: {problem}",
                    line,
                    start,
                    end - 1,
                )
                return PartialDate(None)
        return PartialDate(year, month, day)

    def expiry(self) -> date | None:
        span = self.layout.expiry
        raw = self.digits("date_of_expiry", span)
        self.check_digit("date_of_expiry", raw, self.layout.expiry_cd)
        line, start, end = span
        label = "valid until date" if self.layout.name.startswith("MRV") else "date of expiry"
        if not raw.isdigit():
            self.error(
                "date_of_expiry",
                "date",
                f"{label} {raw} is not a date: expected six digits YYMMDD",
                line,
                start,
                end - 1,
            )
            return None
        yy, month, day = int(raw[0:2]), int(raw[2:4]), int(raw[4:6])
        year = expiry_year(yy, self.today)
        problem = date_problem(year, month, day)
        if problem:
            self.error(
                "date_of_expiry",
                "date",
                f"{label} {raw} is not a valid date: {problem}",
                line,
                start,
                end - 1,
            )
            return None
        return date(year, month, day)

    def sex(self) -> str:
        line, position = self.layout.sex
        ch = self.char(self.layout.sex)
        if ch in ("M", "F"):
            return ch
        if ch in ("<", "X"):
            return "X"
        self.error("sex", "sex", f"sex {ch!r} must be M, F, or < (unspecified)", line, position)
        return ""


def _place(field, kind, message, line, start, end=None) -> FieldError:
    """A FieldError with 0-based positions converted to Doc 9303's 1-based numbering."""
    return FieldError(
        field,
        kind,
        message,
        line=line + 1,
        start=start + 1,
        end=(end + 1) if end is not None else None,
    )


def _words(part: str) -> str:
    return " ".join(w for w in part.split("<") if w)


def _digits_or_fillers(text: str) -> bool:
    return text.isdigit() or text == "<" * len(text)


def parse(
    text: str,
    *,
    today: date | None = None,
    extra_codes: frozenset[str] | set[str] = frozenset(),
) -> MRZResult:
    """Parse and validate MRZ text (any of TD1, TD2, TD3, MRV-A, MRV-B).

    ``today`` resolves two-digit years and decides expiry (default: the system date).
    ``extra_codes`` are accepted as issuing states and nationalities besides the ICAO table
    (for example ``{"UTO"}``, the Utopia of the Doc 9303 specimens, on a training system).
    """
    today = today or date.today()
    lines, clean_warnings = clean(text)
    layout = detect_layout(lines)
    if layout is None:
        return MRZResult(
            format=None,
            lines=tuple(lines),
            errors=(_format_error(lines),),
            warnings=tuple(clean_warnings),
        )
    reader = _Reader(lines, layout, today, extra_codes)
    reader.warnings.extend(clean_warnings)

    document_code = reader.document_code()
    issuing_state = reader.state_code("issuing_state", (0, 2, 5))
    name_as_read, primary, secondary, truncated = reader.name()
    document_number = reader.document_number()
    nationality = reader.state_code("nationality", layout.nationality)
    birth = reader.birth()
    sex = reader.sex()
    expiry = reader.expiry()

    optional = reader.text(layout.optional)
    if reader.long_number_optional_start is not None:
        optional = optional[reader.long_number_optional_start - layout.optional[1] :]
    optional_value = optional.rstrip("<")
    if layout.optional_cd is not None:
        reader.check_digit(
            "optional_data",
            reader.text(layout.optional),
            layout.optional_cd,
            filler_if_empty=True,
        )
    optional_2 = reader.text(layout.optional_2).rstrip("<") if layout.optional_2 else ""
    if layout.composite_cd is not None:
        data = "".join(reader.text(span) for span in layout.composite_spans)
        reader.check_digit("composite", data, layout.composite_cd)

    _validity(reader, layout, birth, expiry, today)

    errors = sorted(reader.errors, key=lambda e: (e.line or 0, e.start or 0))
    return MRZResult(
        format=layout.name,
        lines=tuple(lines),
        corrected_lines=tuple("".join(row) for row in reader.fixed),
        document_code=document_code,
        document_kind=DOCUMENT_KINDS.get(document_code[:1], "travel_document"),
        issuing_state=issuing_state,
        name_as_read=name_as_read,
        primary_identifier=primary,
        secondary_identifier=secondary,
        name_truncated=truncated,
        document_number=document_number,
        nationality=nationality,
        birth=birth,
        sex=sex,
        date_of_expiry=expiry,
        optional_data=optional_value,
        optional_data_2=optional_2,
        checks=tuple(reader.checks),
        errors=tuple(errors),
        warnings=tuple(reader.warnings),
    )


def _validity(reader: _Reader, layout: Layout, birth: PartialDate, expiry, today: date) -> None:
    line, start, end = layout.expiry
    if expiry is not None and expiry < today:
        what = "the visa was valid until" if layout.name.startswith("MRV") else "the document expired on"
        reader.error(
            "date_of_expiry",
            "expired",
            f"{what} {expiry.isoformat()}",
            line,
            start,
            end - 1,
        )
    if expiry is not None and birth.year is not None:
        born = (birth.year, birth.month or 1, birth.day or 1)
        if born > (expiry.year, expiry.month, expiry.day):
            b_line, b_start, b_end = layout.birth
            reader.error(
                "date_of_birth",
                "date_order",
                f"date of birth {birth.isoformat()} is after the date of expiry {expiry.isoformat()}",
                b_line,
                b_start,
                b_end - 1,
            )
