"""Scoring a screening query against a watchlist person, with an explanation.

The score is ``name score + evidence``, clipped to [0, 1]; a hit is raised
when it reaches the list's threshold (:data:`DEFAULT_THRESHOLD` unless the
list sets its own).

Name score
    Every part of the query is compared with every part of the entry
    (:func:`part_similarity`: the best of the phonetic alignment and the
    character-level typo comparison over all readings of both parts). Parts
    are paired greedily from the most similar pair down, so order does not
    matter; two adjacent parts may also pair as one (``Gholam Reza`` with
    ``Gholamreza``, ``Abdul Karim`` with ``Abdulkarim``). A weak pairing counts less than its similarity (below
    :data:`KNEE` the shortfall counts twice): a part that matches only
    loosely is evidence of a different name. The score is
    ``0.85 * coverage of the shorter name + 0.15 * coverage of the longer``,
    where coverage is the share of a name's parts that found a partner
    (weighted by similarity), so a query of three parts against an entry of
    five (given name, father, grandfather, tribe) scores on its three parts,
    while a single part against a fuller name is capped at
    :data:`SINGLE_PART_CAP`.

Evidence (:data:`EVIDENCE`)
    date of birth: same full date, day and month swapped, same year only,
    year off by one, by a few years, by many years; 1 January is treated as
    "year only" because it is what registries record when only the year is
    known. Nationality: shared or disjoint. Gender: contradicting genders
    weigh heavily. Document number: the same number (after normalisation)
    is strong evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from . import phonetic
from .parsing import Form, NamePart, ParsedName, parse_name

DEFAULT_THRESHOLD = 0.87
KNEE = 0.85
SINGLE_PART_CAP = 0.75
SHORT_SIDE_WEIGHT = 0.85
JOIN_PENALTY = 0.03
MAX_PARTS_FOR_JOINING = 6

EVIDENCE = {
    "dob_exact": 0.06,
    "dob_swapped": 0.04,
    "dob_same_year": 0.03,
    "dob_same_year_other_day": -0.02,
    "dob_year_off_by_one": -0.03,
    "dob_year_off_2_3": -0.12,
    "dob_year_off_4_9": -0.22,
    "dob_year_off_10_plus": -0.30,
    "nationality_shared": 0.01,
    "nationality_differs": -0.07,
    "gender_differs": -0.30,
    "document_same": 0.30,
}

_DOB_RE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")


@dataclass(frozen=True)
class Dob:
    year: int
    month: int | None = None
    day: int | None = None
    year_only: bool = False  # 1 January: only the year is really known

    @property
    def full(self) -> bool:
        return self.month is not None and self.day is not None and not self.year_only

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def parse_dob(value) -> Dob | None:
    """``"1974"``, ``"1974-08"``, ``"1974-08-12"`` or a ``date`` -> Dob.

    Raises ValueError for an impossible date (``1974-13-45``).
    """
    if value is None or value == "":
        return None
    if isinstance(value, Dob):
        return value
    if hasattr(value, "year") and hasattr(value, "month") and hasattr(value, "day"):
        return Dob(
            value.year,
            value.month,
            value.day,
            year_only=(value.month, value.day) == (1, 1),
        )
    m = _DOB_RE.match(str(value))
    if not m:
        raise ValueError(f"not a date of birth: {value!r} (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    if not 1850 <= year <= 2100:
        raise ValueError(f"year out of range: {year}")
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"month out of range: {month}")
    if day is not None:
        import calendar

        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise ValueError(f"day out of range: {day}")
    return Dob(year, month, day, year_only=(month, day) == (1, 1))


_DOC_FILLERS = re.compile(r"[\s<\-./]+")


def normalize_document_number(number: str) -> str:
    """Upper case, fillers and separators removed, ``O``->``0``, ``I``->``1``
    (the letters passports confuse with digits)."""
    s = _DOC_FILLERS.sub("", str(number or "")).upper()
    return s.replace("O", "0").replace("I", "1")


@dataclass
class Person:
    """A screening query or a watchlist entry, as the matcher sees it."""

    names: list[str]
    date_of_birth: str | None = None
    nationalities: tuple[str, ...] = ()
    gender: str | None = None  # "M", "F" or None
    documents: tuple[str, ...] = ()
    entry_id: object = None

    def dob(self) -> Dob | None:
        return parse_dob(self.date_of_birth)


@dataclass
class PartMatch:
    query: str
    entry: str
    similarity: float
    how: list[str]


@dataclass
class NameMatch:
    score: float
    query_name: str
    entry_name: str
    pairs: list[PartMatch] = field(default_factory=list)
    unmatched_query: list[str] = field(default_factory=list)
    unmatched_entry: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Result:
    score: float
    name_score: float
    matched_name: str
    explanation: dict


def part_similarity(a: NamePart, b: NamePart) -> tuple[float, str]:
    """Best similarity over the readings of two parts, and how it was found."""
    best = 0.0
    how = ""
    for fa in a.forms:
        for fb in b.forms:
            pen = fa.penalty + fb.penalty
            s = phonetic.unit_similarity(fa.units, fb.units, fa.unvocalised, fb.unvocalised) - pen
            if s > best:
                best = s
                how = "same spelling" if fa.latin == fb.latin and fa.units == fb.units else "phonetic variant"
            if (
                not fa.unvocalised
                and not fb.unvocalised
                and best < 0.95
                and OSA.distance(fa.latin, fb.latin, score_cutoff=2) <= 2
            ):
                t = phonetic.typo_similarity(fa.latin, fb.latin) - pen
                if t > best + 1e-9:
                    best = t
                    how = "typing or OCR error"
    return max(0.0, best), how


def _knee(s: float) -> float:
    return s if s >= KNEE else max(0.0, 2 * s - KNEE)


@lru_cache(maxsize=100_000)
def joined_part(a: NamePart, b: NamePart) -> NamePart:
    """Two adjacent parts read as one (``Gholam Reza`` = ``Gholamreza``); cached, since a query's
    parts are joined again for every shortlisted entry."""
    fa, fb = a.forms[0], b.forms[0]
    units = phonetic.collapse(fa.units + fb.units)
    form = Form(
        fa.latin + fb.latin,
        units,
        fa.unvocalised or fb.unvocalised,
        phonetic.retrieval_key(units),
        JOIN_PENALTY,
    )
    return NamePart(f"{a.text} {b.text}", (form,), ("two parts read as one",))


def _candidates(parts: tuple[NamePart, ...]) -> list[tuple[NamePart, tuple[int, ...]]]:
    """Each part on its own, and each adjacent pair joined."""
    out = [(p, (i,)) for i, p in enumerate(parts)]
    if len(parts) <= MAX_PARTS_FOR_JOINING:
        out += [(joined_part(parts[i], parts[i + 1]), (i, i + 1)) for i in range(len(parts) - 1)]
    return out


def name_similarity(query: ParsedName, entry: ParsedName) -> NameMatch:
    """Pair the parts of two names and score the pairing (see module doc)."""
    qp, ep = query.parts, entry.parts
    result = NameMatch(0.0, query.original, entry.original)
    if not qp or not ep:
        return result
    cells = []
    for i, a in enumerate(qp):
        for j, b in enumerate(ep):
            s, how = part_similarity(a, b)
            if s > 0.0:
                cells.append((s, (i,), (j,), a, b, how))
    # Joined readings are tried only when the names have different numbers
    # of parts and some part would stay weak.
    strong_q = {c[1][0] for c in cells if c[0] >= KNEE}
    strong_e = {c[2][0] for c in cells if c[0] >= KNEE}
    if len(qp) != len(ep) and (len(strong_q) < len(qp) or len(strong_e) < len(ep)):
        entry_candidates = _candidates(ep)
        for a, ia in _candidates(qp):
            for b, ib in entry_candidates:
                if len(ia) + len(ib) != 3:
                    continue  # only one joined pair against one part
                if Levenshtein.normalized_similarity(a.forms[0].key, b.forms[0].key) < 0.6:
                    continue
                s, how = part_similarity(a, b)
                if s >= KNEE:
                    cells.append((s, ia, ib, a, b, how))
    cells.sort(key=lambda c: (-c[0], len(c[1]) + len(c[2]), c[1], c[2]))
    q_score = [0.0] * len(qp)
    e_score = [0.0] * len(ep)
    used_q: set[int] = set()
    used_e: set[int] = set()
    for s, ia, ib, a, b, how in cells:
        if used_q.intersection(ia) or used_e.intersection(ib):
            continue
        used_q.update(ia)
        used_e.update(ib)
        k = _knee(s)
        for i in ia:
            q_score[i] = k
        for j in ib:
            e_score[j] = k
        notes = [how] + list(a.notes) + list(b.notes)
        result.pairs.append(PartMatch(a.text, b.text, round(s, 3), [n for n in notes if n]))
    result.unmatched_query = [qp[i].text for i in range(len(qp)) if i not in used_q]
    result.unmatched_entry = [ep[j].text for j in range(len(ep)) if j not in used_e]
    q_cov = sum(q_score) / len(qp)
    e_cov = sum(e_score) / len(ep)
    short, long_ = (q_cov, e_cov) if len(qp) <= len(ep) else (e_cov, q_cov)
    score = SHORT_SIDE_WEIGHT * short + (1 - SHORT_SIDE_WEIGHT) * long_
    if min(len(qp), len(ep)) == 1 and max(len(qp), len(ep)) > 1 and len(result.pairs) <= 1:
        score = min(score, SINGLE_PART_CAP)
        result.notes.append("a single name part against a fuller name is capped")
    result.score = min(1.0, score)
    result.notes = list(query.notes) + list(entry.notes) + result.notes
    return result


def dob_evidence(q: Dob | None, e: Dob | None) -> tuple[str, float]:
    if q is None or e is None:
        return "not available on both sides", 0.0
    diff = abs(q.year - e.year)
    if diff == 0:
        if q.full and e.full:
            if (q.month, q.day) == (e.month, e.day):
                return "same date of birth", EVIDENCE["dob_exact"]
            if (q.month, q.day) == (e.day, e.month):
                return "same date with day and month swapped", EVIDENCE["dob_swapped"]
            return "same year, different day or month", EVIDENCE["dob_same_year_other_day"]
        return "same year of birth", EVIDENCE["dob_same_year"]
    if diff == 1:
        return "year of birth differs by 1", EVIDENCE["dob_year_off_by_one"]
    if diff <= 3:
        return f"year of birth differs by {diff}", EVIDENCE["dob_year_off_2_3"]
    if diff <= 9:
        return f"year of birth differs by {diff}", EVIDENCE["dob_year_off_4_9"]
    return f"year of birth differs by {diff}", EVIDENCE["dob_year_off_10_plus"]


def _norm_country(c: str) -> str:
    return str(c).strip().upper()


def nationality_evidence(q: tuple[str, ...], e: tuple[str, ...]) -> tuple[str, float]:
    qs = {_norm_country(c) for c in q if c}
    es = {_norm_country(c) for c in e if c}
    if not qs or not es:
        return "not available on both sides", 0.0
    if qs & es:
        return "nationality shared", EVIDENCE["nationality_shared"]
    return "nationalities differ", EVIDENCE["nationality_differs"]


def gender_evidence(q: str | None, e: str | None) -> tuple[str, float]:
    q = (q or "").strip().upper()[:1]
    e = (e or "").strip().upper()[:1]
    if q not in ("M", "F") or e not in ("M", "F"):
        return "not available on both sides", 0.0
    if q == e:
        return "same gender", 0.0
    return "genders differ", EVIDENCE["gender_differs"]


def document_evidence(q: tuple[str, ...], e: tuple[str, ...]) -> tuple[str, float]:
    qs = {normalize_document_number(d) for d in q if d}
    es = {normalize_document_number(d) for d in e if d}
    qs.discard("")
    es.discard("")
    if not qs or not es:
        return "not available on both sides", 0.0
    if qs & es:
        return "same document number", EVIDENCE["document_same"]
    return "different document numbers (not held against the match)", 0.0


def prime_scoring(query: Person, entries: list[Person]) -> int:
    """Compute in one batch the reading similarities that scoring ``query`` against each of
    ``entries`` will ask for (every reading of every query part against every reading of every
    entry part), instead of one alignment at a time; returns how many were computed."""
    q_forms = {f for qn in query.names for part in parse_name(qn).parts for f in part.forms}
    if not q_forms:
        return 0
    e_forms = {f for e in entries for en in e.names for part in parse_name(en).parts for f in part.forms}
    return phonetic.prime((a.units, b.units, a.unvocalised, b.unvocalised) for a in q_forms for b in e_forms)


def score_person(query: Person, entry: Person, threshold: float = DEFAULT_THRESHOLD) -> Result:
    """Score ``query`` against ``entry`` (best of the entry's names)."""
    best: NameMatch | None = None
    for qn in query.names:
        pq = parse_name(qn)
        for en in entry.names:
            m = name_similarity(pq, parse_name(en))
            if best is None or m.score > best.score:
                best = m
    if best is None:
        best = NameMatch(
            0.0,
            query.names[0] if query.names else "",
            entry.names[0] if entry.names else "",
        )
    evidence = []
    total = best.score
    for fieldname, (finding, delta), qv, ev in (
        (
            "date_of_birth",
            dob_evidence(query.dob(), entry.dob()),
            query.date_of_birth,
            entry.date_of_birth,
        ),
        (
            "nationality",
            nationality_evidence(query.nationalities, entry.nationalities),
            list(query.nationalities),
            list(entry.nationalities),
        ),
        (
            "gender",
            gender_evidence(query.gender, entry.gender),
            query.gender,
            entry.gender,
        ),
        (
            "document_number",
            document_evidence(query.documents, entry.documents),
            None,
            None,
        ),
    ):
        total += delta
        evidence.append(
            {
                "field": fieldname,
                "query": qv,
                "entry": ev,
                "finding": finding,
                "delta": round(delta, 3),
            }
        )
    score = max(0.0, min(1.0, total))
    explanation = {
        "score": round(score, 3),
        "threshold": threshold,
        "name_score": round(best.score, 3),
        "query_name": best.query_name,
        "matched_name": best.entry_name,
        "name_parts": [
            {
                "query": p.query,
                "entry": p.entry,
                "similarity": p.similarity,
                "how": p.how,
            }
            for p in best.pairs
        ],
        "unmatched_query_parts": best.unmatched_query,
        "unmatched_entry_parts": best.unmatched_entry,
        "name_notes": best.notes,
        "evidence": evidence,
    }
    return Result(score, best.score, best.entry_name, explanation)


def explanation_lines(explanation: dict) -> list[str]:
    """The explanation as sentences an officer can read."""
    lines = [
        (
            f"Score {explanation['score']:.2f} (threshold {explanation['threshold']:.2f}); "
            f"name {explanation['name_score']:.2f}: '{explanation['query_name']}' against '{explanation['matched_name']}'."
        )
    ]
    for note in explanation.get("name_notes", []):
        lines.append(f"Note: {note}.")
    for p in explanation["name_parts"]:
        how = "; ".join(p["how"])
        lines.append(f"'{p['query']}' matched '{p['entry']}' at {p['similarity']:.2f} ({how}).")
    if explanation["unmatched_query_parts"]:
        lines.append("Not found in the entry: " + ", ".join(explanation["unmatched_query_parts"]) + ".")
    if explanation["unmatched_entry_parts"]:
        lines.append("Entry parts not in the query: " + ", ".join(explanation["unmatched_entry_parts"]) + ".")
    for ev in explanation["evidence"]:
        if ev["delta"] == 0 and ev["finding"].startswith("not available"):
            continue
        sign = "+" if ev["delta"] >= 0 else ""
        lines.append(f"{ev['field'].replace('_', ' ').capitalize()}: {ev['finding']} ({sign}{ev['delta']:.2f}).")
    return lines
