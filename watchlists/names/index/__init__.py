"""Candidate retrieval over a large list of persons, updated in place.

Layout (everything numeric lives in numpy arrays):

* a vocabulary of distinct part *readings* (:class:`~.parsing.Form`), each
  with a coarse consonant key (:func:`~.phonetic.retrieval_key`);
* a symmetric-deletion table on those keys, so a query key finds every
  vocabulary key within one edit (``MHMD`` finds ``HMD``, ``MHMT``);
* postings: for every reading, the *rows* (one row per name of an entry)
  that contain it, as a compressed array built in bulk plus a small
  per-reading list for rows added since (merged by :meth:`compact`);
* per row: its entry slot and number of parts; per entry slot: the external
  id, an ``active`` flag, birth year/month/day, gender and up to two
  nationality codes.

A query is parsed like an entry. For each query part the similar readings
are found through the key table and scored exactly
(:func:`~.score.part_similarity`); the scores are spread over their postings
into a dense per-row buffer (one float per row, reused) and summed over the
query parts. Two adjacent query parts read as one also count, so
``Gholam Reza`` finds ``غلامرضا``; the opposite direction, one query part
against two entry parts, is only seen by the exact scorer. The sums become an
approximate name score per row, adjusted by the date of birth, gender and
nationality evidence, all vectorised. The best rows are then scored exactly by
:func:`~.score.score_person`, which also writes the explanation.

The postings of a reading are grouped by the number of parts of their row, so
that the commonest query parts (Mohammed, Ali and their spellings: tens of
thousands of rows each in a national list) are looked up only for the rows the
rarer parts reached, for every row length at which the common parts alone
could not pass (:func:`.retrieval.plan`, MaxScore on part classes); the
candidates are those of the full computation.

Adding an entry makes it searchable at once (its rows go into the delta
lists); removing it clears its ``active`` flag. Nothing here imports Django:
the screening service feeds it from the database (see ``watchlists.search``).

The package, along its seams: :mod:`.storage` (growable arrays, the postings,
the per-entry table and its evidence), :mod:`.vocabulary` (readings, keys,
the similar-readings cache), :mod:`.retrieval` (candidates, MaxScore
planning), :mod:`.rescoring` (exact scoring of the shortlist);
:class:`PersonIndex` here ties them together under one lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

import numpy as np

from .. import phonetic
from ..parsing import parse_name
from ..score import DEFAULT_THRESHOLD, Person, Result, parse_dob
from .rescoring import rescore
from .retrieval import NEAR_MARGIN, PRUNE_SLACK, Candidate, Retrieval
from .storage import PART_CLASSES, EntryTable, Postings
from .vocabulary import MIN_PART_SIMILARITY, Vocabulary


class PersonIndex:
    """In-memory screening index (see module docstring)."""

    PART_CLASSES = PART_CLASSES
    """Postings are grouped by the number of parts of their row: 1, 2, ... PART_CLASSES or more."""

    PRUNE_MIN_POSTINGS = 20_000
    """Queries reaching fewer postings than this are not worth planning a pruned search for."""

    FORM_CACHE_SIZE = Vocabulary.FORM_CACHE_SIZE
    """Readings whose similar-vocabulary lists are kept (about 1 KB each)."""

    def __init__(self, name_lookup: Callable[[list], dict] | None = None, prune: bool = True):
        """``name_lookup(entry_ids) -> {entry_id: Person}`` fetches the
        shortlisted entries for exact scoring (from the database, say);
        without it the index keeps each entry's Person itself. ``prune=False`` scatters every
        posting of every query part (the reference the pruned search is tested against)."""
        self.prune = prune
        self._lock = threading.RLock()
        self._vocabulary = Vocabulary()
        self._postings = Postings(self.PART_CLASSES)
        self._entries = EntryTable(keep_persons=name_lookup is None)
        self._retrieval = Retrieval(self._vocabulary, self._postings, self._entries)
        self._lookup = name_lookup

    # ------------------------------------------------------------------
    # the parts, under the names the tests and tools read

    @property
    def pruned_searches(self) -> int:
        """Name searches that pruned some postings (see retrieval.plan)."""
        return self._retrieval.pruned_searches

    @property
    def _forms(self):
        return self._vocabulary.forms

    @property
    def _key_vids(self):
        return self._vocabulary.key_vids

    @property
    def _slot_ids(self):
        return self._entries.slot_ids

    def _similar_keys(self, key: str) -> set[str]:
        return self._vocabulary.similar_keys(key)

    def _similar_vids(self, part) -> list[tuple[int, float]]:
        return self._vocabulary.similar_vids(part)

    # ------------------------------------------------------------------
    # updates

    def _new_rows(self, person: Person) -> list[tuple[int, int]]:
        """Give ``person`` a slot and one row per parsable name; returns the (reading, row) pairs
        to post (the caller holds the lock and decides where the postings go)."""
        slot = self._entries.new_slot(person)
        pairs = []
        for name in person.names:
            parsed = parse_name(name)
            if not parsed.parts:
                continue
            row = self._postings.new_row(slot, len(parsed.parts))
            pairs.extend((vid, row) for vid in self._vocabulary.row_vids(parsed.parts))
        return pairs

    def add(self, person: Person) -> None:
        """Add (or replace) one entry; searchable when this returns."""
        with self._lock:
            if person.entry_id in self._entries:
                self.remove(person.entry_id)
            for vid, row in self._new_rows(person):
                self._postings.add_delta(vid, row)

    def remove(self, entry_id) -> bool:
        """Deactivate an entry; False if it was not indexed."""
        with self._lock:
            return self._entries.remove(entry_id)

    def bulk_load(self, persons: Iterable[Person]) -> None:
        """Add many entries, then compact the postings once."""
        pairs_vid: list[int] = []
        pairs_row: list[int] = []
        with self._lock:
            for person in persons:
                if person.entry_id in self._entries:
                    self.remove(person.entry_id)
                for vid, row in self._new_rows(person):
                    pairs_vid.append(vid)
                    pairs_row.append(row)
            self._postings.merge(
                np.asarray(pairs_vid, dtype=np.int64),
                np.asarray(pairs_row, dtype=np.int32),
                len(self._vocabulary),
            )
        parse_name.cache_clear()
        self.warm()

    def compact(self) -> None:
        """Merge the delta lists into the compressed postings."""
        with self._lock:
            self._postings.compact(len(self._vocabulary))

    # ------------------------------------------------------------------
    # queries

    def warm(self, max_readings: int = 20_000) -> int:
        """Compute the similar-reading lists of the most frequent vocabulary readings now (at
        build time) rather than at their first query; returns how many were computed."""
        with self._lock:
            counts = self._postings.reading_counts()
            order = np.argsort(-counts, kind="stable")[: min(max_readings, self._vocabulary.FORM_CACHE_SIZE)]
            forms = self._vocabulary.forms
            for vid in order.tolist():
                self._vocabulary.form_similar(forms[vid])
            return len(order)

    def candidates(self, query: Person, threshold: float = DEFAULT_THRESHOLD, limit: int = 50) -> list[Candidate]:
        """Rows whose approximate score may reach ``threshold``, best first,
        one per entry, at most ``limit``."""
        with self._lock:
            return self._retrieval.candidates(query, threshold, limit,
                                              self.PRUNE_MIN_POSTINGS if self.prune else None)

    def persons(self, entry_ids: list) -> dict:
        """``{entry_id: Person}`` for the shortlisted entries still present."""
        kept = self._entries.persons
        if kept is not None:
            return {i: kept[i] for i in entry_ids if i in kept}
        return self._lookup(entry_ids)

    def search(
        self,
        query: Person,
        threshold: float = DEFAULT_THRESHOLD,
        limit: int = 20,
        shortlist: int = 30,
    ) -> list[Result]:
        """Exactly scored hits at or above ``threshold``, best first."""
        candidates = self.candidates(query, threshold, shortlist)
        persons = self.persons([c.entry_id for c in candidates]) if candidates else {}
        return rescore(query, candidates, persons, threshold, limit)

    # ------------------------------------------------------------------
    # introspection

    def __len__(self) -> int:
        return len(self._entries)

    def memory_bytes(self) -> dict[str, int]:
        """Bytes held by the numpy arrays (Python dicts are estimated apart)."""
        return {
            "postings": self._postings.nbytes(),
            "rows": self._postings.rows_nbytes(),
            "entries": self._entries.nbytes(),
            "buffers": self._retrieval.nbytes(),
        }

    def stats(self) -> dict[str, int]:
        return {
            "entries": len(self),
            "rows": self._postings.n_rows,
            "vocabulary": len(self._vocabulary),
            "keys": len(self._vocabulary.key_vids),
            "postings": len(self._postings),
            "delta_postings": self._postings.delta_count,
            "pruned_searches": self.pruned_searches,
        }


def phonetic_key(name: str) -> list[str]:
    """The retrieval keys of a name's parts (for display and debugging)."""
    return [f.key for p in parse_name(name).parts for f in p.forms[:1]]


__all__ = [
    "MIN_PART_SIMILARITY",
    "NEAR_MARGIN",
    "PRUNE_SLACK",
    "Candidate",
    "PersonIndex",
    "parse_dob",
    "phonetic",
    "phonetic_key",
]
