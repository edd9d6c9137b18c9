"""Input cleaning for keyboard-wedge readers, the code table, the generator's refusals and the
validation of data typed in by hand."""

from datetime import date

import pytest

from travelers.mrz import (
    DocumentFields,
    PartialDate,
    clean,
    code_category,
    code_name,
    generate,
    is_known_code,
    looks_complete,
    parse,
    validate_fields,
)
from travelers.mrz.codes import ISO_3166_CODES, SPECIAL_CODES, mrz_code

TODAY = date(2026, 11, 28)
LINE1 = "P<IRQMXHMWD<<EBD<ALLXH<<<<<<<<<<<<<<<<<<<<<<"
LINE2 = "A0123456<1IRQ8503149M310630519850314123<<<30"


# Keyboard-wedge input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"{LINE1}\r\n{LINE2}\r\n",  # CR LF after each line
        f"{LINE1}\r{LINE2}\r",  # CR only
        f"\n\n  {LINE1}  \n\n{LINE2}\n\n",  # blank lines and stray spaces around
        f"\x02{LINE1}\n{LINE2}\x03",  # start/end-of-text control characters
        f"{LINE1}{LINE2}",  # the whole zone on one line
        f"{LINE1[:20]} {LINE1[20:]}\n{LINE2}",  # a space typed inside a line
        f"{LINE1.replace('<', '«')}\n{LINE2}",  # a font's filler look-alike
    ],
    ids=["crlf", "cr", "blank-lines", "control", "one-line", "inner-space", "guillemet"],
)
def test_reader_input_is_cleaned(text):
    lines, _warnings = clean(text)
    assert lines == [LINE1, LINE2]
    assert parse(text, today=TODAY).valid
    assert looks_complete(text)


def test_lowercase_input_is_read_as_capitals_with_a_warning():
    result = parse(f"{LINE1.lower()}\n{LINE2.lower()}", today=TODAY)
    assert result.valid
    assert [w.kind for w in result.warnings] == ["lowercase"]


def test_spaces_typed_for_fillers_become_fillers():
    typed = LINE1.replace("<<<<", "    ")
    lines, warnings = clean(f"{typed}\n{LINE2}")
    assert lines == [LINE1, LINE2]
    assert [(w.kind, w.line) for w in warnings] == [("whitespace", 1)]


def test_incomplete_zone_is_not_complete():
    assert not looks_complete(LINE1)
    assert not looks_complete(f"{LINE1}\n{LINE2[:30]}")
    assert looks_complete("I" * 30 + "\n" + "7" * 30 + "\n" + "E" * 30)


# ICAO codes ----------------------------------------------------------------------------------


def test_iso_table_is_complete_with_germany_as_d():
    # ISO 3166-1 has 249 alpha-3 codes; Doc 9303 writes Germany as D instead of DEU.
    assert len(ISO_3166_CODES) == 248
    assert "DEU" not in ISO_3166_CODES
    assert code_name("D") == "Germany" and code_category("D<<") == "state"
    assert mrz_code("D") == "D<<"


@pytest.mark.parametrize(
    "code,category",
    [
        ("D", "state"),
        ("XXA", "no_nationality"),
        ("XXB", "no_nationality"),
        ("XXC", "no_nationality"),
        ("X" * 3, "no_nationality"),
        ("UNO", "organization"),
        ("UNA", "organization"),
        ("UNK", "organization"),
        ("XOM", "organization"),
        ("XPO", "organization"),
        ("EUE", "organization"),
        ("XBA", "organization"),
        ("XIM", "organization"),
        ("XCC", "organization"),
        ("XCE", "organization"),
        ("XCO", "organization"),
        ("XEC", "organization"),
        ("XES", "organization"),
        ("XMP", "organization"),
        ("XDC", "organization"),
        ("GBD", "british"),
        ("GBN", "british"),
        ("GBO", "british"),
        ("GBP", "british"),
        ("GBS", "british"),
        ("IRQ", "state"),
        ("SYR", "state"),
        ("PSE", "state"),
    ],
)
def test_special_and_state_codes_are_known(code, category):
    assert is_known_code(code)
    assert code_category(code) == category
    assert code_name(code)


def test_unknown_codes():
    for code in ("UTO", "ZZZ", "DEU", "", "<<<"):
        assert not is_known_code(code)
    assert is_known_code("UTO", {"UTO"})
    assert code_category("ZZZ") is None


def test_every_special_code_parses_as_issuer_and_nationality():
    for code in SPECIAL_CODES:
        fields = DocumentFields(
            "P", code, "DOE", "JANE", "X1234567", code, PartialDate(1990, 1, 1), "F", date(2030, 1, 1)
        )
        result = parse(generate(fields, "TD3"), today=TODAY)
        assert result.valid, (code, result.errors)
        assert (result.issuing_state, result.nationality) == (code, code)


# Generator refusals --------------------------------------------------------------------------


def _fields(**changes):
    base = {
        "document_code": "P",
        "issuing_state": "IRQ",
        "primary_identifier": "DOE",
        "secondary_identifier": "JANE",
        "document_number": "X1234567",
        "nationality": "IRQ",
        "date_of_birth": PartialDate(1990, 1, 1),
        "sex": "F",
        "date_of_expiry": date(2030, 1, 1),
    }
    base.update(changes)
    return DocumentFields(**base)


@pytest.mark.parametrize(
    "fmt,changes,message",
    [
        ("TD3", {"document_number": "X12345678901"}, "has room for 9 characters"),
        ("TD3", {"primary_identifier": "DÖE"}, "cannot be written in an MRZ"),
        ("TD3", {"optional_data": "1" * 15}, "longer than the 14 characters"),
        ("TD3", {"sex": "Q"}, "must be M, F or X"),
        ("TD3", {"optional_data_2": "1"}, "has no second optional data field"),
        ("TD2", {"document_number": "X" * 16}, "do not fit"),
        ("TD1", {"document_number": "X123456789", "optional_data": "1" * 13}, "do not fit"),
    ],
)
def test_generator_refuses_what_cannot_be_written(fmt, changes, message):
    with pytest.raises(ValueError, match=message):
        generate(_fields(**changes), fmt)


def test_generator_writes_names_as_doc_9303_prescribes():
    text = generate(_fields(primary_identifier="O'NEIL-SMITH", secondary_identifier="ANNE MARIE"), "TD3")
    assert text.split("\n")[0].startswith("P<IRQONEIL<SMITH<<ANNE<MARIE<<")


# Manual entry --------------------------------------------------------------------------------


def _manual(**changes):
    base = {
        "document_code": "P",
        "issuing_state": "IRQ",
        "primary_identifier": "Al-Bayati",
        "secondary_identifier": "Ahmed",
        "document_number": "A1234567",
        "nationality": "IRQ",
        "date_of_birth": PartialDate(1980, 5, 1),
        "sex": "M",
        "date_of_expiry": date(2030, 1, 1),
        "today": TODAY,
    }
    base.update(changes)
    return validate_fields(**base)


def test_manual_entry_valid():
    assert _manual() == []
    assert _manual(primary_identifier="البياتي", secondary_identifier="أحمد") == []
    assert _manual(date_of_birth=PartialDate(1980)) == []


@pytest.mark.parametrize(
    "changes,field,kind,message",
    [
        (
            {"date_of_birth": PartialDate(2027, 1, 1)},
            "date_of_birth",
            "birth_in_future",
            "date of birth 2027-01-01 is in the future",
        ),
        ({"date_of_expiry": date(2026, 11, 27)}, "date_of_expiry", "expired", "the document expired on 2026-11-27"),
        ({"date_of_expiry": None}, "date_of_expiry", "date", "date of expiry is required"),
        (
            {"issuing_state": "ZZZ"},
            "issuing_state",
            "unknown_code",
            "issuing state ZZZ is not an ICAO Doc 9303 country or organisation code",
        ),
        ({"nationality": ""}, "nationality", "unknown_code", "nationality is required"),
        ({"primary_identifier": " "}, "primary_identifier", "name", "the primary identifier (surname) is required"),
        (
            {"primary_identifier": "Sm1th"},
            "primary_identifier",
            "name",
            "the surname may contain only letters, spaces, - and '",
        ),
        (
            {"secondary_identifier": "J0hn"},
            "secondary_identifier",
            "name",
            "the given names may contain only letters, spaces, - and '",
        ),
        (
            {"document_number": "A-123"},
            "document_number",
            "document_number",
            "document number must be 1 to 35 letters A-Z and digits",
        ),
        ({"sex": "Q"}, "sex", "sex", "sex must be M, F or X (unspecified)"),
        (
            {"document_code": "Z"},
            "document_code",
            "document_code",
            "document code must be one or two letters starting with P, V, I, A or C",
        ),
    ],
)
def test_manual_entry_errors(changes, field, kind, message):
    errors = _manual(**changes)
    assert [(e.field, e.kind, e.text) for e in errors] == [(field, kind, message)]


def test_manual_entry_birth_after_expiry():
    errors = _manual(date_of_birth=PartialDate(2031, 1, 1), date_of_expiry=date(2030, 1, 1), today=date(2031, 6, 1))
    assert sorted((e.field, e.kind) for e in errors) == [
        ("date_of_birth", "date_order"),
        ("date_of_expiry", "expired"),
    ]
