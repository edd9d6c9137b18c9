"""ICAO Doc 9303 Part 3 (7th edition, section 6, Table C) transliteration of
Arabic script for the MRZ, its reverse, and a readable reading of it.

The Doc 9303 scheme is letter for letter and based on Buckwalter: letters
without a plain Latin equivalent are written with the escape ``X`` *before*
the letter it modifies (``ح`` -> ``XH``, ``خ`` -> ``XKH``, ``ش`` -> ``XSH``).
Short vowels (harakat) are not encoded; shadda doubles the letter
(``عبّاس`` -> ``EBBAS``); tatweel is not encoded. Appendix B.5.5: ``ة`` is
``XTA``, but ``XAH`` when it ends a name component ("search algorithms
should take these two possibilities into account"); Farsi yeh ``ی`` is
``XYA`` in Table C and "could be transliterated as Y or XAY".

Not in Table C (BMIS extension, documented here and tested): the Sorani
letters are written with the ICAO letter of the sound they stand for:
``ە`` -> ``A`` (the vowel a/e), ``ێ`` -> ``Y`` (as ``ې``), ``ۆ`` -> ``W``
(as ``و``), ``ڕ`` -> ``R``, ``ڵ`` -> ``L``, ``ڤ`` -> ``V``. Doc 9303 leaves
``ڜ ڢ ڧ ڨ`` "not encoded"; they are dropped.

Reverse transliteration (:func:`icao_to_arabic`) is exact for every code of
Table C except where Table C itself is ambiguous; the choice made is:

=========  =====================  ===========================
ICAO       could be               returned
=========  =====================  ===========================
``Y``      ``ي``, ``ې``           ``ي``
``A``      ``ا`` (or fatha)       ``ا``
``I``      ``إ`` (or kasra)       ``إ``
``U``      ``ؤ`` (or damma)       ``ؤ``
``XTA``    ``ة``                  ``ة``
``XAH``    ``ة`` (final)          ``ة``
``P``      ``پ``                  ``پ``
=========  =====================  ===========================

Malformed escapes seen on real documents (an escape that lost its last
letter) are read leniently: ``XS`` not followed by ``S``/``H`` -> ``ش``,
``XK`` -> ``خ``, ``XD`` -> ``ذ``, ``XT`` -> ``ث``, ``XZ`` -> ``ظ``; any
other stray ``X`` is ignored, as Doc 9303 tells operators to do.
"""

from __future__ import annotations

import re

from .normalize import strip_controls
from .translit import arabic_word_to_latin, strip_harakat

# Table C, Arabic letters.
ARABIC_TO_ICAO: dict[str, str] = {
    "\u0621": "XE",   # ء hamza
    "\u0622": "XAA",  # آ alef with madda
    "\u0623": "XAE",  # أ alef with hamza above
    "\u0624": "U",    # ؤ waw with hamza
    "\u0625": "I",    # إ alef with hamza below
    "\u0626": "XI",   # ئ yeh with hamza
    "\u0627": "A",    # ا alef
    "\u0628": "B",    # ب
    "\u0629": "XTA",  # ة teh marbuta (XAH at the end of a name component)
    "\u062a": "T",    # ت
    "\u062b": "XTH",  # ث
    "\u062c": "J",    # ج
    "\u062d": "XH",   # ح
    "\u062e": "XKH",  # خ
    "\u062f": "D",    # د
    "\u0630": "XDH",  # ذ
    "\u0631": "R",    # ر
    "\u0632": "Z",    # ز
    "\u0633": "S",    # س
    "\u0634": "XSH",  # ش
    "\u0635": "XSS",  # ص
    "\u0636": "XDZ",  # ض
    "\u0637": "XTT",  # ط
    "\u0638": "XZZ",  # ظ
    "\u0639": "E",    # ع
    "\u063a": "G",    # غ
    "\u0641": "F",    # ف
    "\u0642": "Q",    # ق
    "\u0643": "K",    # ك
    "\u0644": "L",    # ل
    "\u0645": "M",    # م
    "\u0646": "N",    # ن
    "\u0647": "H",    # ه
    "\u0648": "W",    # و
    "\u0649": "XAY",  # ى alef maksura
    "\u064a": "Y",    # ي
    "\u0671": "XXA",  # ٱ alef wasla
    # Table C, Persian, Urdu and Pashto letters.
    "\u0679": "XXT",  # ٹ
    "\u067c": "XRT",  # ټ
    "\u067e": "P",    # پ
    "\u0681": "XKE",  # ځ
    "\u0685": "XXH",  # څ
    "\u0686": "XC",   # چ
    "\u0688": "XXD",  # ڈ
    "\u0689": "XDR",  # ډ
    "\u0691": "XXR",  # ڑ
    "\u0693": "XRR",  # ړ
    "\u0696": "XRX",  # ږ
    "\u0698": "XJ",   # ژ
    "\u069a": "XXS",  # ښ
    "\u06a9": "XKK",  # ک keheh
    "\u06ab": "XXK",  # ګ
    "\u06ad": "XNG",  # ڭ
    "\u06af": "XGG",  # گ
    "\u06ba": "XNN",  # ں
    "\u06bc": "XXN",  # ڼ
    "\u06be": "XDO",  # ھ
    "\u06c0": "XYH",  # ۀ
    "\u06c1": "XXG",  # ہ
    "\u06c2": "XGE",  # ۂ
    "\u06c3": "XTG",  # ۃ
    "\u06cc": "XYA",  # ی Farsi yeh
    "\u06cd": "XXY",  # ۍ
    "\u06d0": "Y",    # ې
    "\u06d2": "XYB",  # ے
    "\u06d3": "XBE",  # ۓ
}

# Not in Table C: Sorani letters (BMIS extension, see module docstring).
SORANI_EXTENSION: dict[str, str] = {
    "\u06d5": "A",  # ە
    "\u06ce": "Y",  # ێ
    "\u06c6": "W",  # ۆ
    "\u0695": "R",  # ڕ
    "\u06b5": "L",  # ڵ
    "\u06a4": "V",  # ڤ
}

TEH_MARBUTA_FINAL = "XAH"
_SHADDA = "\u0651"
_NOT_ENCODED = set("\u069c\u06a2\u06a7\u06a8\u0640\u200c\u200d")
_ARABIC_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {chr(0x06F0 + i): str(i) for i in range(10)}

# Reverse table: one Arabic letter per code (ambiguities in the docstring).
ICAO_TO_ARABIC: dict[str, str] = {}
for _letter, _code in list(ARABIC_TO_ICAO.items()) + list(SORANI_EXTENSION.items()):
    ICAO_TO_ARABIC.setdefault(_code, _letter)
ICAO_TO_ARABIC["XAH"] = "\u0629"
ICAO_TO_ARABIC["Y"] = "\u064a"
ICAO_TO_ARABIC["A"] = "\u0627"
ICAO_TO_ARABIC["W"] = "\u0648"
ICAO_TO_ARABIC["R"] = "\u0631"
ICAO_TO_ARABIC["L"] = "\u0644"
ICAO_TO_ARABIC["V"] = "\u06a4"

_X_CODES = sorted((c for c in ICAO_TO_ARABIC if c.startswith("X")), key=len, reverse=True)
_LENIENT_X = {"S": "\u0634", "K": "\u062e", "D": "\u0630", "T": "\u062b", "Z": "\u0638"}
# Codes too short to tell an ICAO name from a Latin one on their own
# (``MAXIM``, ``ALEXEI``): they are read inside an ICAO name but do not make
# one.
_WEAK_CODES = {"XI", "XE", "XC", "XJ"}
_SEPARATORS = re.compile(r"[\s<]+")


def arabic_to_icao(text: str) -> str:
    """Arabic-script text -> ICAO Doc 9303 Table C letters (upper case).

    Words stay separated by single spaces (the MRZ writer turns them into
    ``<``). Characters outside the table (Latin letters, digits) pass
    through upper-cased; Arabic-Indic digits become ASCII digits.
    """
    words = []
    for word in strip_controls(text).split():
        out: list[str] = []
        letters = [ch for ch in word if ch not in _NOT_ENCODED]
        last_code = ""
        for i, ch in enumerate(letters):
            if ch == _SHADDA:
                out.append(last_code)
                continue
            if "\u064b" <= ch <= "\u065f" or ch == "\u0670":
                continue  # harakat are not encoded
            if ch == "\u0629":
                rest = [c for c in letters[i + 1 :] if not ("\u064b" <= c <= "\u065f")]
                code = TEH_MARBUTA_FINAL if not rest else ARABIC_TO_ICAO[ch]
            elif ch in ARABIC_TO_ICAO:
                code = ARABIC_TO_ICAO[ch]
            elif ch in SORANI_EXTENSION:
                code = SORANI_EXTENSION[ch]
            elif ch in _ARABIC_DIGITS:
                code = _ARABIC_DIGITS[ch]
            else:
                code = ch.upper()
            out.append(code)
            last_code = code
        if out:
            words.append("".join(out))
    return " ".join(words)


def _parse_token(token: str, lenient: bool = True) -> list[str] | None:
    """Split one ICAO token into Arabic letters; None if an X cannot be read
    and ``lenient`` is False."""
    out: list[str] = []
    i = 0
    n = len(token)
    while i < n:
        ch = token[i]
        if ch == "X":
            for code in _X_CODES:
                if token.startswith(code, i):
                    out.append(ICAO_TO_ARABIC[code])
                    i += len(code)
                    break
            else:
                nxt = token[i + 1] if i + 1 < n else ""
                if not lenient:
                    return None
                if nxt in _LENIENT_X:
                    out.append(_LENIENT_X[nxt])
                    i += 2
                else:
                    i += 1  # a stray X is ignored
            continue
        if ch in ICAO_TO_ARABIC:
            out.append(ICAO_TO_ARABIC[ch])
        elif ch.isdigit():
            out.append(ch)
        # Latin letters outside the scheme (C, O) are dropped.
        i += 1
    return out


def icao_to_arabic(text: str) -> str:
    """ICAO Table C letters -> Arabic script (best effort, see docstring)."""
    words = []
    for token in _SEPARATORS.split(text.upper()):
        if token:
            letters = _parse_token(token) or []
            # A doubled letter is a shadda (``EBBAS`` -> ``عبّاس``).
            out: list[str] = []
            for letter in letters:
                if out and letter == out[-1] and letter.isalpha():
                    out.append(_SHADDA)
                else:
                    out.append(letter)
            words.append("".join(out))
    return " ".join(w for w in words if w)


def token_has_icao_escape(token: str) -> bool:
    """True when ``token`` (capitals) contains an ICAO ``X`` escape code and
    every ``X`` in it reads as one (strictly or by the lenient rule)."""
    if "X" not in token or not token.isalpha() or not token.isupper():
        return False
    i = 0
    found = False
    while True:
        i = token.find("X", i)
        if i < 0:
            return found
        code = next((c for c in _X_CODES if token.startswith(c, i)), None)
        if code is not None:
            found = found or code not in _WEAK_CODES
        elif i + 1 < len(token) and token[i + 1] in _LENIENT_X:
            found = True
        else:
            return False
        i += 1


def is_icao_xscheme(text: str) -> bool:
    """True when a name written in capitals uses the Doc 9303 X-scheme.

    One token with an escape code is enough: the whole name is then read as
    ICAO (``EBAS`` next to ``XKHALYL`` is ``عباس``). Names without any
    escape (``MOHAMMED``) are ordinary Latin spellings. A Latin name that
    happens to contain a valid code (``MAXIM`` contains ``XI``) is read as
    ICAO only when it has a decisive code: ``XI``, ``XE``, ``XC`` and ``XJ``
    alone do not decide (``MAXIM``, ``ALEXEI`` stay Latin).
    """
    return any(token_has_icao_escape(t) for t in _SEPARATORS.split(text) if t)


def icao_readable(text: str) -> str:
    """An MRZ name -> a readable Latin spelling in capitals.

    X-scheme names are transliterated back to Arabic and read with the
    syllable rule of :func:`watchlists.names.translit.arabic_word_to_latin`
    (``MXHMWD`` -> ``MAHMUD``, ``XHSN`` -> ``HASAN``, ``EDNAN`` next to an
    escaped part -> ``ADNAN``). Other names are returned with the MRZ
    fillers turned into spaces (``AL<KHAFAJI`` -> ``AL KHAFAJI``).
    Unvocalised Arabic has no written short vowels, so the vowels are a
    guess; screening never relies on them.
    """
    tokens = [t for t in _SEPARATORS.split(strip_controls(text).upper()) if t]
    if not any(token_has_icao_escape(t) for t in tokens):
        return " ".join(tokens)
    out = []
    for token in tokens:
        letters = _parse_token(token) or []
        latin = arabic_word_to_latin(strip_harakat("".join(letters)), sorani=False, persian=False)
        if latin:
            out.append(latin.upper())
    return " ".join(out)
