"""One test per normalisation rule (see watchlists/names/normalize.py)."""

from watchlists.names.normalize import (
    fix_ocr_confusions,
    fold_latin_diacritics,
    has_control_chars,
    normalize_text,
    script_of,
    split_parts,
)


def test_nfkc_folds_compatibility_forms():
    # Full-width Latin and Arabic presentation forms.
    assert normalize_text("ＡＬＩ") == "ali"
    assert normalize_text("\ufee3\ufea4\ufee4\ufeaa") == "محمد"


def test_control_and_format_characters_are_removed():
    assert normalize_text("Ah\u0000med\u200b Ali") == "ahmed ali"
    assert normalize_text("Ahmed\tAli") == "ahmed ali"
    assert has_control_chars("Ah\x07med")
    assert not has_control_chars("Ahmed Ali")


def test_case_folding():
    assert normalize_text("MOHAMMED") == normalize_text("mohammed") == "mohammed"


def test_hyphens_and_punctuation_separate_parts():
    assert normalize_text("Al-Khafaji, Ahmed.Jaber") == "al khafaji ahmed jaber"
    assert split_parts("AL<<KHAFAJI<AHMED") == ["AL", "KHAFAJI", "AHMED"]


def test_apostrophes_are_dropped_inside_a_part():
    assert normalize_text("Ra'ad") == "raad"
    assert normalize_text("Sa\u2019ad") == "saad"
    assert normalize_text("\u02bfAli") == "ali"


def test_tatweel_is_dropped():
    assert normalize_text("محـــمد") == "محمد"


def test_latin_diacritics_are_removed():
    assert fold_latin_diacritics("josé müller") == "jose muller"
    assert fold_latin_diacritics("yılmaz") == "yilmaz"
    assert normalize_text("Hüseyin Öztürk") == "huseyin ozturk"


def test_arabic_marks_survive_diacritic_folding():
    assert fold_latin_diacritics("مُحَمَّد") == "مُحَمَّد"


def test_ocr_digits_in_capitals():
    assert fix_ocr_confusions("HAM1D") == "HAMID"
    assert fix_ocr_confusions("0MAR") == "OMAR"
    assert fix_ocr_confusions("5ALIM") == "SALIM"


def test_ocr_lower_case_l_among_capitals():
    assert fix_ocr_confusions("FlRAS") == "FIRAS"


def test_ocr_rule_leaves_mixed_case_words():
    assert fix_ocr_confusions("Liam") == "Liam"
    assert fix_ocr_confusions("Ali") == "Ali"


def test_script_detection():
    assert script_of("Ahmed") == "latin"
    assert script_of("أحمد") == "arabic"
    assert script_of("Ahmed أحمد") == "mixed"
    assert script_of("123") == "none"
