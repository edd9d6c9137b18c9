"""Exact rescoring of the shortlisted candidates (:func:`~..score.score_person`, which also
writes the explanation). Pure Python."""

from __future__ import annotations

from ..score import Person, Result, prime_scoring, score_person
from .retrieval import Candidate


def rescore(query: Person, candidates: list[Candidate], persons: dict, threshold: float, limit: int) -> list[Result]:
    """Exactly scored hits at or above ``threshold``, best first, at most ``limit``; ``persons``
    maps the candidates' entry ids to their Person (a candidate missing from it was removed since
    the candidates were drawn)."""
    results = []
    if persons:
        prime_scoring(query, list(persons.values()))
    for cand in candidates:
        person = persons.get(cand.entry_id)
        if person is None:
            continue  # removed since the candidates were drawn
        res = score_person(query, person, threshold)
        if res.score >= threshold:
            res.explanation["entry_id"] = cand.entry_id
            results.append((res, cand.entry_id))
    results.sort(key=lambda r: -r[0].score)
    return [r for r, _ in results[:limit]]
