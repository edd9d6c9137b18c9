"""ICAO Doc 9303 Part 3 Table C: every letter, its reverse, and readable MRZ names."""

import pytest

from watchlists.names.icao import (
    ARABIC_TO_ICAO,
    ICAO_TO_ARABIC,
    arabic_to_icao,
    icao_readable,
    icao_to_arabic,
    is_icao_xscheme,
)

# The Arabic part of Table C, letter by letter.
TABLE_C_ARABIC = [
    ("ء", "XE"),
    ("آ", "XAA"),
    ("أ", "XAE"),
    ("ؤ", "U"),
    ("إ", "I"),
    ("ئ", "XI"),
    ("ا", "A"),
    ("ب", "B"),
    ("ت", "T"),
    ("ث", "XTH"),
    ("ج", "J"),
    ("ح", "XH"),
    ("خ", "XKH"),
    ("د", "D"),
    ("ذ", "XDH"),
    ("ر", "R"),
    ("ز", "Z"),
    ("س", "S"),
    ("ش", "XSH"),
    ("ص", "XSS"),
    ("ض", "XDZ"),
    ("ط", "XTT"),
    ("ظ", "XZZ"),
    ("ع", "E"),
    ("غ", "G"),
    ("ف", "F"),
    ("ق", "Q"),
    ("ك", "K"),
    ("ل", "L"),
    ("م", "M"),
    ("ن", "N"),
    ("ه", "H"),
    ("و", "W"),
    ("ى", "XAY"),
    ("ي", "Y"),
]
# Persian, Urdu and Pashto extensions of Table C.
TABLE_C_EXTENSIONS = [
    ("پ", "P"),
    ("چ", "XC"),
    ("ژ", "XJ"),
    ("ک", "XKK"),
    ("گ", "XGG"),
    ("ی", "XYA"),
    ("ٹ", "XXT"),
    ("ڈ", "XXD"),
    ("ڑ", "XXR"),
    ("ں", "XNN"),
    ("ھ", "XDO"),
    ("ے", "XYB"),
    ("ټ", "XRT"),
    ("ځ", "XKE"),
    ("څ", "XXH"),
    ("ډ", "XDR"),
    ("ړ", "XRR"),
    ("ږ", "XRX"),
    ("ښ", "XXS"),
    ("ګ", "XXK"),
    ("ڭ", "XNG"),
    ("ۀ", "XYH"),
    ("ہ", "XXG"),
    ("ۂ", "XGE"),
    ("ۃ", "XTG"),
    ("ۍ", "XXY"),
    ("ۓ", "XBE"),
]


@pytest.mark.parametrize("letter,code", TABLE_C_ARABIC + TABLE_C_EXTENSIONS)
def test_each_letter_of_table_c(letter, code):
    assert ARABIC_TO_ICAO[letter] == code
    # Placed between two consonants so that no end-of-word rule applies.
    assert arabic_to_icao("ب" + letter + "ب") == "B" + code + "B"


# Y (ي and ى) and XTA (ة and ت) read back ambiguously: the tests below cover them.
@pytest.mark.parametrize(
    "letter,code", [(letter, code) for letter, code in TABLE_C_ARABIC + TABLE_C_EXTENSIONS if code not in ("Y", "XTA")]
)
def test_each_code_reads_back(letter, code):
    # Wrapped in a different letter so that no shadda is read.
    wrap, wrap_ar = ("L", "ل") if code == "B" else ("B", "ب")
    assert icao_to_arabic(wrap + code + wrap) == wrap_ar + letter + wrap_ar


def test_teh_marbuta_final_is_xah_medial_is_xta():
    assert arabic_to_icao("فاطمة") == "FAXTTMXAH"
    assert arabic_to_icao("فاطمةب") == "FAXTTMXTAB"
    assert icao_to_arabic("FAXTTMXAH") == "فاطمة"
    assert icao_to_arabic("XTA") == "ة"


def test_ambiguous_y_reads_as_arabic_yeh():
    assert ARABIC_TO_ICAO["ې"] == "Y"
    assert ICAO_TO_ARABIC["Y"] == "ي"


def test_harakat_are_not_encoded_and_shadda_doubles():
    assert arabic_to_icao("مُحَمَّد") == "MXHMMD"
    assert arabic_to_icao("عبّاس") == "EBBAS"
    assert icao_to_arabic("EBBAS") == "عبّاس"


def test_tatweel_is_not_encoded():
    assert arabic_to_icao("محـــمد") == "MXHMD"


def test_words_and_mrz_fillers():
    assert arabic_to_icao("حمزة الخفاجي") == "XHMZXAH ALXKHFAJY"
    assert icao_to_arabic("XHMZXAH<ALXKHFAJY") == "حمزة الخفاجي"


def test_doc_9303_worked_example():
    # Appendix B: ابو بكر محمد بن زكريا الرازي
    assert arabic_to_icao("ابو بكر محمد بن زكريا الرازي") == "ABW BKR MXHMD BN ZKRYA ALRAZY"


def test_sorani_extension():
    assert arabic_to_icao("ڕێزان") == "RYZAN"
    assert arabic_to_icao("کاوە") == "XKKAWA"


def test_arabic_indic_digits():
    assert arabic_to_icao("١٢٣") == "123"


def test_round_trip_of_names():
    for name in ["محمد حسين", "عبد الرحمن", "خالد الشمري", "ظافر ذياب", "صلاح ضياء"]:
        assert icao_to_arabic(arabic_to_icao(name)) == name


def test_lenient_reading_of_a_truncated_escape():
    # An escape that lost its last letter: XS + vowel is read as shin.
    assert icao_to_arabic("XSAKR") == "شاكر"
    assert icao_to_arabic("XKALYL") == "خاليل"


def test_stray_x_is_ignored():
    assert icao_to_arabic("MXQD") == "مقد"


@pytest.mark.parametrize(
    "mrz,readable",
    [
        ("MXHMWD", "MAHMUD"),
        ("XHSN", "HASAN"),
        ("EDNAN XHSN", "ADNAN HASAN"),
        ("XKHALYL EBAS", "KHALIL ABAS"),
        ("XSHWQY", "SHUQI"),
        ("YASYN<XHMD", "YASIN HAMAD"),
    ],
)
def test_icao_readable_x_scheme(mrz, readable):
    assert icao_readable(mrz) == readable


@pytest.mark.parametrize("mrz", ["MOHAMMED", "AL KHAFAJI", "MAXIM", "ALEXANDER", "ALEXEI"])
def test_icao_readable_leaves_latin_names(mrz):
    assert not is_icao_xscheme(mrz)
    assert icao_readable(mrz) == mrz


def test_icao_readable_turns_fillers_into_spaces():
    assert icao_readable("AL<<KHAFAJI<AHMED") == "AL KHAFAJI AHMED"


def test_icao_readable_of_empty_input():
    assert icao_readable("") == ""
    assert icao_readable("<<<") == ""
