"""Property tests: generate-then-parse round trips for random valid data; a random change of a
character covered by a check digit is always detected; parsing any text never raises."""

from datetime import date, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from travelers.mrz import LAYOUTS, DocumentFields, PartialDate, generate, parse
from travelers.mrz.codes import ALL_CODES
from travelers.mrz.generator import encode_name

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ALNUM = LETTERS + "0123456789"
CODES = sorted(ALL_CODES)
FIRST_LETTERS = {"TD1": "ACI", "TD2": "ACI", "TD3": "P", "MRVA": "V", "MRVB": "V"}


def value(ch: str) -> int:
    if ch == "<":
        return 0
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


words = st.text(LETTERS, min_size=1, max_size=8)


@st.composite
def documents(draw):
    fmt = draw(st.sampled_from(sorted(LAYOUTS)))
    layout = LAYOUTS[fmt]
    today = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)))

    code = draw(st.sampled_from(FIRST_LETTERS[fmt])) + draw(st.sampled_from(["", *LETTERS]))
    primary = " ".join(draw(st.lists(words, min_size=1, max_size=3)))
    secondary = " ".join(draw(st.lists(words, min_size=0, max_size=3)))
    _line, start, end = layout.name_span
    assume(len(encode_name(primary, secondary, 99).rstrip("<")) < end - start)

    optional_width = layout.optional[2] - layout.optional[1]
    longest = 9 + optional_width - 1 if layout.long_number else 9
    number = draw(st.text(ALNUM, min_size=1, max_size=longest))
    room = optional_width
    if len(number) > 9:
        room = optional_width - (len(number) - 9) - 2  # continuation, check digit, filler
    optional_words = draw(st.lists(st.text(ALNUM, min_size=1, max_size=6), max_size=3))
    optional = "<".join(optional_words)
    assume(len(optional) <= max(room, 0))
    optional_2 = ""
    if layout.optional_2 is not None:
        optional_2 = "<".join(draw(st.lists(st.text(ALNUM, min_size=1, max_size=5), max_size=2)))
        assume(len(optional_2) <= layout.optional_2[2] - layout.optional_2[1])

    # A date of birth is resolvable from two digits within the last 99 years.
    born = draw(st.dates(min_value=today - timedelta(days=365 * 99), max_value=today))
    precision = draw(st.sampled_from(["day", "month", "year", "unknown"]))
    birth = {
        "day": PartialDate(born.year, born.month, born.day),
        "month": PartialDate(born.year, born.month),
        "year": PartialDate(born.year),
        "unknown": PartialDate(None),
    }[precision]
    expiry = draw(st.dates(min_value=today, max_value=date(today.year + 20, 12, 31)))

    fields = DocumentFields(
        document_code=code,
        issuing_state=draw(st.sampled_from(CODES)),
        primary_identifier=primary,
        secondary_identifier=secondary,
        document_number=number,
        nationality=draw(st.sampled_from(CODES)),
        date_of_birth=birth,
        sex=draw(st.sampled_from("MFX")),
        date_of_expiry=expiry,
        optional_data=optional,
        optional_data_2=optional_2,
    )
    return fmt, fields, today


def covered_positions(fmt: str) -> list[tuple[int, int]]:
    """(line, position), 0-based, of every character a check digit protects, and the digits."""
    layout = LAYOUTS[fmt]
    positions = set()
    spans = list(layout.composite_spans) or [
        (layout.document_number[0], layout.document_number[1], layout.document_number[2] + 1),
        (layout.birth[0], layout.birth[1], layout.birth[2] + 1),
        (layout.expiry[0], layout.expiry[1], layout.expiry[2] + 1),
    ]
    for line, start, end in spans:
        positions.update((line, p) for p in range(start, end))
    for pos in (layout.document_number_cd, layout.birth_cd, layout.expiry_cd, layout.optional_cd, layout.composite_cd):
        if pos is not None:
            positions.add(pos)
    return sorted(positions)


@settings(max_examples=400, deadline=None)
@given(documents())
def test_generate_then_parse_round_trips(document):
    fmt, fields, today = document
    text = generate(fields, fmt)
    result = parse(text, today=today)
    assert result.errors == (), (text, result.errors)
    assert result.warnings == ()
    assert result.format == fmt
    assert result.fields() == fields
    assert all(check.valid for check in result.checks)
    # The same zone as a keyboard-wedge reader might type it.
    typed = text.lower().replace("\n", "\r\n") + "\r\n"
    again = parse(typed, today=today)
    assert again.fields() == fields and again.errors == ()


@settings(max_examples=600, deadline=None)
@given(documents(), st.data())
def test_changing_a_check_digit_covered_character_is_always_detected(document, data):
    """Every change the 7-3-1 scheme can see (a new character whose value differs modulo 10) is
    detected: the result is invalid, or, where the field type allows only one reading of the new
    character (an OCR confusion such as O in a date), the original value is restored and the
    correction reported."""
    fmt, fields, today = document
    lines = generate(fields, fmt).split("\n")
    line, position = data.draw(st.sampled_from(covered_positions(fmt)))
    original = lines[line][position]
    replacement = data.draw(st.sampled_from([c for c in ALPHABET if (value(c) - value(original)) % 10 != 0]))
    row = lines[line]
    lines[line] = row[:position] + replacement + row[position + 1 :]
    result = parse("\n".join(lines), today=today)
    if result.valid:
        assert result.fields() == fields
        assert ("ocr_correction", line + 1, position + 1) in {(w.kind, w.line, w.start) for w in result.warnings}
    else:
        assert result.errors


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_parsing_any_text_never_raises(text):
    result = parse(text, today=date(2026, 11, 28))
    assert result.valid or result.errors


@settings(max_examples=300, deadline=None)
@given(documents(), st.data())
def test_parsing_any_damaged_zone_never_raises(document, data):
    fmt, fields, today = document
    text = generate(fields, fmt)
    damaged = data.draw(st.lists(st.sampled_from(ALPHABET + "#é \n"), min_size=len(text), max_size=len(text)))
    mask = data.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    mixed = "".join(d if m else c for c, d, m in zip(text, damaged, mask, strict=True))
    result = parse(mixed, today=today)
    assert result.valid or result.errors
