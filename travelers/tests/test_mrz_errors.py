"""Every kind of error and warning the parser reports, with its field, line and positions."""

from datetime import date

import pytest

from travelers.mrz import DocumentFields, PartialDate, check_digit, generate, parse

TODAY = date(2026, 11, 28)

# A valid TD3 passport, written by hand (see test_mrz_check_digits).
PASSPORT = "P<IRQMXHMWD<<EBD<ALLXH<<<<<<<<<<<<<<<<<<<<<<\nA0123456<1IRQ8503149M310630519850314123<<<30"
CARD = "IDJORK7321884529921102<<<<<<<<\n9211029F2902289JOROPT2<<<<<<<6\nAL<XTYB<<LYLY<<<<<<<<<<<<<<<<<"


def replace(text: str, line: int, start: int, new: str) -> str:
    """Replace characters from (line, start), 1-based, with ``new``."""
    lines = text.split("\n")
    row = lines[line - 1]
    lines[line - 1] = row[: start - 1] + new + row[start - 1 + len(new) :]
    return "\n".join(lines)


def td3(**changes) -> str:
    """A TD3 passport generated with some fields changed, all check digits right."""
    fields = {
        "document_code": "P",
        "issuing_state": "IRQ",
        "primary_identifier": "MXHMWD",
        "secondary_identifier": "EBD ALLXH",
        "document_number": "A0123456",
        "nationality": "IRQ",
        "date_of_birth": PartialDate(1985, 3, 14),
        "sex": "M",
        "date_of_expiry": date(2031, 6, 30),
        "optional_data": "",
    }
    fields.update(changes)
    return generate(DocumentFields(**fields), "TD3")


def with_check_digits(text: str) -> str:
    """Recompute every check digit of a TD3 text so only the deliberate error remains."""
    line1, line2 = text.split("\n")
    row = list(line2)
    row[9] = check_digit(line2[0:9])
    row[19] = check_digit(line2[13:19])
    row[27] = check_digit(line2[21:27])
    optional = line2[28:42]
    row[42] = check_digit(optional) if optional.strip("<") else "<"
    joined = "".join(row)
    row[43] = check_digit(joined[0:10] + joined[13:20] + joined[21:43])
    return line1 + "\n" + "".join(row)


def only(result):
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


# Format --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "the MRZ is empty"),
        ("   \r\n  \n", "the MRZ is empty"),
        (
            "P<UTOERIKSSON",
            (
                "the MRZ has 1 line of 13 characters; expected 3 lines of 30 characters (TD1), "
                "2 lines of 36 (TD2, MRV-B) or 2 lines of 44 (TD3, MRV-A)"
            ),
        ),
        (
            PASSPORT[:-1],
            "line 2: this line has 43 characters; a line of a TD3 passport or MRV-A visa has 44",
        ),
        (
            CARD.replace("\nAL<XTYB", "\nAL<XTY"),
            "line 3: this line has 29 characters; a line of a TD1 identity card has 30",
        ),
        (
            PASSPORT + "\n" + "<" * 44,
            (
                "the MRZ has 3 lines of 44, 44, 44 characters; expected 3 lines of 30 characters "
                "(TD1), 2 lines of 36 (TD2, MRV-B) or 2 lines of 44 (TD3, MRV-A)"
            ),
        ),
    ],
)
def test_format_errors(text, message):
    result = parse(text, today=TODAY)
    error = only(result)
    assert (error.field, error.kind) == ("mrz", "format")
    assert error.text == message
    assert result.format is None and not result.valid


def test_character_outside_the_mrz_set():
    result = parse(replace(PASSPORT, 1, 8, "#"), today=TODAY)
    error = next(e for e in result.errors if e.kind == "character")
    assert error.text == ("line 1, position 8: character '#' is not allowed in an MRZ (only A-Z, 0-9 and <)")


# Check digits (every check digit of every format: test_mrz_check_digits) ---------------------


def test_check_digit_message():
    result = parse(replace(PASSPORT, 2, 10, "7"), today=TODAY)
    assert [e.text for e in result.errors] == [
        "line 2, position 10: the check digit of document number A0123456< is 7 but should be 1",
        "line 2, position 44: the composite check digit is 0 but should be 2",
    ]
    assert {e.field for e in result.errors} == {"document_number", "composite"}


def test_the_check_digit_scheme_cannot_see_changes_by_ten():
    """A blind spot of Doc 9303's 7-3-1 check digit, stated rather than hidden: in an
    alphanumeric field, 0, A, K, U (values 0, 10, 20, 30) are interchangeable."""
    swapped = replace(PASSPORT, 2, 2, "A")  # A0123456 -> AA123456
    result = parse(swapped, today=TODAY)
    assert result.valid
    assert result.document_number == "AA123456"


# Dates --------------------------------------------------------------------------------------


def test_date_of_birth_with_month_13():
    text = with_check_digits(replace(PASSPORT, 2, 14, "741312"))
    error = only(parse(text, today=TODAY))
    assert (error.field, error.kind) == ("date_of_birth", "date")
    assert error.text == ("line 2, positions 14-19: date of birth 741312 is not a valid date: month 13 does not exist")


def test_date_of_birth_february_30():
    text = with_check_digits(replace(PASSPORT, 2, 14, "850230"))
    error = only(parse(text, today=TODAY))
    assert error.text == (
        "line 2, positions 14-19: date of birth 850230 is not a valid date: day 30 does not exist in February 1985"
    )


def test_date_with_a_letter_that_is_no_digit_confusion():
    text = with_check_digits(replace(PASSPORT, 2, 14, "85A314"))
    errors = parse(text, today=TODAY).errors
    error = next(e for e in errors if e.kind == "date")
    assert error.text == (
        "line 2, positions 14-19: date of birth 85A314 is not a date: expected YYMMDD digits "
        "(unknown day or month as <<)"
    )


def test_date_of_expiry_not_a_date():
    text = with_check_digits(replace(PASSPORT, 2, 22, "311131"))
    error = only(parse(text, today=TODAY))
    assert (error.field, error.kind) == ("date_of_expiry", "date")
    assert error.text == (
        "line 2, positions 22-27: date of expiry 311131 is not a valid date: day 31 does not exist in November 2031"
    )


def test_expired_document():
    text = td3(date_of_expiry=date(2026, 11, 27))
    result = parse(text, today=TODAY)
    error = only(result)
    assert (error.field, error.kind) == ("date_of_expiry", "expired")
    assert error.text == "line 2, positions 22-27: the document expired on 2026-11-27"
    assert result.mrz_valid and result.expired and not result.valid
    # The last day of validity is still valid.
    assert parse(td3(date_of_expiry=TODAY), today=TODAY).valid


def test_expired_visa_says_valid_until():
    text = generate(
        DocumentFields("V", "IRQ", "SMITH", "JOHN", "V0047112", "GBR", PartialDate(1979, 5, 5), "M", date(2026, 1, 15)),
        "MRVB",
    )
    error = only(parse(text, today=TODAY))
    assert error.text == "line 2, positions 22-27: the visa was valid until 2026-01-15"


def test_date_of_birth_after_expiry():
    # Expiry 1960 (a two-digit year more than 20 years ahead belongs to the last century) and
    # birth 1970.
    text = with_check_digits(replace(PASSPORT, 2, 14, "700101"))
    text = with_check_digits(replace(text, 2, 22, "600101"))
    result = parse(text, today=TODAY)
    kinds = sorted((e.field, e.kind) for e in result.errors)
    assert kinds == [("date_of_birth", "date_order"), ("date_of_expiry", "expired")]
    order = next(e for e in result.errors if e.kind == "date_order")
    assert order.text == ("line 2, positions 14-19: date of birth 1970-01-01 is after the date of expiry 1960-01-01")


@pytest.mark.parametrize(
    "written,today,expected",
    [
        ("850314", TODAY, date(1985, 3, 14)),
        ("261128", TODAY, date(2026, 11, 28)),  # born today
        ("261129", TODAY, date(1926, 11, 29)),  # tomorrow is in the future: a century back
        ("000229", TODAY, date(2000, 2, 29)),
        ("991231", date(2000, 1, 1), date(1999, 12, 31)),
    ],
)
def test_two_digit_birth_year_is_never_in_the_future(written, today, expected):
    text = with_check_digits(replace(PASSPORT, 2, 14, written))
    text = with_check_digits(replace(text, 2, 22, "460101"))
    result = parse(text, today=today)
    assert result.date_of_birth == expected


@pytest.mark.parametrize(
    "written,expected",
    [
        ("460101", date(2046, 1, 1)),
        ("461231", date(2046, 12, 31)),
        ("470101", date(1947, 1, 1)),
        ("120415", date(2012, 4, 15)),
        ("990101", date(1999, 1, 1)),
    ],
)
def test_two_digit_expiry_year_lies_at_most_twenty_years_ahead(written, expected):
    text = with_check_digits(replace(PASSPORT, 2, 22, written))
    assert parse(text, today=TODAY).date_of_expiry == expected


@pytest.mark.parametrize(
    "written,year,month,precision",
    [("85<<<<", 1985, None, "year"), ("8503<<", 1985, 3, "month"), ("<<<<<<", None, None, "unknown")],
)
def test_partly_unknown_date_of_birth(written, year, month, precision):
    text = with_check_digits(replace(PASSPORT, 2, 14, written))
    result = parse(text, today=TODAY)
    assert result.errors == ()
    assert (result.birth.year, result.birth.month, result.birth.day) == (year, month, None)
    assert result.birth.precision == precision
    assert result.date_of_birth is None


def test_day_without_month_is_not_a_date():
    text = with_check_digits(replace(PASSPORT, 2, 14, "85<<14"))
    error = only(parse(text, today=TODAY))
    assert (error.field, error.kind) == ("date_of_birth", "date")


# Codes --------------------------------------------------------------------------------------


def test_unknown_issuing_state():
    result = parse(replace(PASSPORT, 1, 3, "ZZZ"), today=TODAY)
    error = only(result)
    assert (error.field, error.kind) == ("issuing_state", "unknown_code")
    assert error.text == (
        "line 1, positions 3-5: issuing state ZZZ is not an ICAO Doc 9303 country or organisation code"
    )


def test_unknown_nationality():
    text = with_check_digits(replace(PASSPORT, 2, 11, "QQQ"))
    error = only(parse(text, today=TODAY))
    assert (error.field, error.kind) == ("nationality", "unknown_code")
    assert error.text.startswith("line 2, positions 11-13: nationality QQQ is not")


def test_code_with_a_digit_that_is_no_letter_confusion():
    error = only(parse(replace(PASSPORT, 1, 3, "IR7"), today=TODAY))
    assert error.text == ("line 1, positions 3-5: issuing state IR7 is not a code: a code has letters, then fillers")


def test_missing_issuing_state():
    error = only(parse(replace(PASSPORT, 1, 3, "<<<"), today=TODAY))
    assert error.text == "line 1, positions 3-5: issuing state is missing"


def test_germany_is_d_with_fillers():
    result = parse(td3(issuing_state="D", nationality="D"), today=TODAY)
    assert result.valid
    assert (result.issuing_state, result.nationality) == ("D", "D")
    assert result.lines[0].startswith("P<D<<MXHMWD")
    # DEU is ISO's code for Germany, but not the one Doc 9303 prescribes.
    assert only(parse(td3(issuing_state="DEU"), today=TODAY)).kind == "unknown_code"


def test_extra_codes_are_accepted_when_configured():
    text = replace(PASSPORT, 1, 3, "UTO")
    assert not parse(text, today=TODAY).valid
    assert parse(text, today=TODAY, extra_codes={"UTO"}).valid


# Document code, sex, name, document number ---------------------------------------------------


def test_document_code_must_fit_the_format():
    error = only(parse(replace(PASSPORT, 1, 1, "I"), today=TODAY))
    assert (error.field, error.kind) == ("document_code", "document_code")
    assert error.text == ("line 1, position 1: document code I< must start with P in a TD3 passport (2 lines of 44)")
    card = only(parse(replace(CARD, 1, 1, "P"), today=TODAY))
    assert card.text == (
        "line 1, position 1: document code PD must start with A or C or I in a TD1 identity card (3 lines of 30)"
    )


def test_document_code_second_character():
    error = only(parse(replace(PASSPORT, 1, 2, "3"), today=TODAY))
    assert error.text == ("line 1, position 2: the second character of document code P3 must be a letter or <")


def test_sex_must_be_m_f_or_unspecified():
    error = only(parse(replace(PASSPORT, 2, 21, "Q"), today=TODAY))
    assert (error.field, error.kind) == ("sex", "sex")
    assert error.text == "line 2, position 21: sex 'Q' must be M, F, or < (unspecified)"
    assert parse(replace(PASSPORT, 2, 21, "<"), today=TODAY).sex == "X"
    assert parse(replace(PASSPORT, 2, 21, "X"), today=TODAY).sex == "X"


def test_name_with_a_digit_that_is_no_letter_confusion():
    error = only(parse(replace(PASSPORT, 1, 8, "3"), today=TODAY))
    assert (error.field, error.kind) == ("name", "name")
    assert error.text == ("line 1, position 8: name contains '3'; a name has only letters and fillers")


def test_name_without_primary_identifier():
    text = replace(PASSPORT, 1, 6, "<<EBD<ALLXH<<<<<<")
    error = only(parse(text, today=TODAY))
    assert error.text == (
        "line 1, positions 6-44: the primary identifier (surname) is missing: the name field must start with it"
    )


def test_single_name_is_the_primary_identifier():
    result = parse(td3(primary_identifier="MXHMWD", secondary_identifier=""), today=TODAY)
    assert (result.primary_identifier, result.secondary_identifier) == ("MXHMWD", "")


def test_long_name_is_flagged_as_possibly_truncated():
    text = td3(
        primary_identifier="ALXSYNY ALBGHDADY ALTMYMY",
        secondary_identifier="MXHMD EBD ALRXHMN XHSN",
    )
    result = parse(text, today=TODAY)
    assert result.valid and result.name_truncated
    warning = next(w for w in result.warnings if w.kind == "name_truncated")
    assert warning.text == ("line 1, positions 6-44: the name fills the whole field and may have been truncated")
    assert result.secondary_identifier == "MXHMD EBD AL"


def test_missing_document_number():
    text = with_check_digits(replace(PASSPORT, 2, 1, "<" * 9))
    error = only(parse(text, today=TODAY))
    assert (error.field, error.kind) == ("document_number", "document_number")
    assert error.text == "line 2, positions 1-9: document number is missing"


def test_long_number_marker_without_continuation():
    # TD1 with a filler at the document number's check digit but nothing in the optional data.
    card = replace(CARD, 1, 15, "<")
    card = replace(card, 1, 16, "<" * 15)
    result = parse(card, today=TODAY)
    kinds = [(e.field, e.kind) for e in result.errors]
    assert ("document_number", "document_number") in kinds
    error = next(e for e in result.errors if e.kind == "document_number")
    assert error.text.startswith(
        "line 1, position 15: the document number's check digit is a filler, which announces a long document number"
    )


def test_filler_check_digit_is_an_error_where_no_long_number_exists():
    error = next(e for e in parse(replace(PASSPORT, 2, 10, "<"), today=TODAY).errors if e.field == "document_number")
    assert error.text == ("line 2, position 10: the check digit of document number A0123456< is '<', not a digit")


# OCR tolerance and cleaning warnings --------------------------------------------------------


def test_letter_read_in_a_date_is_corrected_and_reported():
    result = parse(replace(PASSPORT, 2, 14, "B5O3I4"), today=TODAY)
    assert result.errors == ()
    assert result.date_of_birth == date(1985, 3, 14)
    assert [w.text for w in result.warnings] == [
        "line 2, position 14: 'B' read as '8' (digit-only field date of birth)",
        "line 2, position 16: 'O' read as '0' (digit-only field date of birth)",
        "line 2, position 18: 'I' read as '1' (digit-only field date of birth)",
    ]
    assert result.lines[1][13:19] == "B5O3I4"
    assert result.corrected_lines[1][13:19] == "850314"


def test_digit_read_in_a_code_or_name_is_corrected():
    code = parse(replace(PASSPORT, 1, 3, "1RQ"), today=TODAY)
    assert code.valid and code.issuing_state == "IRQ"
    assert [w.text for w in code.warnings] == ["line 1, position 3: '1' read as 'I' (letter-only field issuing state)"]
    name = parse(replace(PASSPORT, 1, 6, "MXHMW0"), today=TODAY)
    assert name.valid and name.primary_identifier == "MXHMWO"
    assert [(w.kind, w.field, w.start) for w in name.warnings] == [("ocr_correction", "name", 11)]


def test_document_number_is_taken_as_read():
    """An O in the alphanumeric document number is not changed to 0: either is possible there."""
    result = parse(replace(PASSPORT, 2, 2, "O"), today=TODAY)
    assert result.document_number == "AO123456"
    assert {e.field for e in result.errors if e.kind == "check_digit"} == {
        "document_number",
        "composite",
    }
    assert result.warnings == ()
