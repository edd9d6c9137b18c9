"""The biographic rule that links a document seen for the first time to an existing person.

A rule an officer or auditor can read and check by hand (pure Python, no Django):

    A document not seen before joins an existing person only when exactly one person has
    the same nationality, the same complete date of birth, the same name (surname and given
    names, compared after removing accents, punctuation, case and spacing differences), and a
    compatible sex (equal, or one of them unspecified). Otherwise a new person is created.

A document already seen (same issuing state, kind and number) always belongs to the person it
was first linked to. Every link records the rule that made it and its evidence, and a supervisor
can split a wrong link off into a new person.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

from travelers.mrz import PartialDate

RULE_TEXT = (
    "A new document joins an existing person only when exactly one person has the same "
    "nationality, complete date of birth and name (ignoring accents, punctuation, case and "
    "spacing) and a compatible sex; otherwise a new person is created."
)

_NOT_LETTERS = re.compile(r"[^A-Z ]+")
_SPACES = re.compile(r"\s+")


def name_key(primary: str, secondary: str) -> str:
    """``("Al-Bayati", "Ahmed")`` -> ``"AL BAYATI|AHMED"``."""
    return f"{_normalise(primary)}|{_normalise(secondary)}"


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = anyascii(text).upper().replace("<", " ").replace("-", " ")
    text = text.replace("'", "")
    text = _NOT_LETTERS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def biographic_key(
    *, primary: str, secondary: str, birth: PartialDate, nationality: str
) -> str:
    """The key the rule compares, or "" when the rule cannot apply (date of birth incomplete)."""
    if birth.precision != "day" or not nationality or not _normalise(primary):
        return ""
    return f"{nationality.upper()}|{birth.isoformat()}|{name_key(primary, secondary)}"


def sex_compatible(a: str, b: str) -> bool:
    return a == b or "X" in (a, b) or not a or not b
