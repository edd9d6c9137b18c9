"""Text normalisation shared by every name module.

Rules (each has a test in ``watchlists/tests/names/test_normalize.py``):

1. Unicode NFKC (compatibility forms, Arabic presentation forms, full-width).
2. Control and format characters are removed (ZWNJ/ZWJ, bidi marks, C0/C1).
3. Case folding (``str.casefold``).
4. Hyphens, dashes, MRZ fillers ``<``, commas, dots and other punctuation
   separate name parts; apostrophes and their look-alikes (``'`` ``’`` ``ʿ``
   ``ʾ`` ``‘``) are dropped inside a part (``Ra'ad`` -> ``raad``).
5. Latin diacritics are removed after the Turkish and Kurmanji letters have
   been spelled out by :mod:`watchlists.names.translit`.
6. OCR confusions inside a part written in capitals: a lone lower-case ``l``
   among capitals is ``I``, a digit among letters is its look-alike letter
   (``HAM1D`` -> ``HAMID``, ``0MAR`` -> ``OMAR``, ``5ALIM`` -> ``SALIM``).
"""

from __future__ import annotations

import re
import unicodedata

# Arabic-script letters, including the Persian, Kurdish and Urdu additions.
_ARABIC_RANGES = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)

_APOSTROPHES = "'\u2019\u2018\u02bc\u02bb\u02bf\u02be\u0060\u00b4\u2032"
_APOSTROPHE_RE = re.compile("[" + re.escape(_APOSTROPHES) + "]")
# Everything that is not a letter, a digit or a combining mark separates parts.
_SEPARATOR_RE = re.compile(r"[^\w\u0300-\u036f\u064b-\u065f\u0670]+|_+")

_DIGIT_LOOKALIKES = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G"}

MAX_NAME_LENGTH = 300
"""Longest name (in characters) the matcher accepts; the API rejects longer."""


def is_arabic_char(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _ARABIC_RANGES)


def has_arabic(text: str) -> bool:
    return any(is_arabic_char(ch) for ch in text)


def has_latin(text: str) -> bool:
    return any(("a" <= ch.lower() <= "z") or ("\u00c0" <= ch <= "\u024f") for ch in text)


def script_of(text: str) -> str:
    """Return ``"arabic"``, ``"latin"``, ``"mixed"`` or ``"none"``."""
    arabic = has_arabic(text)
    latin = has_latin(text)
    if arabic and latin:
        return "mixed"
    if arabic:
        return "arabic"
    if latin:
        return "latin"
    return "none"


def strip_controls(text: str) -> str:
    """Remove control (Cc) and format (Cf) characters; keep spaces."""
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf"):
            # Tabs and newlines separate words; the rest simply disappear.
            if ch in "\t\n\r\x0b\x0c":
                out.append(" ")
            continue
        out.append(ch)
    return "".join(out)


def has_control_chars(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in " " for ch in text)


def fix_ocr_confusions(part: str) -> str:
    """Repair OCR look-alikes inside one part written in capitals.

    Only applies when the part is mostly capitals (MRZ or typed in capitals),
    so ``Ali`` or ``Liam`` are untouched.
    """
    letters = [ch for ch in part if ch.isalpha()]
    if len(part) < 2 or not letters:
        return part
    uppers = sum(1 for ch in letters if ch.isupper())
    if uppers < 2 or uppers < len(letters) - 1:
        return part
    out = []
    for ch in part:
        if ch == "l":
            out.append("I")
        elif ch in _DIGIT_LOOKALIKES:
            out.append(_DIGIT_LOOKALIKES[ch])
        else:
            out.append(ch)
    return "".join(out)


def fold_latin_diacritics(text: str) -> str:
    """Drop combining marks from Latin letters (é -> e, ñ -> n); keep Arabic."""
    decomposed = unicodedata.normalize("NFD", text)
    out = []
    for ch in decomposed:
        if unicodedata.combining(ch) and not ("\u064b" <= ch <= "\u065f" or ch == "\u0670"):
            continue
        out.append(ch)
    text = unicodedata.normalize("NFC", "".join(out))
    # Letters that do not decompose.
    return text.translate(_NON_DECOMPOSING)


_NON_DECOMPOSING = str.maketrans(
    {
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ħ": "h",
    }
)


def split_parts(text: str) -> list[str]:
    """NFKC, controls out, apostrophes dropped, split on separators.

    Case is preserved (the OCR rule needs it); call :func:`fold` on each part.
    """
    text = unicodedata.normalize("NFKC", text)
    text = strip_controls(text)
    text = _APOSTROPHE_RE.sub("", text)
    # Tatweel is decoration, not a letter.
    text = text.replace("\u0640", "")
    parts = [p for p in _SEPARATOR_RE.split(text) if p]
    return [fix_ocr_confusions(p) for p in parts]


def fold(part: str) -> str:
    """Case-fold one part (diacritics are handled by the transliterator)."""
    return part.casefold()


def normalize_text(text: str) -> str:
    """The canonical display-independent form of a whole name.

    NFKC, no controls, apostrophes dropped, punctuation and hyphens turned
    into single spaces, case-folded, Latin diacritics removed.
    """
    return " ".join(fold_latin_diacritics(fold(p)) for p in split_parts(text))
