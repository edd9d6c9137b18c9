"""Transliteration to Latin: Arabic script (Arabic, Persian, Sorani Kurdish)
and the Turkish / Kurmanji Latin alphabets.

Two jobs:

* :func:`arabic_to_latin` gives a readable Latin spelling of a part written in
  Arabic script, for display and for the character-level typo comparison.
  Arabic is normally written without short vowels, so for Arabic and Persian
  the vowels are guessed by a syllable rule (documented on
  :func:`_vocalize`); Sorani writes its vowels (``ە ێ ۆ و ی``) and is read
  letter by letter.
* :func:`latin_to_ascii` spells out the letters of the Turkish and Kurmanji
  alphabets the way English-language lists write them (``ş`` -> ``sh``,
  ``ç`` -> ``ch``, ``x`` -> ``kh``, ``ê`` -> ``e``), and reads ``c`` as ``j``
  when the name is written in one of those alphabets (``Hecî`` -> ``heji``,
  ``Cemal`` with a Turkish letter elsewhere in the name -> ``jemal``).

Matching does not depend on the guessed vowels: :mod:`.phonetic` reads
Arabic-script letters directly and treats missing short vowels as free.
"""

from __future__ import annotations

import unicodedata

from .normalize import fold_latin_diacritics, is_arabic_char

# Letters only Sorani (Central Kurdish) uses; their presence switches a name
# to Sorani reading (vowels are written).
SORANI_LETTERS = set("\u06d5\u06ce\u06c6\u0695\u06b5\u06a4")  # ە ێ ۆ ڕ ڵ ڤ
# Letters of the Turkish and Kurmanji Latin alphabets that English spelling
# lacks; their presence switches a name to Turkish/Kurmanji reading.
TURKIC_KURDISH_LETTERS = set("çşğıêîûöüÇŞĞİÊÎÛÖÜ")

_HARAKAT = {chr(c) for c in range(0x064B, 0x0660)} | {"\u0670", "\u0640"}

# Consonant letters and their readable Latin value.
_CONSONANTS = {
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d",
    "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d",
    "ط": "t", "ظ": "z", "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ك": "k",
    "ل": "l", "م": "m", "ن": "n", "ه": "h", "ء": "", "أ": "", "ؤ": "",
    "پ": "p", "چ": "ch", "ژ": "zh", "گ": "g", "ک": "k", "ڤ": "v", "ڕ": "r",
    "ڵ": "l", "ھ": "h", "ڭ": "ng", "ڨ": "g", "ڢ": "f", "ڧ": "q",
    "ٹ": "t", "ڈ": "d", "ڑ": "r", "ں": "n", "ہ": "h", "ۃ": "a",
}
_YEH = {"ي", "ی", "ې", "ۍ", "ے", "ئ"}
_WAW = {"و", "ۆ", "ۇ", "ۈ", "ۋ"}
_ALEF = {"ا", "آ", "إ", "ٱ", "ى"}
_ARABIC_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}


# Letters that mark Persian (and Urdu/Pashto) spelling; Persian reads the
# Arabic interdentals and emphatics as ``s`` and ``z``.
PERSIAN_LETTERS = set("\u06cc\u06a9\u06af\u067e\u0686\u0698")  # ی ک گ پ چ ژ
_PERSIAN_VALUES = {"ث": "s", "ذ": "z", "ض": "z", "ظ": "z", "ص": "s", "ط": "t"}


def is_persian(text: str) -> bool:
    return any(ch in PERSIAN_LETTERS for ch in text) and not is_sorani(text)


def is_sorani(text: str) -> bool:
    return any(ch in SORANI_LETTERS for ch in text)


def is_turkic_kurdish(text: str) -> bool:
    return any(ch in TURKIC_KURDISH_LETTERS for ch in text)


def strip_harakat(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch not in _HARAKAT)


def _sorani_to_latin(word: str) -> str:
    out: list[str] = []
    letters = list(word)
    n = len(letters)
    vowels = {"ا", "ە", "ێ", "ۆ", "ی", "و"}
    for i, ch in enumerate(letters):
        prev = letters[i - 1] if i else ""
        nxt = letters[i + 1] if i + 1 < n else ""
        if ch == "ئ":
            # Seat of an initial vowel: silent.
            continue
        if ch == "ا":
            out.append("a")
        elif ch in ("ە", "ة", "ێ"):
            out.append("e")
        elif ch == "ۆ":
            out.append("o")
        elif ch == "و":
            if nxt == "و":
                continue
            if prev == "و":
                out.append("u")
            elif nxt in vowels and nxt != "و":
                # A waw before a vowel is the consonant w.
                out.append("w")
            else:
                out.append("u")
        elif ch in ("ی", "ي"):
            if ((i == 0 or prev in vowels) and nxt) or (nxt in vowels and nxt not in ("ی", "ي")):
                out.append("y")
            else:
                out.append("i")
        elif ch in _CONSONANTS:
            out.append(_CONSONANTS[ch])
        elif ch in _ARABIC_DIGITS:
            out.append(_ARABIC_DIGITS[ch])
    return "".join(out)


def _classify(word: str, persian: bool = False) -> list[tuple[str, str]]:
    """Arabic letters -> (kind, latin): kind C consonant, V vowel."""
    letters = [ch for ch in word if ch not in _HARAKAT]
    units: list[tuple[str, str]] = []
    n = len(letters)
    for i, ch in enumerate(letters):
        prev = letters[i - 1] if i else ""
        nxt = letters[i + 1] if i + 1 < n else ""
        if ch in _ALEF:
            if ch == "إ":
                units.append(("V", "i"))
            else:
                units.append(("V", "a"))
        elif ch == "ة":
            units.append(("V", "a") if i == n - 1 else ("C", "t"))
        elif ch in _WAW:
            if i == 0 or prev in _ALEF or nxt in _ALEF or nxt == "" and prev in _WAW:
                units.append(("C", "w"))
            else:
                units.append(("V", "u"))
        elif ch in _YEH:
            if ch == "ئ":
                units.append(("V", "i") if prev in _ALEF else ("C", ""))
            elif i == 0 or prev in _ALEF or nxt in _ALEF:
                units.append(("C", "y"))
            else:
                units.append(("V", "i"))
        elif ch in _CONSONANTS:
            value = _PERSIAN_VALUES.get(ch, _CONSONANTS[ch]) if persian else _CONSONANTS[ch]
            units.append(("C", value))
        elif ch in _ARABIC_DIGITS:
            units.append(("V", _ARABIC_DIGITS[ch]))
    return units


def _vocalize(units: list[tuple[str, str]]) -> str:
    """Insert the unwritten short vowel ``a`` by a simple syllable rule.

    Every consonant that is followed by another consonant gets a vowel when
    it starts the word, when the consonant before it had none, or when the
    next consonant ends the word (no final clusters); otherwise it closes the
    syllable. ``محمود`` -> ``mahmud``, ``حسن`` -> ``hasan``, ``عدنان`` ->
    ``adnan``. The result is a readable guess, not a vocalisation.
    """
    out: list[str] = []
    n = len(units)
    had_vowel_after_prev = True
    for i, (kind, latin) in enumerate(units):
        out.append(latin)
        if kind != "C":
            had_vowel_after_prev = True
            continue
        nxt = units[i + 1] if i + 1 < n else None
        if nxt is None:
            break
        if nxt[0] == "V":
            had_vowel_after_prev = True
            continue
        next_is_final = i + 2 >= n
        if i == 0 or not had_vowel_after_prev or next_is_final:
            out.append("a")
            had_vowel_after_prev = True
        else:
            had_vowel_after_prev = False
    return "".join(out)


def arabic_word_to_latin(word: str, sorani: bool | None = None, persian: bool | None = None) -> str:
    """One part in Arabic script -> lower-case readable Latin."""
    word = strip_harakat(word)
    if sorani is None:
        sorani = is_sorani(word)
    if sorani:
        return _sorani_to_latin(word)
    if persian is None:
        persian = is_persian(word)
    return _vocalize(_classify(word, persian=persian))


def arabic_to_latin(text: str) -> str:
    """Transliterate every Arabic-script word of ``text``; other words pass.

    Sorani reading is used for the whole text when any Sorani-only letter
    occurs in it.
    """
    sorani = is_sorani(text)
    persian = is_persian(text)
    words = []
    for word in text.split():
        if any(is_arabic_char(ch) for ch in word):
            words.append(arabic_word_to_latin(word, sorani=sorani, persian=persian))
        else:
            words.append(word)
    return " ".join(words)


_TURKIC_SPELLING = {
    "ç": "ch", "ş": "sh", "ğ": "gh", "ı": "i", "ê": "e", "î": "i", "û": "u",
    "ö": "o", "ü": "u", "x": "kh", "c": "j", "q": "q", "w": "w", "i̇": "i",
}


def latin_to_ascii(part: str, turkic_kurdish: bool = False) -> str:
    """Lower-case ASCII spelling of one Latin part.

    With ``turkic_kurdish`` the Turkish/Kurmanji letters are spelled out and
    ``c`` reads ``j``; otherwise diacritics are simply removed.
    """
    part = unicodedata.normalize("NFC", part.casefold())
    if turkic_kurdish:
        part = "".join(_TURKIC_SPELLING.get(ch, ch) for ch in part)
    return "".join(ch for ch in fold_latin_diacritics(part) if ch.isascii() and ch.isalnum())
