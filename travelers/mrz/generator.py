"""Build an MRZ from document fields: the inverse of the parser.

Used by tests (round trips), benchmarks and demo data. Input is expected in MRZ characters
already (names transliterated to A-Z); spaces and hyphens in names become fillers, apostrophes are
dropped, as Doc 9303 Part 3 prescribes. A name longer than its field is cut at the field's end.

Pure Python: no Django import.
"""

from __future__ import annotations

from datetime import date

from .checkdigit import VALID_CHARS, check_digit
from .codes import mrz_code
from .parser import LAYOUTS, Layout
from .result import DocumentFields, PartialDate

_NAME_SEPARATORS = str.maketrans({" ": "<", "-": "<", "'": None, "’": None, ",": None})


def encode_name(primary: str, secondary: str, width: int) -> str:
    """``("DE BRUIJN", "WILLEKE LISELOTTE")`` -> ``DE<BRUIJN<<WILLEKE<LISELOTTE<<<...``."""
    primary_part = _name_part(primary)
    secondary_part = _name_part(secondary)
    text = f"{primary_part}<<{secondary_part}" if secondary_part else primary_part
    return text[:width].ljust(width, "<")


def _name_part(text: str) -> str:
    words = text.upper().translate(_NAME_SEPARATORS).split("<")
    part = "<".join(w for w in words if w)
    _require_mrz_chars(part, "name")
    return part


def _require_mrz_chars(text: str, field: str) -> None:
    bad = sorted({c for c in text if c not in VALID_CHARS})
    if bad:
        raise ValueError(f"{field}: characters {''.join(bad)!r} cannot be written in an MRZ")


def _fixed(text: str, width: int, field: str) -> str:
    text = text.upper()
    _require_mrz_chars(text, field)
    if len(text) > width:
        raise ValueError(f"{field}: {text!r} is longer than the {width} characters of its field")
    return text.ljust(width, "<")


def encode_birth(value: date | PartialDate) -> str:
    if isinstance(value, date):
        return value.strftime("%y%m%d")
    if value.year is None:
        return "<<<<<<"
    yy = f"{value.year % 100:02d}"
    mm = f"{value.month:02d}" if value.month is not None else "<<"
    dd = f"{value.day:02d}" if value.day is not None and value.month is not None else "<<"
    return yy + mm + dd


def _document_number(number: str, layout: Layout, optional: str) -> tuple[str, str, str]:
    """(9-character number field, its check digit character, the optional data field text)."""
    number = number.upper()
    _require_mrz_chars(number, "document_number")
    width = layout.optional[2] - layout.optional[1]
    if len(number) <= 9:
        return number.ljust(9, "<"), check_digit(number.ljust(9, "<")), optional
    if not layout.long_number:
        raise ValueError(f"document_number: {layout.name} has room for 9 characters, {number!r} has {len(number)}")
    if "<" in number:
        raise ValueError("document_number: a long document number cannot contain fillers")
    continued = number[9:] + check_digit(number)
    if optional:
        continued += "<" + optional
    if len(continued) > width:
        raise ValueError(
            f"document_number: {number!r} with its check digit and the optional data do not fit "
            f"in the {width} characters of the optional data field"
        )
    return number[:9], "<", continued


def generate_lines(fields: DocumentFields, format: str) -> list[str]:
    """The MRZ lines for ``fields`` in ``format`` (``TD1``, ``TD2``, ``TD3``, ``MRVA``, ``MRVB``)."""
    layout = LAYOUTS[format]
    rows = [["<"] * layout.width for _ in range(layout.lines)]

    def put(span, text):
        line, start, end = span
        if len(text) != end - start:
            raise ValueError(f"{text!r} does not fill the span {span}")
        rows[line][start:end] = list(text)

    def put_char(pos, ch):
        rows[pos[0]][pos[1]] = ch

    put((0, 0, 2), _fixed(fields.document_code, 2, "document_code"))
    put((0, 2, 5), _fixed(mrz_code(fields.issuing_state), 3, "issuing_state"))
    _line, start, end = layout.name_span
    put(layout.name_span, encode_name(fields.primary_identifier, fields.secondary_identifier, end - start))

    o_line, o_start, o_end = layout.optional
    number_field, number_cd, optional_text = _document_number(
        fields.document_number, layout, fields.optional_data.upper()
    )
    put(layout.document_number, number_field)
    put_char(layout.document_number_cd, number_cd)
    put(layout.optional, _fixed(optional_text, o_end - o_start, "optional_data"))

    put(layout.nationality, _fixed(mrz_code(fields.nationality), 3, "nationality"))
    birth = encode_birth(fields.date_of_birth)
    put(layout.birth, birth)
    put_char(layout.birth_cd, check_digit(birth))
    if fields.sex not in ("M", "F", "X", ""):
        raise ValueError(f"sex: {fields.sex!r} must be M, F or X (unspecified)")
    put_char(layout.sex, fields.sex if fields.sex in ("M", "F") else "<")
    expiry = fields.date_of_expiry.strftime("%y%m%d")
    put(layout.expiry, expiry)
    put_char(layout.expiry_cd, check_digit(expiry))

    if layout.optional_2 is not None:
        _line, start, end = layout.optional_2
        put(layout.optional_2, _fixed(fields.optional_data_2, end - start, "optional_data_2"))
    elif fields.optional_data_2:
        raise ValueError(f"optional_data_2: {layout.name} has no second optional data field")

    if layout.optional_cd is not None:
        data = "".join(rows[o_line][o_start:o_end])
        # Doc 9303 Part 4: an unused personal number field has the check digit 0 or <.
        put_char(layout.optional_cd, check_digit(data) if data.strip("<") else "<")
    if layout.composite_cd is not None:
        data = "".join("".join(rows[li][s:e]) for li, s, e in layout.composite_spans)
        put_char(layout.composite_cd, check_digit(data))
    return ["".join(row) for row in rows]


def generate(fields: DocumentFields, format: str) -> str:
    """The MRZ for ``fields`` in ``format``, lines separated by newlines."""
    return "\n".join(generate_lines(fields, format))
