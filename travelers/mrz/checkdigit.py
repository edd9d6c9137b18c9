"""The Doc 9303 check digit: weights 7, 3, 1 repeating, modulo 10 (Part 3, section 4.9).

Character values: digits 0-9 are their value, A-Z are 10-35, the filler ``<`` is 0.
Pure Python: no Django import.
"""

from __future__ import annotations

import string

ALPHABET = string.ascii_uppercase + string.digits + "<"
VALID_CHARS = frozenset(ALPHABET)

CHAR_VALUES: dict[str, int] = {"<": 0}
CHAR_VALUES.update({d: int(d) for d in string.digits})
CHAR_VALUES.update({c: 10 + i for i, c in enumerate(string.ascii_uppercase)})

WEIGHTS = (7, 3, 1)


def check_value(text: str) -> int:
    """The check digit of ``text`` as an int. Raises KeyError on a character outside the MRZ set."""
    total = 0
    values = CHAR_VALUES
    for i, ch in enumerate(text):
        total += values[ch] * WEIGHTS[i % 3]
    return total % 10


def check_digit(text: str) -> str:
    """The check digit of ``text`` as a one-character string."""
    return str(check_value(text))
