"""The specimen documents of ICAO Doc 9303 (Parts 4-7, and the long-number example of Part 11,
Appendix D) parse exactly.

The specimens are issued by Utopia (UTO), which is not a real issuing state: the parser accepts it
only when told to (``extra_codes``), as a training system would.
"""

from datetime import date

import pytest

from travelers.mrz import parse

UTOPIA = frozenset({"UTO"})
UNSPECIFIED = "X" * 3

TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
TD1_LONG_NUMBER = "I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<"
TD2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"
TD2_LONG_NUMBER = "I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<\nD23145890<UTO3407127M95071227349<<<8"
MRVA = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<"
MRVB = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<"

ANNA = {
    "document_code": "I",
    "issuing_state": "UTO",
    "primary_identifier": "ERIKSSON",
    "secondary_identifier": "ANNA MARIA",
    "document_number": "D23145890",
    "nationality": "UTO",
    "date_of_birth": date(1974, 8, 12),
    "sex": "F",
    "date_of_expiry": date(2012, 4, 15),
    "optional_data": "",
    "optional_data_2": "",
}
PETER = dict(
    ANNA,
    primary_identifier="STEVENSON",
    secondary_identifier="PETER JOHN",
    document_number="D23145890734",
    date_of_birth=date(1934, 7, 12),
    sex="M",
    date_of_expiry=date(1995, 7, 12),
)
VISA = dict(
    ANNA,
    document_code="V",
    document_number="L8988901C",
    nationality=UNSPECIFIED,
    date_of_birth=date(1940, 9, 7),
    date_of_expiry=date(1996, 12, 10),
)

SPECIMENS = [
    (
        "TD3",
        TD3,
        "TD3",
        dict(
            ANNA,
            document_code="P",
            document_number="L898902C3",
            optional_data="ZE184226B",
        ),
        "passport",
        date(2010, 1, 1),
    ),
    ("TD1", TD1, "TD1", ANNA, "identity_card", date(2010, 1, 1)),
    ("TD1 long number", TD1_LONG_NUMBER, "TD1", PETER, "identity_card", date(1994, 1, 1)),
    ("TD2", TD2, "TD2", ANNA, "identity_card", date(2010, 1, 1)),
    ("TD2 long number", TD2_LONG_NUMBER, "TD2", PETER, "identity_card", date(1994, 1, 1)),
    ("MRV-A", MRVA, "MRVA", dict(VISA, optional_data="6ZE184226B"), "visa", date(1995, 1, 1)),
    ("MRV-B", MRVB, "MRVB", VISA, "visa", date(1995, 1, 1)),
]


@pytest.mark.parametrize(
    "text,fmt,expected,kind,today",
    [s[1:] for s in SPECIMENS],
    ids=[s[0] for s in SPECIMENS],
)
def test_specimen_parses_exactly(text, fmt, expected, kind, today):
    result = parse(text, today=today, extra_codes=UTOPIA)
    assert result.errors == ()
    assert result.warnings == ()
    assert result.valid and result.mrz_valid
    assert result.format == fmt
    assert result.document_kind == kind
    got = {key: getattr(result, key) for key in expected}
    assert got == expected
    assert result.lines == tuple(text.split("\n"))
    assert result.corrected_lines == result.lines
    assert all(check.valid for check in result.checks)


def test_specimen_check_digits_are_those_printed():
    result = parse(TD3, today=date(2010, 1, 1), extra_codes=UTOPIA)
    found = {check.field: (check.line, check.position, check.found) for check in result.checks}
    assert found == {
        "document_number": (2, 10, "6"),
        "date_of_birth": (2, 20, "2"),
        "date_of_expiry": (2, 28, "9"),
        "optional_data": (2, 43, "1"),
        "composite": (2, 44, "0"),
    }


def test_td1_long_number_check_digit_is_read_from_the_optional_data():
    result = parse(TD1_LONG_NUMBER, today=date(1994, 1, 1), extra_codes=UTOPIA)
    number_check = next(c for c in result.checks if c.field == "document_number")
    # "D23145890" + "734" continue in positions 16-18 of line 1; the check digit 9 is at 19.
    assert (number_check.line, number_check.position, number_check.found) == (1, 19, "9")
    assert result.optional_data == ""


def test_name_as_read_is_kept():
    result = parse(TD3, today=date(2010, 1, 1), extra_codes=UTOPIA)
    assert result.name_as_read == "ERIKSSON<<ANNA<MARIA"
    assert result.surname == "ERIKSSON"
    assert result.given_names == "ANNA MARIA"
    assert result.name_truncated is False


@pytest.mark.parametrize("text", [s[1] for s in SPECIMENS], ids=[s[0] for s in SPECIMENS])
def test_specimens_are_refused_without_utopia_and_expired_today(text):
    result = parse(text, today=date(2026, 11, 28))
    kinds = sorted({(e.field, e.kind) for e in result.errors})
    assert ("issuing_state", "unknown_code") in kinds
    assert ("date_of_expiry", "expired") in kinds
    assert not result.valid


@pytest.mark.parametrize("text", [s[1] for s in SPECIMENS], ids=[s[0] for s in SPECIMENS])
def test_expired_specimen_is_still_a_valid_mrz(text):
    result = parse(text, today=date(2026, 11, 28), extra_codes=UTOPIA)
    assert [e.kind for e in result.errors] == ["expired"]
    assert result.mrz_valid and not result.valid and result.expired
