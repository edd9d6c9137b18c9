"""From a name as typed, scanned or imported to comparable name parts.

``parse_name`` runs, in order: normalisation (:mod:`.normalize`), ICAO
X-scheme detection and reverse transliteration (:mod:`.icao`), the Turkish
and Kurmanji spelling (:mod:`.translit`), the particle rules
(:mod:`.particles`) and the phonetic units (:mod:`.phonetic`). Each part
keeps notes of the rules that touched it, for the explanation of a hit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from . import phonetic
from .icao import icao_to_arabic, is_icao_xscheme
from .normalize import fold, has_arabic, split_parts
from .particles import apply_particles
from .translit import (
    arabic_word_to_latin,
    is_persian,
    is_sorani,
    is_turkic_kurdish,
    latin_to_ascii,
    strip_harakat,
)


@dataclass(frozen=True)
class Form:
    """One reading of a name part."""

    latin: str  # lower-case ASCII spelling (for display and typo comparison)
    units: tuple[str, ...]
    unvocalised: bool  # written in Arabic script (short vowels not written)
    key: str  # coarse retrieval key
    penalty: float = 0.0  # cost of choosing this reading over the main one


@dataclass(frozen=True)
class NamePart:
    text: str  # the part as written (after particle joining)
    forms: tuple[Form, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedName:
    original: str
    parts: tuple[NamePart, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = ()

    @property
    def keys(self) -> list[set[str]]:
        return [{f.key for f in p.forms} for p in self.parts]


@lru_cache(maxsize=200_000)
def _latin_form(text: str, penalty: float = 0.0) -> Form | None:
    if len(text) < 2:
        return None
    units = phonetic.latin_units(text)
    if not units:
        return None
    return Form(text, units, False, phonetic.retrieval_key(units), penalty)


@lru_cache(maxsize=200_000)
def _arabic_form(text: str, sorani: bool, persian: bool, penalty: float = 0.0) -> Form | None:
    units = phonetic.arabic_units(text, sorani=sorani, persian=persian)
    if not units:
        return None
    latin = arabic_word_to_latin(text, sorani=sorani, persian=persian)
    return Form(latin, units, True, phonetic.retrieval_key(units), penalty)


@lru_cache(maxsize=100_000)
def _fold_part(part: str, turkic: bool) -> str:
    if has_arabic(part):
        return strip_harakat(part)
    return latin_to_ascii(fold(part), turkic_kurdish=turkic)


@lru_cache(maxsize=200_000)
def parse_name(text: str) -> ParsedName:
    """Parse one full name (any script) into comparable parts."""
    raw_parts = split_parts(text)
    name_notes: list[str] = []
    latin_reading: list[str] | None = None
    if raw_parts and is_icao_xscheme(" ".join(raw_parts)):
        name_notes.append("read as ICAO Doc 9303 transliteration of Arabic")
        latin_reading = [latin_to_ascii(p) for p in raw_parts]
        raw_parts = [icao_to_arabic(p) for p in raw_parts]
        raw_parts = [p for p in raw_parts if p]
    joined = " ".join(raw_parts)
    arabic = has_arabic(joined)
    sorani = arabic and is_sorani(joined)
    persian = arabic and is_persian(joined)
    turkic = (not arabic) and is_turkic_kurdish(joined)
    if sorani:
        name_notes.append("Sorani Kurdish script transliterated")
    elif persian:
        name_notes.append("Persian script transliterated")
    elif arabic and not latin_reading:
        name_notes.append("Arabic script transliterated")
    if turkic:
        name_notes.append("Turkish/Kurmanji letters spelled out")

    folded = [f for f in (_fold_part(p, turkic) for p in raw_parts) if f]
    tokens = apply_particles(folded)

    parts: list[NamePart] = []
    for tok in tokens:
        forms: list[Form] = []
        for idx, alt in enumerate([tok.text] + tok.alternatives):
            penalty = 0.0 if idx == 0 else 0.02
            form = _arabic_form(alt, sorani, persian, penalty) if has_arabic(alt) else _latin_form(alt, penalty)
            if form is not None and form not in forms:
                forms.append(form)
        if forms:
            parts.append(
                NamePart(
                    tok.original if tok.original else tok.text,
                    tuple(forms),
                    tuple(tok.notes),
                )
            )

    if latin_reading is not None:
        # Keep the letters as plain Latin too: a Latin name that looks like
        # ICAO (or an ICAO name whose part happens to be readable) still matches.
        latin_tokens = apply_particles([p for p in latin_reading if p])
        if len(latin_tokens) == len(parts):
            merged = []
            for part, tok in zip(parts, latin_tokens, strict=True):
                extra = _latin_form(tok.text, 0.03)
                forms = part.forms + ((extra,) if extra is not None and extra not in part.forms else ())
                merged.append(NamePart(part.text, forms, part.notes))
            parts = merged
    return ParsedName(text, tuple(parts), tuple(name_notes))
