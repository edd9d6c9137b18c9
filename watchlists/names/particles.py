"""Name particles: articles, "son/daughter of", compounds with abd and abu,
theophoric endings.

Each rule works on the list of folded parts of one name (Latin parts are
lower-case ASCII, Arabic-script parts are unvocalised letters) and returns
new parts plus a note for the explanation. Rules, each tested:

* ``bin``, ``ibn``, ``bint``, ``binti``, ``ben`` (not first), ``ould``,
  ``walad``, ``oglu`` and Arabic ``بن ابن بنت`` only say "child of": they
  are dropped;
* the article ``al``/``el``/``ul`` and its assimilated forms (``ar``,
  ``as``, ``ash``, ``at``, ``az``, ``ad``, ``an``, ``adh``, ``ath``) written
  apart is dropped; written joined (``alkhafaji``, ``الخفاجي``,
  ``arrashid``) the part gets a second reading without it;
* ``abd``/``abdul``/``abdel``/``abdal``/``abdol`` (Arabic ``عبد``) joins the
  next part into one (``Abd al-Aziz`` = ``Abdulaziz`` = ``abdaziz``);
* ``abu``/``abou``/``abo`` (Arabic ``ابو أبو``) joins the next part
  (``Abu Bakr`` = ``Abubakr``);
* endings with Allah are spelled ``allah`` (``Abdullah``, ``Abd Allah``,
  ``Abdalla``, ``Nasrullah``), endings with al-Din ``aldin``
  (``Salahuddin``, ``Salah al-Din``, ``Salaheddine``);
* Western honorifics (``mr``, ``mrs``, ``ms``, ``dr``) are dropped.
"""

from __future__ import annotations

import re

CHILD_OF = {"bin", "ibn", "bint", "binti", "ould", "walad", "oglu", "ogli", "bn"}
CHILD_OF_ARABIC = {"بن", "ابن", "بنت", "إبن"}
ARTICLES = {"al", "el", "ul", "il"}
SUN_ARTICLES = {
    "ar": "r",
    "as": "s",
    "ash": "sh",
    "at": "t",
    "az": "z",
    "ad": "d",
    "an": "n",
    "adh": "dh",
    "ath": "th",
}
HONORIFICS = {"mr", "mrs", "ms", "dr", "miss"}
ABD_PREFIXES = ("abdul", "abdel", "abdal", "abdol", "abdil", "abd")
ABU_FORMS = {"abu", "abou", "abo", "abū"}
ARABIC_ABD = "عبد"
ARABIC_ABU = {"ابو", "أبو", "ابوا"}
ARABIC_ARTICLE = "ال"
ALLAH_ARABIC = "الله"

_ALLAH_END = re.compile(r"(?:u|o|a|e|i)?l?lah?$")
_DIN_END = re.compile(r"(?:uddin|eddin|eddine|aldin|addin|eldin|uddeen|ud-din|ed-din)$")


def _is_arabic(part: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in part)


def _theophoric(part: str) -> tuple[str, str | None]:
    """Spell the Allah and al-Din endings one way."""
    if _is_arabic(part):
        return part, None
    for ending in ("ullah", "ollah", "allah", "ellah", "illah", "ulla", "alla", "olla"):
        if part.endswith(ending) and len(part) > len(ending) + 2:
            return part[: -len(ending)] + "allah", "Allah ending spelled 'allah'"
    m = _DIN_END.search(part)
    if m and len(part) > len(m.group(0)) + 2:
        return part[: m.start()] + "aldin", "al-Din ending spelled 'aldin'"
    return part, None


def _strip_article(part: str) -> str | None:
    """The part without a joined article, or None."""
    if _is_arabic(part):
        if part.startswith(ARABIC_ARTICLE) and len(part) > 3 and part != ALLAH_ARABIC:
            return part[2:]
        return None
    for art in ("al", "el"):
        if part.startswith(art) and len(part) >= len(art) + 3:
            return part[len(art) :]
    # Assimilated: a + doubled sun letter (arrashid, assaadi, addulaimi).
    if len(part) >= 5 and part[0] == "a" and part[1] == part[2] and part[1] in "rstzdn":
        return part[2:]
    return None


def _abd_stem(part: str) -> str | None:
    """``abdulaziz`` -> ``aziz``; ``abdullah`` -> ``allah``; None if not abd+."""
    for prefix in ABD_PREFIXES:
        if part.startswith(prefix) and len(part) > len(prefix):
            rest = part[len(prefix) :]
            if rest in ("la", "lah", "llah", "lla", "llahi"):
                return "allah"
            if len(rest) >= 3:
                return rest
    return None


class Token:
    """One part of a name after the particle rules.

    ``text`` is the canonical spelling; ``alternatives`` are other readings
    (a joined article removed); ``notes`` say which rules applied.
    """

    __slots__ = ("alternatives", "notes", "original", "text")

    def __init__(
        self,
        text: str,
        original: str,
        notes: list[str] | None = None,
        alternatives: list[str] | None = None,
    ):
        self.text = text
        self.original = original
        self.notes = notes or []
        self.alternatives = alternatives or []

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Token({self.text!r}, alt={self.alternatives!r}, notes={self.notes!r})"


def apply_particles(parts: list[str]) -> list[Token]:
    """Apply the particle rules to the folded parts of one name."""
    tokens: list[Token] = []
    i = 0
    n = len(parts)
    pending_notes: list[str] = []
    while i < n:
        part = parts[i]
        nxt = parts[i + 1] if i + 1 < n else None
        arabic = _is_arabic(part)
        # "child of" connectors (Ben as a first name stays).
        if (part in CHILD_OF or part in CHILD_OF_ARABIC or (part == "ben" and i > 0)) and nxt is not None and i > 0:
            pending_notes.append(f"'{part}' (child of) ignored")
            i += 1
            continue
        if part in HONORIFICS and nxt is not None:
            i += 1
            continue
        # Separate article.
        if nxt is not None and (part in ARTICLES or (part in SUN_ARTICLES and nxt.startswith(SUN_ARTICLES[part]))):
            pending_notes.append(f"article '{part}' ignored")
            i += 1
            continue
        if arabic and part == ARABIC_ARTICLE and nxt is not None:
            pending_notes.append("article 'ال' ignored")
            i += 1
            continue
        # abd + next part.
        if nxt is not None and (
            part in ("abd", "abdul", "abdel", "abdal", "abdol", "abdu", "abed") or part == ARABIC_ABD
        ):
            j = i + 1
            if parts[j] in ARTICLES and j + 1 < n:
                j += 1
            stem = parts[j]
            stripped = _strip_article(stem)
            if stripped is not None and stem != ALLAH_ARABIC:
                stem = stripped
            if not arabic and stem in ("lah", "llah", "la"):
                stem = "allah"
            text = (ARABIC_ABD if arabic else "abd") + stem
            tokens.append(
                Token(
                    text,
                    " ".join(parts[i : j + 1]),
                    pending_notes + ["abd compound joined"],
                )
            )
            pending_notes = []
            i = j + 1
            continue
        # abu + next part.
        if nxt is not None and (part in ABU_FORMS or part in ARABIC_ABU):
            j = i + 1
            stem = parts[j]
            stripped = _strip_article(stem)
            if stripped is not None:
                stem = stripped
            text = ("ابو" if arabic else "abu") + stem
            tokens.append(
                Token(
                    text,
                    " ".join(parts[i : j + 1]),
                    pending_notes + ["abu compound joined"],
                )
            )
            pending_notes = []
            i = j + 1
            continue
        # Allah / al-Din written apart: join with the previous part.
        if tokens and part in ("allah", "ullah", "ollah", "الله"):
            prev = tokens[-1]
            prev.text = prev.text + ("الله" if arabic else "allah")
            prev.original = prev.original + " " + part
            prev.notes.append("Allah joined")
            i += 1
            continue
        if tokens and part in (
            "din",
            "deen",
            "dine",
            "eddin",
            "uddin",
            "aldin",
            "eddine",
            "الدين",
        ):
            prev = tokens[-1]
            prev.text = prev.text + ("الدين" if arabic else "aldin")
            prev.original = prev.original + " " + part
            prev.notes.append("al-Din joined")
            i += 1
            continue
        notes = list(pending_notes)
        pending_notes = []
        text = part
        alternatives: list[str] = []
        if not arabic:
            stem = _abd_stem(text)
            if stem is not None:
                text = "abd" + stem
                notes.append("abd compound spelled 'abd'")
            else:
                for form in ("abou", "abo"):
                    if (
                        text.startswith(form)
                        and len(text) >= len(form) + 3
                        and not text.startswith("abou" if form == "abo" else "~")
                    ):
                        text = "abu" + text[len(form) :]
                        notes.append("abu spelled 'abu'")
                        break
            text, note = _theophoric(text)
            if note:
                notes.append(note)
        else:
            if text.startswith(ARABIC_ABD) and len(text) > 4:
                rest = text[3:]
                stripped = _strip_article(rest)
                text = ARABIC_ABD + (stripped if stripped and rest != ALLAH_ARABIC else rest)
        stripped = _strip_article(text)
        if stripped is not None:
            if arabic:
                # The Arabic article is unambiguous: drop it.
                text = stripped
                notes.append("article 'ال' ignored")
            else:
                alternatives.append(stripped)
        tokens.append(Token(text, part, notes, alternatives))
        i += 1
    return tokens
