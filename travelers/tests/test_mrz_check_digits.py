"""Hand-made documents, one per format, exercising every check digit of each format.

The documents were written out here by hand (the check digits worked with the independent
``reference_check_digit`` below), and the generator is checked to produce the same text.
"""

from datetime import date

import pytest

from travelers.mrz import DocumentFields, PartialDate, check_digit, generate, parse

TODAY = date(2026, 11, 28)


def reference_check_digit(text: str) -> str:
    """Doc 9303 Part 3, 4.9, written out independently of the module under test."""
    total = 0
    for i, ch in enumerate(text):
        if ch == "<":
            value = 0
        elif ch.isdigit():
            value = ord(ch) - ord("0")
        else:
            value = ord(ch) - ord("A") + 10
        total += value * (7, 3, 1)[i % 3]
    return str(total % 10)


# name: (format, text, fields, {check field: (line, position 1-based, covered positions)})
# Covered positions are (line, position) of characters the check digit protects, one per field.
DOCUMENTS = {
    "TD3 passport, Iraq": (
        "TD3",
        ("P<IRQMXHMWD<<EBD<ALLXH<<<<<<<<<<<<<<<<<<<<<<\nA0123456<1IRQ8503149M310630519850314123<<<30"),
        DocumentFields(
            "P",
            "IRQ",
            "MXHMWD",
            "EBD ALLXH",
            "A0123456",
            "IRQ",
            PartialDate(1985, 3, 14),
            "M",
            date(2031, 6, 30),
            "19850314123",
        ),
        {
            "document_number": (2, 10, (2, 3)),
            "date_of_birth": (2, 20, (2, 17)),
            "date_of_expiry": (2, 28, (2, 26)),
            "optional_data": (2, 43, (2, 33)),
            "composite": (2, 44, (2, 3)),
        },
    ),
    "TD1 card, Jordan": (
        "TD1",
        ("IDJORK7321884529921102<<<<<<<<\n9211029F2902289JOROPT2<<<<<<<6\nAL<XTYB<<LYLY<<<<<<<<<<<<<<<<<"),
        DocumentFields(
            "ID",
            "JOR",
            "AL XTYB",
            "LYLY",
            "K73218845",
            "JOR",
            PartialDate(1992, 11, 2),
            "F",
            date(2029, 2, 28),
            "9921102",
            "OPT2",
        ),
        {
            "document_number": (1, 15, (1, 8)),
            "date_of_birth": (2, 7, (2, 4)),
            "date_of_expiry": (2, 15, (2, 12)),
            "composite": (2, 30, (1, 18)),
        },
    ),
    "TD1 card, Germany, long document number": (
        "TD1",
        ("I<D<<T22000129<34563<ABC<<<<<<\n6408125F3110315D<<XYZ<<<<<<<<3\nMUSTERMANN<<ERIKA<<<<<<<<<<<<<"),
        DocumentFields(
            "I",
            "D",
            "MUSTERMANN",
            "ERIKA",
            "T220001293456",
            "D",
            PartialDate(1964, 8, 12),
            "F",
            date(2031, 10, 31),
            "ABC",
            "XYZ",
        ),
        {
            # The number continues in line 1 positions 16-19; its check digit is at 20.
            "document_number": (1, 20, (1, 17)),
            "date_of_birth": (2, 7, (2, 2)),
            "date_of_expiry": (2, 15, (2, 9)),
            "composite": (2, 30, (2, 20)),
        },
    ),
    "TD2 card, Türkiye, year-only date of birth": (
        "TD2",
        ("IRTURYILMAZ<<AYSE<<<<<<<<<<<<<<<<<<<\nU123456784SYR9001<<0F2812313ZZ12<<<7"),
        DocumentFields(
            "IR",
            "TUR",
            "YILMAZ",
            "AYSE",
            "U12345678",
            "SYR",
            PartialDate(1990, 1, None),
            "F",
            date(2028, 12, 31),
            "ZZ12",
        ),
        {
            "document_number": (2, 10, (2, 5)),
            "date_of_birth": (2, 20, (2, 15)),
            "date_of_expiry": (2, 28, (2, 23)),
            "composite": (2, 36, (2, 32)),
        },
    ),
    "MRV-A visa, Iraq": (
        "MRVA",
        ("VEIRQSMITH<<JOHN<PAUL<<<<<<<<<<<<<<<<<<<<<<<\nV0047112<0GBR7905056M2701150MULTI2<<<<<<<<<<"),
        DocumentFields(
            "VE",
            "IRQ",
            "SMITH",
            "JOHN PAUL",
            "V0047112",
            "GBR",
            PartialDate(1979, 5, 5),
            "M",
            date(2027, 1, 15),
            "MULTI2",
        ),
        {
            "document_number": (2, 10, (2, 2)),
            "date_of_birth": (2, 20, (2, 19)),
            "date_of_expiry": (2, 28, (2, 24)),
        },
    ),
    "MRV-B visa, Iraq": (
        "MRVB",
        ("V<IRQDUPONT<<MARIE<<<<<<<<<<<<<<<<<<\nV1234567<3FRA0112248F2703017E1<<<<<<"),
        DocumentFields(
            "V",
            "IRQ",
            "DUPONT",
            "MARIE",
            "V1234567",
            "FRA",
            PartialDate(2001, 12, 24),
            "F",
            date(2027, 3, 1),
            "E1",
        ),
        {
            "document_number": (2, 10, (2, 7)),
            "date_of_birth": (2, 20, (2, 14)),
            "date_of_expiry": (2, 28, (2, 22)),
        },
    ),
}

CASES = [(name, field) for name, (_fmt, _text, _fields, checks) in DOCUMENTS.items() for field in checks]


def _replace(text: str, line: int, position: int, ch: str) -> str:
    lines = text.split("\n")
    row = lines[line - 1]
    lines[line - 1] = row[: position - 1] + ch + row[position:]
    return "\n".join(lines)


def _char(text: str, line: int, position: int) -> str:
    return text.split("\n")[line - 1][position - 1]


def _check_errors(result):
    return {e.field for e in result.errors if e.kind == "check_digit"}


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_hand_made_document_is_valid_and_parses_to_its_fields(name):
    fmt, text, fields, _checks = DOCUMENTS[name]
    result = parse(text, today=TODAY)
    assert result.errors == ()
    assert result.format == fmt
    assert result.fields() == fields


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_generator_writes_the_hand_made_document(name):
    fmt, text, fields, _checks = DOCUMENTS[name]
    assert generate(fields, fmt) == text


@pytest.mark.parametrize("name,field", CASES)
def test_check_digit_as_printed_is_the_reference_value(name, field):
    _fmt, text, _fields, checks = DOCUMENTS[name]
    line, position, _covered = checks[field]
    result = parse(text, today=TODAY)
    check = next(c for c in result.checks if c.field == field)
    assert (check.line, check.position) == (line, position)
    assert check.found == _char(text, line, position)
    assert check.valid


@pytest.mark.parametrize("name,field", CASES)
def test_every_wrong_check_digit_is_reported_at_its_position(name, field):
    _fmt, text, _fields, checks = DOCUMENTS[name]
    line, position, _covered = checks[field]
    original = _char(text, line, position)
    has_composite = "composite" in checks
    for digit in "0123456789":
        if digit == original:
            continue
        result = parse(_replace(text, line, position, digit), today=TODAY)
        # A check digit inside the composite's data also breaks the composite.
        expected = {field, "composite"} if has_composite else {field}
        assert _check_errors(result) == expected, digit
        error = next(e for e in result.errors if e.field == field and e.kind == "check_digit")
        assert (error.line, error.start) == (line, position)
        assert f"should be {original}" in error.message
        assert not result.valid and not result.mrz_valid


@pytest.mark.parametrize("name,field", CASES)
def test_every_detectable_change_of_the_covered_data_is_caught(name, field):
    """Any replacement whose check value differs modulo 10 (the changes the 7-3-1 scheme can see;
    see test_mrz_errors for its blind spot) is reported, unless the field's type allows only one
    reading of the new character (``Z`` in a date is the OCR confusion for ``2``): then the
    original value is restored and the correction is reported as a warning."""
    _fmt, text, fields, checks = DOCUMENTS[name]
    _line, _position, (line, position) = checks[field]
    original = _char(text, line, position)
    for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<":
        if (_value(ch) - _value(original)) % 10 == 0:
            continue
        result = parse(_replace(text, line, position, ch), today=TODAY)
        if result.valid:
            assert result.fields() == fields, ch
            assert [(w.kind, w.line, w.start) for w in result.warnings] == [("ocr_correction", line, position)], ch
        elif original.isdigit() and ch.isdigit():
            assert field in _check_errors(result), ch


def _value(ch: str) -> int:
    if ch == "<":
        return 0
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


@pytest.mark.parametrize("name,field", CASES)
def test_module_check_digit_agrees_with_the_reference(name, field):
    _fmt, text, _fields, _checks = DOCUMENTS[name]
    for line in text.split("\n"):
        for end in range(1, len(line) + 1):
            assert check_digit(line[:end]) == reference_check_digit(line[:end])


def _td3_with_composite(line2_without_composite: str) -> str:
    line1 = "P<IRQSMITH<<JOHN".ljust(44, "<")
    row = line2_without_composite
    data = row[0:10] + row[13:20] + row[21:43]
    return line1 + "\n" + row + reference_check_digit(data)


def test_optional_data_check_digit_may_be_filler_or_zero_only_when_the_field_is_empty():
    head = "A0123456<1IRQ8503149M3106305"
    for check in "<0":
        assert parse(_td3_with_composite(head + "<" * 14 + check), today=TODAY).errors == ()
    # With data in the field, a filler check digit is an error; the right digit is not.
    optional = "12".ljust(14, "<")
    result = parse(_td3_with_composite(head + optional + "<"), today=TODAY)
    assert _check_errors(result) == {"optional_data"}
    right = reference_check_digit(optional)
    assert parse(_td3_with_composite(head + optional + right), today=TODAY).errors == ()


def test_check_digit_that_is_not_a_digit_is_named():
    _fmt, text, _fields, _checks = DOCUMENTS["TD3 passport, Iraq"]
    result = parse(_replace(text, 2, 20, "A"), today=TODAY)
    error = next(e for e in result.errors if e.field == "date_of_birth")
    assert error.kind == "check_digit"
    assert error.text == "line 2, position 20: the check digit of date of birth 850314 is 'A', not a digit"


def test_check_digit_read_as_a_letter_is_corrected_when_unambiguous():
    _fmt, text, _fields, _checks = DOCUMENTS["TD3 passport, Iraq"]
    # The document number's check digit 1 read as I.
    result = parse(_replace(text, 2, 10, "I"), today=TODAY)
    assert result.errors == ()
    assert [(w.kind, w.line, w.start) for w in result.warnings] == [("ocr_correction", 2, 10)]
