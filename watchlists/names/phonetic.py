"""Phonetic units and a weighted alignment for names of Arabic origin.

A name part becomes a tuple of *units*. Latin spellings and Arabic-script
spellings map into the same unit alphabet, so ``Hussein``, ``Husayn``,
``Hossein``, ``حسين`` and ``Hüseyin`` all read alike, while ``Hassan`` and
``Hussein`` differ by their vowels.

Latin rules (:func:`latin_units`), each tested:

* consonant digraphs: ``kh``, ``gh``, ``sh``/``sch``, ``ch``/``tch``, ``th``,
  ``dh``, ``zh``; ``ph`` is ``f``, ``ck`` is ``k``, ``dj`` is ``j``,
  ``x`` is ``kh``; a ``c`` outside those digraphs is the ambiguous ``c?``
  (``k``, ``s``, ``ch`` or ``j``: ``Celik`` may be ``Çelik``);
* vowels: ``ou``/``oo``/``uu`` are long ``u``, ``ee``/``ii`` long ``i``,
  ``aa`` long ``a``; ``ai``/``ay``/``ei``/``ey`` are the diphthong ``ay``
  and ``aw``/``au``/``ow`` the diphthong ``aw`` (unless a vowel follows,
  where the ``y``/``w`` is a consonant: ``Aya``, ``Nawaf``);
* ``y`` and ``w`` are consonants before a vowel and vowels (``i``/``u``)
  elsewhere (``Yasyn`` = ``Yasin``); ``iya`` reads ``ia`` (``Nadiya`` = ``Nadia``);
* doubled letters are single (``Sajjad`` = ``Sajad``, ``Bassem`` = ``Basem``);
* a final ``h`` after a vowel is weak (``Hamzah`` = ``Hamza``).

Arabic-script rules (:func:`arabic_units`): every letter has a unit; the
ambiguous letters ``و`` and ``ي`` become ``W?`` and ``Y?`` (a vowel *or* a
consonant), alef ``A`` (long a, or the seat of any initial vowel), ``ع`` the
weak ``E`` and hamza ``'``; the letters with several Latin renderings keep
their own unit (``ذ`` ``dh``, ``ض`` ``dz``, ``ظ`` ``zz``, ``ث`` ``th``) whose
substitution costs are low to each rendering (``ض`` ~ ``d``/``dh``/``z``).
Arabic script does not write short vowels, so a Latin short vowel facing an
Arabic-script part costs almost nothing. Persian reads ``ث ذ ض ظ`` as
``s z z z``; Sorani writes its vowels (``ە`` ``e``, ``ێ`` ``e``, ``ۆ`` ``o``).

The alignment (:func:`unit_similarity`) is a weighted edit distance with the
costs of :data:`SUBSTITUTION_COSTS`, normalised by the weight of the longer
part: consonants weigh 1.0, vowels 0.4.

:func:`retrieval_key` folds the units into a coarse consonant skeleton for
the candidate index (``Mohammed``, ``Muhammad``, ``محمد`` -> ``MHMD``).
"""

from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import Levenshtein

from .translit import PERSIAN_LETTERS, SORANI_LETTERS

SHORT_VOWELS = frozenset("aeiou")
DIPHTHONGS = frozenset({"ay", "aw"})
WEAK = frozenset({"E", "'"})
AMBIGUOUS = frozenset({"Y?", "W?"})
VOWEL_LIKE = SHORT_VOWELS | DIPHTHONGS | WEAK | AMBIGUOUS | {"A"}

_WEIGHTS = {
    "ay": 0.6,
    "aw": 0.6,
    "E": 0.2,
    "'": 0.2,
    "Y?": 0.6,
    "W?": 0.6,
    "A": 0.4,
    "h?": 0.3,
}


def unit_weight(u: str) -> float:
    if u in SHORT_VOWELS:
        return 0.4
    return _WEIGHTS.get(u, 1.0)


def _pairs(spec: dict[float, list[tuple[str, str]]]) -> dict[tuple[str, str], float]:
    table: dict[tuple[str, str], float] = {}
    for cost, pairs in spec.items():
        for a, b in pairs:
            table[(a, b)] = cost
            table[(b, a)] = cost
    return table


SUBSTITUTION_COSTS = _pairs(
    {
        0.0: [
            ("Y?", "y"),
            ("Y?", "i"),
            ("W?", "w"),
            ("W?", "u"),
            ("W?", "o"),
            ("A", "a"),
            ("E", "'"),
        ],
        0.05: [
            ("dz", "d"),
            ("dz", "dh"),
            ("zz", "z"),
            ("zz", "dh"),
            ("Y?", "ay"),
            ("W?", "aw"),
            ("E", "a"),
            ("E", "e"),
            ("E", "i"),
            ("E", "o"),
            ("E", "u"),
            ("E", "A"),
        ],
        0.1: [
            ("c?", "k"),
            ("c?", "ch"),
            ("c?", "s"),
            ("q", "k"),
            ("dz", "z"),
            ("o", "u"),
            ("W?", "v"),
            ("A", "'"),
            ("A", "e"),
            ("'", "a"),
            ("'", "e"),
            ("'", "i"),
            ("'", "o"),
            ("'", "u"),
            ("h?", "h"),
            ("dh", "z"),
            ("dh", "d"),
            ("th", "dh"),
            ("zz", "d"),
            ("th", "zz"),
            ("th", "dz"),
        ],
        0.15: [
            ("th", "s"),
            ("th", "t"),
            ("Y?", "e"),
            ("A", "i"),
            ("A", "o"),
            ("A", "u"),
            ("ay", "Y?"),
        ],
        0.2: [
            ("c?", "j"),
            ("c?", "q"),
            ("c?", "sh"),
            ("a", "e"),
            ("e", "i"),
            ("g", "j"),
            ("g", "gh"),
            ("sh", "ch"),
            ("w", "v"),
            ("y", "i"),
            ("w", "u"),
            ("ay", "e"),
            ("aw", "o"),
            ("t", "d"),
            ("d", "z"),
        ],
        0.3: [
            ("b", "p"),
            ("f", "v"),
            ("ay", "i"),
            ("aw", "u"),
            ("j", "zh"),
            ("th", "z"),
            ("s", "z"),
        ],
        0.4: [("e", "o"), ("q", "g"), ("k", "g"), ("r", "p"), ("Y?", "a"), ("W?", "a")],
        0.5: [
            ("e", "u"),
            ("kh", "h"),
            ("kh", "k"),
            ("gh", "kh"),
            ("f", "p"),
            ("v", "b"),
            ("ch", "j"),
        ],
        0.6: [
            ("a", "o"),
            ("a", "i"),
            ("i", "u"),
            ("i", "o"),
            ("ay", "aw"),
            ("s", "sh"),
            ("m", "n"),
            ("r", "l"),
        ],
        0.7: [
            ("a", "u"),
            ("ay", "a"),
            ("aw", "a"),
            ("ay", "o"),
            ("ay", "u"),
            ("aw", "i"),
            ("aw", "e"),
        ],
    }
)


CONSONANT_MISMATCH = 1.5
CONSONANT_INDEL = 1.2


def substitution_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    cost = SUBSTITUTION_COSTS.get((a, b))
    if cost is not None:
        return cost
    if a in VOWEL_LIKE and b in VOWEL_LIKE:
        return 0.7
    if a in VOWEL_LIKE or b in VOWEL_LIKE:
        return 1.0
    # Two unrelated consonants: a different name far more often than a
    # spelling variant (Khalid/Khalil, Jamal/Kamal).
    return CONSONANT_MISMATCH


def deletion_cost(u: str, other_unvocalised: bool, position: int = 1, length: int = 3) -> float:
    """Cost of ``u`` (at ``position`` in a part of ``length`` units) having
    no counterpart in the other part.

    A short vowel is cheap to drop inside a word (Arabic script does not
    write it; Latin spellings drop it: Fatima/Fatma), but not at the start
    (Arabic writes an initial vowel; Ahmed/Hamed are two names) nor, between
    two Latin spellings, at the end (Hamdi/Hamid)."""
    if u in SHORT_VOWELS:
        if position == 0:
            return 0.8
        if position == length - 1 and not other_unvocalised:
            return 0.8
        return 0.05 if other_unvocalised else 0.3
    if u in DIPHTHONGS:
        return 0.5
    if u in WEAK or u == "h?":
        return 0.1
    if u == "A":
        return 0.2
    if u in AMBIGUOUS:
        return 0.4
    if u in ("y", "w"):
        return 0.6
    return CONSONANT_INDEL


# --------------------------------------------------------------------------
# Latin spellings

_CONSONANT_DIGRAPHS = (
    ("sch", "sh"),
    ("tch", "ch"),
    ("kh", "kh"),
    ("gh", "gh"),
    ("sh", "sh"),
    ("ch", "ch"),
    ("th", "th"),
    ("dh", "dh"),
    ("zh", "zh"),
    ("ph", "f"),
    ("ck", "k"),
    ("dj", "j"),
)
_LATIN_SINGLE = {
    "b": "b",
    "d": "d",
    "f": "f",
    "g": "g",
    "h": "h",
    "j": "j",
    "k": "k",
    "l": "l",
    "m": "m",
    "n": "n",
    "p": "p",
    "q": "q",
    "r": "r",
    "s": "s",
    "t": "t",
    "v": "v",
    "z": "z",
    "x": "kh",
}
_LATIN_VOWELS = set("aeiouy")


def _is_vowel_at(s: str, i: int) -> bool:
    return i < len(s) and s[i] in "aeiou"


def latin_units(s: str) -> tuple[str, ...]:
    """Units of one lower-case ASCII Latin part (see the module docstring)."""
    # The nisba ending -i is also written -iy and -ie (Rubaiy, Rubaie).
    if len(s) > 3 and s[-2:] in ("iy", "ie") and s[-3] not in "aeiou" + "y" or len(s) > 4 and s[-3:] in ("aiy", "aie"):
        s = s[:-2] + "i"
    units: list[str] = []
    i = 0
    n = len(s)
    while i < n:
        ch = s[i]
        two = s[i : i + 2]
        three = s[i : i + 3]
        # Consonant digraphs.
        matched = False
        for dig, unit in _CONSONANT_DIGRAPHS:
            if s.startswith(dig, i):
                units.append(unit)
                i += len(dig)
                matched = True
                break
        if matched:
            continue
        if ch in "aeiou":
            if two in ("ai", "ay", "ei", "ey") and not _is_vowel_at(s, i + 2):
                units.append("ay")
                i += 2
            elif two in ("aw", "au", "ow") and not _is_vowel_at(s, i + 2):
                units.append("aw")
                i += 2
            elif two in ("ou", "oo", "uu"):
                units.append("u")
                i += 2
            elif two in ("ee", "ii"):
                units.append("i")
                i += 2
            elif three == "iya" or three == "iyu":
                units.append("i")
                i += 2  # the y of -iya is a glide: Nadiya = Nadia
            else:
                units.append(ch)
                i += 1
            continue
        if ch == "y":
            if _is_vowel_at(s, i + 1):
                units.append("y")
            else:
                units.append("i")
            i += 1
            continue
        if ch == "w":
            units.append("w" if _is_vowel_at(s, i + 1) else "u")
            i += 1
            continue
        if ch == "c":
            # Without its cedilla or a known alphabet, c may be k, s, ch or j.
            units.append("c?")
            i += 1
            continue
        if ch == "h" and i == n - 1 and i >= 2 and s[i - 1] in _LATIN_VOWELS:
            units.append("h?")
            i += 1
            continue
        unit = _LATIN_SINGLE.get(ch)
        if unit is not None:
            units.append(unit)
        i += 1
    return collapse(units)


def collapse(units) -> tuple[str, ...]:
    """Drop repeated units (doubled letters)."""
    out: list[str] = []
    for u in units:
        if out and out[-1] == u:
            continue
        out.append(u)
    return tuple(out)


# --------------------------------------------------------------------------
# Arabic script

_ARABIC_UNITS = {
    "ا": "A",
    "آ": "A",
    "أ": "A",
    "إ": "A",
    "ٱ": "A",
    "ى": "A",
    "ة": "a",
    "ۀ": "a",
    "ۃ": "a",
    "ء": "'",
    "ؤ": "'",
    "ئ": "'",
    "ب": "b",
    "ت": "t",
    "ث": "th",
    "ج": "j",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "dh",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "dz",
    "ط": "t",
    "ظ": "zz",
    "ع": "E",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ك": "k",
    "ک": "k",
    "گ": "g",
    "ڭ": "g",
    "پ": "p",
    "چ": "ch",
    "ژ": "zh",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "ھ": "h",
    "ہ": "h",
    "و": "W?",
    "ۆ": "o",
    "ۇ": "u",
    "ۋ": "v",
    "ي": "Y?",
    "ی": "Y?",
    "ې": "Y?",
    "ێ": "e",
    "ە": "e",
    "ڕ": "r",
    "ڵ": "l",
    "ڤ": "v",
    "ڨ": "g",
    "ڢ": "f",
    "ڧ": "q",
    "ٹ": "t",
    "ڈ": "d",
    "ڑ": "r",
    "ں": "n",
    "ے": "Y?",
}
_PERSIAN_UNITS = {"ث": "s", "ذ": "z", "ض": "z", "ظ": "z"}


def arabic_units(word: str, sorani: bool | None = None, persian: bool | None = None) -> tuple[str, ...]:
    """Units of one part written in Arabic script."""
    if sorani is None:
        sorani = any(ch in SORANI_LETTERS for ch in word)
    if persian is None:
        persian = not sorani and any(ch in PERSIAN_LETTERS for ch in word)
    units: list[str] = []
    letters = [ch for ch in word if ch in _ARABIC_UNITS]
    for i, ch in enumerate(letters):
        if sorani and ch == "ئ":
            continue  # seat of an initial vowel, silent in Sorani
        unit = _PERSIAN_UNITS.get(ch, _ARABIC_UNITS[ch]) if persian else _ARABIC_UNITS[ch]
        if unit == "h" and i == len(letters) - 1 and i > 0:
            unit = "h?"
        units.append(unit)
    return collapse(units)


# --------------------------------------------------------------------------
# Alignment


_SUB_CACHE: dict[tuple[str, str], float] = {}


def _sub(a: str, b: str) -> float:
    cost = _SUB_CACHE.get((a, b))
    if cost is None:
        cost = _SUB_CACHE[(a, b)] = substitution_cost(a, b)
    return cost


_PRIMED: dict[tuple, float] = {}
"""Similarities computed in batches by :func:`prime` (the exact scorer of a screening primes every
pair of readings it is about to compare); consulted before the per-pair computation."""
_PRIMED_MAX = 1_000_000


def unit_similarity(a: tuple[str, ...], b: tuple[str, ...], a_unvoc: bool = False, b_unvoc: bool = False) -> float:
    """Similarity in [0, 1] of two unit tuples (1.0 = same pronunciation)."""
    value = _PRIMED.get((a, b, a_unvoc, b_unvoc))
    if value is not None:
        return value
    return _unit_similarity(a, b, a_unvoc, b_unvoc)


@lru_cache(maxsize=500_000)
def _unit_similarity(a: tuple[str, ...], b: tuple[str, ...], a_unvoc: bool = False, b_unvoc: bool = False) -> float:
    if a == b:
        return 1.0 if a else 0.0
    n, m = len(a), len(b)
    if not n or not m:
        return 0.0
    # del_a: a unit of a with nothing in b (b is the "other" side).
    del_a = [deletion_cost(u, b_unvoc, k, n) for k, u in enumerate(a)]
    del_b = [deletion_cost(u, a_unvoc, k, m) for k, u in enumerate(b)]
    b_vowel = _vowel_flags(b)
    prev2: list[float] | None = None
    prev = [0.0] * (m + 1)
    for j in range(1, m + 1):
        prev[j] = prev[j - 1] + del_b[j - 1]
    for i in range(1, n + 1):
        ai = a[i - 1]
        da = del_a[i - 1]
        cur = [prev[0] + da] + [0.0] * m
        subs = _sub_row(ai, b)
        a_vowel = ai in VOWEL_LIKE
        for j in range(1, m + 1):
            best = prev[j - 1] + subs[j - 1]
            d = prev[j] + da
            best = min(best, d)
            d = cur[j - 1] + del_b[j - 1]
            best = min(best, d)
            if prev2 is not None and j > 1 and ai == b[j - 2] and a[i - 2] == b[j - 1] and a_vowel == b_vowel[j - 1]:
                d = prev2[j - 2] + 0.4
                best = min(best, d)
            cur[j] = best
        prev2, prev = prev, cur
    cost = prev[m]
    return max(0.0, 1.0 - cost / max(_weight(a), _weight(b)))


# Batched alignment: the same recurrence as _unit_similarity, vectorised over many pairs at once
# (a numpy row per pair, padded to the longest; a cell only depends on cells above and to its left,
# so padding never changes the value read at a pair's own corner). Same additions in the same
# order, so the results are identical to the per-pair computation.

_UNIT_IDS: dict[str, int] = {}
_SUB_MATRIX = np.zeros((0, 0))
_VOWEL_IDS = np.zeros(0, dtype=bool)
BATCH_MIN_PAIRS = 48
"""Below this many pairs the per-pair computation is faster than the vectorised one."""


_UNIT_LOCK = threading.Lock()


def _unit_ids(units) -> list[int]:
    """Ids of units; a new unit grows the cost matrix before its id is handed out (under a lock:
    a thread never sees an id its matrix does not have)."""
    global _SUB_MATRIX, _VOWEL_IDS
    with _UNIT_LOCK:
        out = []
        new_units = [u for u in units if u not in _UNIT_IDS]
        if new_units:
            names = sorted(_UNIT_IDS, key=_UNIT_IDS.get) + list(dict.fromkeys(new_units))
            _SUB_MATRIX = np.array([[_sub(x, y) for y in names] for x in names], dtype=np.float64)
            _VOWEL_IDS = np.array([x in VOWEL_LIKE for x in names], dtype=bool)
            for u in dict.fromkeys(new_units):
                _UNIT_IDS[u] = len(_UNIT_IDS)
        for u in units:
            out.append(_UNIT_IDS[u])
        return out


@lru_cache(maxsize=200_000)
def _side(units: tuple[str, ...], other_unvoc: bool) -> tuple[list[int], list[float]]:
    n = len(units)
    return _unit_ids(units), [deletion_cost(u, other_unvoc, i, n) for i, u in enumerate(units)]


def unit_similarity_many(pairs: list[tuple]) -> list[float]:
    """:func:`unit_similarity` of many ``(a, b, a_unvoc, b_unvoc)`` at once."""
    out = [0.0] * len(pairs)
    todo = []
    for k, (a, b, _au, _bu) in enumerate(pairs):
        if a == b:
            out[k] = 1.0 if a else 0.0
        elif a and b:
            todo.append(k)
    if not todo:
        return out
    P = len(todo)
    N = max(len(pairs[k][0]) for k in todo)
    M = max(len(pairs[k][1]) for k in todo)
    a_rows, b_rows, da_rows, db_rows, n_list, m_list, w_list = [], [], [], [], [], [], []
    for k in todo:
        a, b, au, bu = pairs[k]
        ids, dels = _side(a, bu)
        pad = N - len(a)
        a_rows.append(ids + [0] * pad)
        da_rows.append(dels + [0.0] * pad)
        ids, dels = _side(b, au)
        pad = M - len(b)
        b_rows.append(ids + [0] * pad)
        db_rows.append(dels + [0.0] * pad)
        n_list.append(len(a))
        m_list.append(len(b))
        w_list.append(max(_weight(a), _weight(b)))
    a_ids = np.array(a_rows, dtype=np.int64)
    b_ids = np.array(b_rows, dtype=np.int64)
    del_a = np.array(da_rows, dtype=np.float64)
    del_b = np.array(db_rows, dtype=np.float64)
    n_of = np.array(n_list, dtype=np.int64)
    m_of = np.array(m_list, dtype=np.int64)
    sub = _SUB_MATRIX
    # pairs along the last axis, so that a column of the recurrence is one contiguous row here
    b_t = np.ascontiguousarray(b_ids.T)  # (M, P)
    del_b_t = np.ascontiguousarray(del_b.T)
    a_vow = _VOWEL_IDS[a_ids]
    b_vow_t = _VOWEL_IDS[b_t]
    cols = np.arange(P)
    prev = np.zeros((M + 1, P))
    prev[1:] = np.cumsum(del_b_t, axis=0)
    prev2 = None
    cost = np.where(n_of == 0, prev[m_of, cols], 0.0)
    for i in range(1, N + 1):
        ai = a_ids[:, i - 1]
        da = del_a[:, i - 1]
        cur = np.empty((M + 1, P))
        cur[0] = prev[0] + da
        # best of the diagonal and the vertical move for every column at once
        t = np.minimum(prev[:-1] + sub[ai[None, :], b_t], prev[1:] + da[None, :])
        if prev2 is not None and M > 1:
            swap = (
                (ai[None, :] == b_t[:-1])
                & (a_ids[:, i - 2][None, :] == b_t[1:])
                & (a_vow[:, i - 1][None, :] == b_vow_t[1:])
            )
            t[1:] = np.where(swap, np.minimum(t[1:], prev2[:-2] + 0.4), t[1:])
        for j in range(1, M + 1):  # the horizontal move depends on the cell to the left
            np.minimum(t[j - 1], cur[j - 1] + del_b_t[j - 1], out=cur[j])
        done = n_of == i
        if done.any():
            cost[done] = cur[m_of[done], cols[done]]
        prev2, prev = prev, cur
    sims = np.maximum(0.0, 1.0 - cost / np.array(w_list, dtype=np.float64))
    for r, k in enumerate(todo):
        out[k] = float(sims[r])
    return out


def prime(pairs) -> int:
    """Compute the similarities of these ``(a, b, a_unvoc, b_unvoc)`` not yet known, in one batch
    when there are enough of them; returns how many were computed."""
    todo = list({p for p in pairs if p not in _PRIMED})
    if len(todo) < BATCH_MIN_PAIRS:
        return 0
    if len(_PRIMED) + len(todo) > _PRIMED_MAX:
        _PRIMED.clear()
    for p, v in zip(todo, unit_similarity_many(todo), strict=True):
        _PRIMED[p] = v
    return len(todo)


@lru_cache(maxsize=100_000)
def _weight(units: tuple[str, ...]) -> float:
    return sum(unit_weight(u) for u in units)


@lru_cache(maxsize=100_000)
def _vowel_flags(units: tuple[str, ...]) -> list[bool]:
    return [u in VOWEL_LIKE for u in units]


@lru_cache(maxsize=200_000)
def _sub_row(a: str, b: tuple[str, ...]) -> list[float]:
    return [_sub(a, bj) for bj in b]


_VOWEL_LETTERS = frozenset("aeiouy")

# OCR and keyboard confusions that cost half a substitution at character level.
_CHAR_CONFUSIONS = {frozenset(p) for p in ("rp", "il", "mn", "uv", "ce", "ao", "bh", "kx")}


@lru_cache(maxsize=200_000)
def typo_similarity(a: str, b: str) -> float:
    """Character-level similarity for typing and OCR errors.

    Optimal-string-alignment distance where an adjacent transposition of
    two vowels or two consonants (``Liath``/``Laith``) and an OCR look-alike
    (``R``/``P``) cost 0.5, a vowel swapped with a consonant 1.5, and
    any other edit 2.0: this comparison only forgives the errors typing and
    reading machines make; spelling variants are the phonetic comparison's
    job, and ``Khalid``/``Khalil`` is not a typo.
    """
    if a == b:
        return 1.0 if a else 0.0
    n, m = len(a), len(b)
    if not n or not m:
        return 0.0
    d = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = 2.0 * i
    for j in range(m + 1):
        d[0][j] = 2.0 * j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            if a[i - 1] == b[j - 1]:
                sub = 0.0
            elif frozenset((a[i - 1], b[j - 1])) in _CHAR_CONFUSIONS:
                sub = 0.5
            else:
                sub = 2.0
            best = min(d[i - 1][j] + 2.0, d[i][j - 1] + 2.0, d[i - 1][j - 1] + sub)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                # Swapping a vowel and a consonant changes the syllables
                # (Hamid/Hamdi are two names); two vowels or two consonants
                # swapped is a slip of the fingers (Liath/Laith).
                same_kind = (a[i - 1] in _VOWEL_LETTERS) == (a[i - 2] in _VOWEL_LETTERS)
                best = min(best, d[i - 2][j - 2] + (0.5 if same_kind else 1.5))
            d[i][j] = best
    return max(0.0, 1.0 - d[n][m] / max(n, m))


# --------------------------------------------------------------------------
# Retrieval key

_KEY_CLASS = {
    "b": "B",
    "p": "B",
    "t": "T",
    "th": "D",
    "d": "D",
    "dh": "D",
    "dz": "D",
    "z": "D",
    "zz": "D",
    "zh": "G",
    "j": "G",
    "g": "G",
    "gh": "G",
    "h": "H",
    "kh": "X",
    "r": "R",
    "s": "S",
    "sh": "C",
    "ch": "C",
    "f": "F",
    "v": "F",
    "q": "K",
    "k": "K",
    "c?": "K",
    "l": "L",
    "m": "M",
    "n": "N",
}


def keys_may_match(a: str, b: str) -> bool:
    """Cheap test: can two parts with these keys reach a useful similarity?

    Keys that share under a third of their consonant classes (after the best
    alignment) never pair (``HSN`` and ``MHMD``); very short keys always
    qualify."""
    if len(a) <= 1 or len(b) <= 1:
        return True
    return Levenshtein.normalized_similarity(a, b) >= 0.34


def retrieval_key(units: tuple[str, ...]) -> str:
    """Coarse consonant skeleton: vowels, glides and weak letters dropped,
    close consonants folded into one class, repeats collapsed."""
    out: list[str] = []
    for u in units:
        c = _KEY_CLASS.get(u)
        if c is None:
            continue
        if out and out[-1] == c:
            continue
        out.append(c)
    return "".join(out)
