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
could not pass (:meth:`PersonIndex._plan`, MaxScore on part classes); the
candidates are those of the full computation.

Adding an entry makes it searchable at once (its rows go into the delta
lists); removing it clears its ``active`` flag. Nothing here imports Django:
the screening service feeds it from the database (see ``watchlists.search``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from . import phonetic
from .parsing import Form, NamePart, parse_name
from .score import (
    DEFAULT_THRESHOLD,
    EVIDENCE,
    KNEE,
    SHORT_SIDE_WEIGHT,
    Person,
    Result,
    joined_part,
    parse_dob,
    part_similarity,
    prime_scoring,
    score_person,
)

MIN_PART_SIMILARITY = 0.6
"""Readings less similar than this to a query part do not count for it."""

NEAR_MARGIN = 0.12
"""Rows whose approximate name score is this far below the threshold are out (evidence adds at
most 0.07 and the shortlist keeps rows within 0.08 of the threshold)."""

PRUNE_SLACK = 1e-4
"""Float32 rounding margin: a row is pruned only if its bound is this far below NEAR_MARGIN."""

SCATTER_COST, LOOKUP_COST, SEARCH_FACTOR = 5, 1, 8
"""Relative cost of a fully accumulated posting (scatter, gather, reset, add) and of a pruned
one (one lookup); a pruned class is binary-searched when the candidates are this many times
fewer than its postings."""


class _Growable:
    """A numpy array that grows by doubling."""

    def __init__(self, dtype, capacity: int = 1024, fill=0):
        self.dtype = dtype
        self.fill = fill
        self.data = np.full(capacity, fill, dtype=dtype)
        self.size = 0

    def reserve(self, n: int) -> None:
        if n > len(self.data):
            cap = max(n, 2 * len(self.data))
            new = np.full(cap, self.fill, dtype=self.dtype)
            new[: self.size] = self.data[: self.size]
            self.data = new

    def append(self, value) -> int:
        self.reserve(self.size + 1)
        self.data[self.size] = value
        self.size += 1
        return self.size - 1

    def extend(self, values) -> None:
        values = np.asarray(values, dtype=self.dtype)
        self.reserve(self.size + len(values))
        self.data[self.size : self.size + len(values)] = values
        self.size += len(values)

    @property
    def view(self) -> np.ndarray:
        return self.data[: self.size]

    def nbytes(self) -> int:
        return self.data.nbytes


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


@dataclass
class Candidate:
    entry_id: object
    approx: float


class PersonIndex:
    """In-memory screening index (see module docstring)."""

    PART_CLASSES = 6
    """Postings are grouped by the number of parts of their row: 1, 2, ... PART_CLASSES or more."""

    PRUNE_MIN_POSTINGS = 20_000
    """Queries reaching fewer postings than this are not worth planning a pruned search for."""

    def __init__(self, name_lookup: Callable[[list], dict] | None = None, prune: bool = True):
        """``name_lookup(entry_ids) -> {entry_id: Person}`` fetches the
        shortlisted entries for exact scoring (from the database, say);
        without it the index keeps each entry's Person itself. ``prune=False`` scatters every
        posting of every query part (the reference the pruned search is tested against)."""
        self.prune = prune
        self.pruned_searches = 0  # name searches that pruned some postings (see _plan)
        self._lock = threading.RLock()
        self._vocab: dict[tuple, int] = {}
        self._forms: list[Form] = []
        self._key_vids: dict[str, list[int]] = {}
        self._del_keys: dict[str, set[str]] = {}
        self._post_ptr = np.zeros(1, dtype=np.int64)
        self._post_rows = np.zeros(0, dtype=np.int32)
        self._delta: dict[int, list[int]] = {}
        self._delta_count = 0
        self._row_slot = _Growable(np.int32)
        self._row_nparts = _Growable(np.int8)
        self._slot_ids: list[object] = []
        self._slot_of: dict[object, int] = {}
        self._active = _Growable(np.bool_)
        self._year = _Growable(np.int16)
        self._month = _Growable(np.int8)
        self._day = _Growable(np.int8)
        self._gender = _Growable(np.int8)
        self._nat1 = _Growable(np.int16, fill=-1)
        self._nat2 = _Growable(np.int16, fill=-1)
        self._nat_codes: dict[str, int] = {}
        self._persons: dict[object, Person] | None = {} if name_lookup is None else None
        self._lookup = name_lookup
        self._buf = np.zeros(0, dtype=np.float32)
        self._acc = np.zeros(0, dtype=np.float32)
        # Similar vocabulary readings per query reading (penalty-free), kept up to date as the
        # vocabulary grows (see _similar_vids); _cache_near maps each key and one-deletion variant
        # of a cached reading's key to the cached readings, to find those a new reading concerns.
        self._form_sims: OrderedDict[Form, list[tuple[int, float]]] = OrderedDict()
        self._cache_near: dict[str, set[Form]] = {}

    # ------------------------------------------------------------------
    # vocabulary

    def _vid(self, form: Form) -> int:
        k = (form.units, form.unvocalised, form.latin)
        vid = self._vocab.get(k)
        if vid is None:
            vid = len(self._forms)
            self._vocab[k] = vid
            stored = Form(form.latin, form.units, form.unvocalised, form.key, 0.0)
            self._forms.append(stored)
            if self._form_sims:
                self._cache_add_reading(vid, stored)
            if form.key not in self._key_vids:
                self._key_vids[form.key] = []
                self._del_keys.setdefault(form.key, set()).add(form.key)
                for d in _deletions(form.key):
                    self._del_keys.setdefault(d, set()).add(form.key)
            self._key_vids[form.key].append(vid)
        return vid

    def _similar_keys(self, key: str) -> set[str]:
        keys = set(self._del_keys.get(key, ()))
        for d in _deletions(key):
            keys |= self._del_keys.get(d, set())
        return keys

    def _row_vids(self, parts: tuple[NamePart, ...]) -> list[int]:
        return sorted({self._vid(f) for p in parts for f in p.forms})

    def _nat_id(self, code: str) -> int:
        code = code.strip().upper()
        if code not in self._nat_codes:
            self._nat_codes[code] = len(self._nat_codes)
        return self._nat_codes[code]

    # ------------------------------------------------------------------
    # updates

    def _new_slot(self, person: Person) -> int:
        slot = len(self._slot_ids)
        self._slot_ids.append(person.entry_id)
        self._slot_of[person.entry_id] = slot
        dob = person.dob()
        self._active.append(True)
        self._year.append(dob.year if dob else 0)
        self._month.append(dob.month or 0 if dob else 0)
        self._day.append(dob.day or 0 if dob and not dob.year_only else 0)
        g = (person.gender or "").strip().upper()[:1]
        self._gender.append(1 if g == "M" else 2 if g == "F" else 0)
        nats = [c for c in person.nationalities if c][:2]
        self._nat1.append(self._nat_id(nats[0]) if nats else -1)
        self._nat2.append(self._nat_id(nats[1]) if len(nats) > 1 else -1)
        if self._persons is not None:
            self._persons[person.entry_id] = person
        return slot

    def _new_rows(self, person: Person) -> list[tuple[int, int]]:
        """Give ``person`` a slot and one row per parsable name; returns the (reading, row) pairs
        to post (the caller holds the lock and decides where the postings go)."""
        slot = self._new_slot(person)
        pairs = []
        for name in person.names:
            parsed = parse_name(name)
            if not parsed.parts:
                continue
            row = self._row_slot.append(slot)
            self._row_nparts.append(min(len(parsed.parts), 127))
            pairs.extend((vid, row) for vid in self._row_vids(parsed.parts))
        return pairs

    def add(self, person: Person) -> None:
        """Add (or replace) one entry; searchable when this returns."""
        with self._lock:
            if person.entry_id in self._slot_of:
                self.remove(person.entry_id)
            for vid, row in self._new_rows(person):
                self._delta.setdefault(vid, []).append(row)
                self._delta_count += 1

    def remove(self, entry_id) -> bool:
        """Deactivate an entry; False if it was not indexed."""
        with self._lock:
            slot = self._slot_of.pop(entry_id, None)
            if slot is None:
                return False
            self._active.data[slot] = False
            if self._persons is not None:
                self._persons.pop(entry_id, None)
            return True

    def bulk_load(self, persons: Iterable[Person]) -> None:
        """Add many entries, then compact the postings once."""
        pairs_vid: list[int] = []
        pairs_row: list[int] = []
        with self._lock:
            for person in persons:
                if person.entry_id in self._slot_of:
                    self.remove(person.entry_id)
                for vid, row in self._new_rows(person):
                    pairs_vid.append(vid)
                    pairs_row.append(row)
            self._merge(
                np.asarray(pairs_vid, dtype=np.int64),
                np.asarray(pairs_row, dtype=np.int32),
            )
        parse_name.cache_clear()
        self.warm()

    def compact(self) -> None:
        """Merge the delta lists into the compressed postings."""
        with self._lock:
            if not self._delta_count:
                return
            vids = np.fromiter(
                (v for v, rows in self._delta.items() for _ in rows),
                dtype=np.int64,
                count=self._delta_count,
            )
            rows = np.fromiter(
                (r for rs in self._delta.values() for r in rs),
                dtype=np.int32,
                count=self._delta_count,
            )
            self._delta = {}
            self._delta_count = 0
            self._merge(vids, rows)

    def _merge(self, new_vids: np.ndarray, new_rows: np.ndarray) -> None:
        """Rebuild the compressed postings: sorted by reading, then by the row's part class
        (see PART_CLASSES), then by row; ``_post_ptr[vid * PART_CLASSES + c]`` is where class
        ``c + 1`` of reading ``vid`` starts."""
        nc = self.PART_CLASSES
        nv = len(self._forms)
        old_counts = np.diff(self._post_ptr).reshape(-1, nc).sum(axis=1)
        old_vids = np.repeat(np.arange(len(old_counts), dtype=np.int64), old_counts)
        vids = np.concatenate([old_vids, new_vids])
        rows = np.concatenate([self._post_rows, new_rows])
        classes = np.clip(self._row_nparts.data[rows], 1, nc).astype(np.int64) - 1
        order = np.lexsort((rows, classes, vids))
        cells = vids[order] * nc + classes[order]
        self._post_rows = rows[order].astype(np.int32)
        counts = np.bincount(cells, minlength=nv * nc)
        self._post_ptr = np.zeros(nv * nc + 1, dtype=np.int64)
        np.cumsum(counts, out=self._post_ptr[1:])

    # ------------------------------------------------------------------
    # queries

    FORM_CACHE_SIZE = 100_000
    """Readings whose similar-vocabulary lists are kept (about 1 KB each)."""

    @staticmethod
    def _bare(form: Form) -> Form:
        return form if form.penalty == 0.0 else Form(form.latin, form.units, form.unvocalised, form.key, 0.0)

    def _form_similar(self, bare: Form) -> list[tuple[int, float]]:
        """Vocabulary readings at least MIN_PART_SIMILARITY similar to one reading (without
        penalty), computed once per reading and then kept up to date as readings are added."""
        cached = self._form_sims.get(bare)
        if cached is not None:
            self._form_sims.move_to_end(bare)
            return cached
        probe = NamePart("", (bare,))
        vids = [vid for k in self._similar_keys(bare.key) for vid in self._key_vids.get(k, ())]
        # the alignments in one vectorised batch (a new reading, say two query parts read as one)
        phonetic.prime((bare.units, f.units, bare.unvocalised, f.unvocalised) for f in map(self._forms.__getitem__, vids))
        out = []
        for vid in vids:
            sim, _ = part_similarity(probe, NamePart("", (self._forms[vid],)))
            if sim >= MIN_PART_SIMILARITY:
                out.append((vid, sim))
        self._form_sims[bare] = out
        for x in _deletions(bare.key) | {bare.key}:
            self._cache_near.setdefault(x, set()).add(bare)
        if len(self._form_sims) > self.FORM_CACHE_SIZE:
            old, _ = self._form_sims.popitem(last=False)
            for x in _deletions(old.key) | {old.key}:
                near = self._cache_near.get(x)
                if near is not None:
                    near.discard(old)
                    if not near:
                        del self._cache_near[x]
        return out

    def _cache_add_reading(self, vid: int, form: Form) -> None:
        """A new vocabulary reading: add it to the cached lists of the readings it is similar to
        (the same key-neighbourhood test as _similar_keys, which is symmetric)."""
        concerned: set[Form] = set()
        for x in _deletions(form.key) | {form.key}:
            concerned |= self._cache_near.get(x, set())
        probe = NamePart("", (form,))
        for bare in concerned:
            sim, _ = part_similarity(NamePart("", (bare,)), probe)
            if sim >= MIN_PART_SIMILARITY:
                self._form_sims[bare].append((vid, sim))

    def warm(self, max_readings: int = 20_000) -> int:
        """Compute the similar-reading lists of the most frequent vocabulary readings now (at
        build time) rather than at their first query; returns how many were computed."""
        with self._lock:
            counts = np.diff(self._post_ptr).reshape(-1, self.PART_CLASSES).sum(axis=1)
            order = np.argsort(-counts, kind="stable")[: min(max_readings, self.FORM_CACHE_SIZE)]
            for vid in order.tolist():
                self._form_similar(self._forms[vid])
            return len(order)

    def _similar_vids(self, part: NamePart) -> list[tuple[int, float]]:
        """Vocabulary readings similar to ``part`` (best over its readings, each reading's penalty
        subtracted), with their similarity."""
        if len(part.forms) == 1 and part.forms[0].penalty == 0.0:
            return self._form_similar(part.forms[0])
        best: dict[int, float] = {}
        for f in part.forms:
            for vid, sim in self._form_similar(self._bare(f)):
                sim -= f.penalty
                if sim >= MIN_PART_SIMILARITY and sim > best.get(vid, 0.0):
                    best[vid] = sim
        return list(best.items())

    def candidates(self, query: Person, threshold: float = DEFAULT_THRESHOLD, limit: int = 50) -> list[Candidate]:
        """Rows whose approximate score may reach ``threshold``, best first,
        one per entry, at most ``limit``."""
        with self._lock:
            n_rows = self._row_slot.size
            if n_rows == 0:
                return []
            if len(self._buf) < n_rows:
                self._buf = np.zeros(max(n_rows, 2 * len(self._buf)), dtype=np.float32)
                self._acc = np.zeros(len(self._buf), dtype=np.float32)
            best_rows: dict[int, float] = {}
            for qname in query.names:
                parsed = parse_name(qname)
                if not parsed.parts:
                    continue
                self._score_rows(parsed.parts, query, threshold, best_rows)
            if not best_rows:
                return []
            # one candidate per entry
            per_entry: dict[int, float] = {}
            slots = self._row_slot.data
            for row, approx in best_rows.items():
                slot = int(slots[row])
                if approx > per_entry.get(slot, -1.0):
                    per_entry[slot] = approx
            ranked = sorted(per_entry.items(), key=lambda kv: -kv[1])[:limit]
            return [Candidate(self._slot_ids[slot], approx) for slot, approx in ranked]

    def _score_rows(
        self,
        parts: tuple[NamePart, ...],
        query: Person,
        threshold: float,
        best_rows: dict[int, float],
    ) -> None:
        n_rows = self._row_slot.size
        acc = self._acc[:n_rows]
        acc.fill(0.0)
        part_sims = [self._similar_vids(p) for p in parts]
        # A pair of adjacent query parts read as one counts for both parts.
        if len(parts) <= 6:
            for i in range(len(parts) - 1):
                joined = self._similar_vids(joined_part(parts[i], parts[i + 1]))
                part_sims[i] = part_sims[i] + joined
                part_sims[i + 1] = part_sims[i + 1] + joined
        # Weakest readings first, so that a plain assignment leaves in buf the best similarity
        # of each row for a part (a gather + maximum + scatter per posting costs twice as much).
        weighted = [
            sorted((k, vid) for k, vid in ((s if s >= KNEE else 2 * s - KNEE, vid) for vid, s in sims) if k > 0)
            for sims in part_sims
        ]
        nq = len(parts)
        common, prune_from = self._plan(weighted, nq, threshold) if self.prune else ((), self.PART_CLASSES)
        reached = [self._accumulate(part, self.PART_CLASSES) for i, part in enumerate(weighted) if i not in common]
        reached = [r for r in reached if r is not None]
        candidates = None
        if common:
            self.pruned_searches += 1
            n_reached = sum(len(r) for r in reached)
            if n_reached * SEARCH_FACTOR < self._largest_pruned(weighted, common, prune_from):
                # few rows reached: binary-search them in the pruned postings (else one lookup per posting)
                candidates = np.unique(np.concatenate(reached)) if reached else np.zeros(0, dtype=np.int32)
        for i in common:
            r = self._accumulate(weighted[i], prune_from, candidates)
            if r is not None:
                reached.append(r)
        if not reached:
            return
        # acc >= 0: a comparison then nonzero is ~4x faster than flatnonzero on floats
        rows = np.flatnonzero(acc > 0)
        total = acc[rows]
        acc[rows] = 0.0
        name = self._approx_name(total, self._row_nparts.data[rows], nq)
        # Evidence adds at most a few hundredths: rows far below the threshold by name are out.
        near = name >= threshold - NEAR_MARGIN
        rows, name = rows[near], name[near]
        slots = self._row_slot.data[rows]
        active = self._active.data[slots]
        approx = name + self._evidence(query, slots)
        keep = active & (approx >= threshold - 0.08)
        rows = rows[keep]
        approx = approx[keep]
        if len(rows) > 2000:
            top = np.argpartition(-approx, 2000)[:2000]
            rows, approx = rows[top], approx[top]
        for r, a in zip(rows.tolist(), approx.tolist(), strict=True):
            if a > best_rows.get(r, -1.0):
                best_rows[r] = a

    @staticmethod
    def _approx_name(total: np.ndarray, nparts: np.ndarray, nq: int) -> np.ndarray:
        """The approximate name score of rows from their summed part similarities (``total``,
        float32) and their numbers of parts: the exact scorer's coverage formula without the
        one-to-one pairing. For a given total it falls as the row's number of parts grows."""
        nr = np.maximum(nparts.astype(np.float32), 1)
        cov_small = np.minimum(total / np.minimum(nr, nq), 1.0)
        cov_large = np.minimum(total / np.maximum(nr, nq), 1.0)
        return SHORT_SIDE_WEIGHT * cov_small + (1 - SHORT_SIDE_WEIGHT) * cov_large

    def _plan(self, weighted: list[list[tuple[float, int]]], nq: int, threshold: float) -> tuple[tuple[int, ...], int]:
        """Which query parts are *common* and from which part class their postings can be pruned.

        A row that no other query part reaches sums at most the best similarities of the common
        parts; if that cannot give an approximate name score of ``threshold - NEAR_MARGIN`` for
        rows of class ``c`` and above (the score falls as rows get longer), those rows would fail
        the ``near`` test whatever their exact total, so the common parts' postings of those
        classes are only looked up for rows the other parts reached (MaxScore, Turtle and Flood
        1995, on part classes). The set of common parts is chosen, most frequent first, for the
        fewest posting operations; the candidates are the same as without pruning (tested)."""
        nc = self.PART_CLASSES
        merged = self._merged_readings()
        sizes = np.zeros((nq, nc), dtype=np.int64)
        for i, part in enumerate(weighted):
            vids = np.fromiter((v for _, v in part if v < merged), dtype=np.int64)
            if len(vids):
                sizes[i] = np.diff(self._post_ptr[vids[:, None] * nc + np.arange(nc + 1)], axis=1).sum(axis=0)
        totals = sizes.sum(axis=1)
        best_cost, best = SCATTER_COST * int(totals.sum()), ((), nc)
        if totals.sum() < self.PRUNE_MIN_POSTINGS:
            return best
        floor = np.float32(threshold - NEAR_MARGIN - PRUNE_SLACK)
        classes = np.arange(1, nc + 1)
        common: list[int] = []
        bound = 0.0
        for i in sorted(range(nq), key=lambda j: -totals[j]):
            common.append(i)
            bound += weighted[i][-1][0] if weighted[i] else 0.0
            below = self._approx_name(np.full(nc, bound, dtype=np.float32), classes, nq) < floor
            if not below[-1]:
                break  # a longer common set only raises the bound
            prune_from = nc - int(np.argmin(below[::-1])) if not below.all() else 0
            cost = sum(
                SCATTER_COST * int(sizes[j].sum()) if j not in common
                else SCATTER_COST * int(sizes[j, :prune_from].sum()) + LOOKUP_COST * int(sizes[j, prune_from:].sum())
                for j in range(nq)
            )
            if cost < best_cost:
                best_cost, best = cost, (tuple(common), prune_from)
        return best

    def _merged_readings(self) -> int:
        """How many readings the compressed postings cover (readings added since live in the delta)."""
        return (len(self._post_ptr) - 1) // self.PART_CLASSES

    def _largest_pruned(self, weighted: list[list[tuple[float, int]]], common: tuple[int, ...], prune_from: int) -> int:
        """The longest pruned posting range of one reading of the common parts."""
        nc = self.PART_CLASSES
        ptr = self._post_ptr
        merged = self._merged_readings()
        return max(
            (int(ptr[vid * nc + nc] - ptr[vid * nc + prune_from]) for i in common for _, vid in weighted[i] if vid < merged),
            default=0,
        )

    def _accumulate(
        self, part: list[tuple[float, int]], prune_from: int, candidates: np.ndarray | None = None
    ) -> np.ndarray | None:
        """Add one query part's best similarity per row to ``_acc``. Postings of part classes
        from ``prune_from`` on count only for ``candidates`` (sorted rows), or when not given,
        for rows ``_acc`` already holds. Returns the rows reached (a row may appear twice), or
        None."""
        n_rows = self._row_slot.size
        acc = self._acc[:n_rows]
        buf = self._buf[:n_rows]
        nc = self.PART_CLASSES
        ptr, post = self._post_ptr, self._post_rows
        merged = self._merged_readings()
        rows_k = []
        for k, vid in part:
            kk = np.float32(k)
            if vid < merged:
                lo, mid, hi = ptr[vid * nc], ptr[vid * nc + prune_from], ptr[vid * nc + nc]
                if mid > lo:
                    seg = post[lo:mid]
                    buf[seg] = kk
                    rows_k.append(seg)
                if hi > mid:
                    if candidates is not None and len(candidates) * SEARCH_FACTOR < hi - mid:
                        for c in range(prune_from, nc):
                            seg = post[ptr[vid * nc + c] : ptr[vid * nc + c + 1]]  # sorted within a class
                            if len(seg):
                                pos = np.searchsorted(seg, candidates)
                                pos[pos == len(seg)] = 0
                                sel = candidates[seg[pos] == candidates]
                                buf[sel] = kk
                                rows_k.append(sel)
                    else:
                        seg = post[mid:hi]
                        sel = seg[acc[seg] > 0]
                        buf[sel] = kk
                        rows_k.append(sel)
            extra = self._delta.get(vid)
            if extra:
                seg = np.asarray(extra, dtype=np.int32)
                buf[seg] = kk
                rows_k.append(seg)
        if not rows_k:
            return None
        allrows = np.concatenate(rows_k) if len(rows_k) > 1 else rows_k[0]
        if not len(allrows):
            return None
        # A row in two postings of this part appears twice in allrows; fancy-index += adds
        # once per distinct index, so it counts once, with its best similarity.
        vals = buf[allrows]
        buf[allrows] = 0.0
        acc[allrows] += vals
        return allrows

    def _evidence(self, query: Person, slots: np.ndarray) -> np.ndarray:
        """Vectorised date-of-birth, gender and nationality evidence."""
        ev = np.zeros(len(slots), dtype=np.float32)
        try:
            dob = query.dob()
        except ValueError:
            dob = None
        if dob is not None:
            years = self._year.data[slots].astype(np.int32)
            known = years > 0
            diff = np.abs(years - dob.year)
            ev += np.where(known & (diff == 0), EVIDENCE["dob_same_year"], 0.0).astype(np.float32)
            ev += np.where(known & (diff == 1), EVIDENCE["dob_year_off_by_one"], 0.0).astype(np.float32)
            ev += np.where(known & (diff >= 2) & (diff <= 3), EVIDENCE["dob_year_off_2_3"], 0.0).astype(np.float32)
            ev += np.where(known & (diff >= 4) & (diff <= 9), EVIDENCE["dob_year_off_4_9"], 0.0).astype(np.float32)
            ev += np.where(known & (diff >= 10), EVIDENCE["dob_year_off_10_plus"], 0.0).astype(np.float32)
            if dob.full:
                months = self._month.data[slots]
                days = self._day.data[slots]
                exact = known & (diff == 0) & (months == dob.month) & (days == dob.day)
                swapped = known & (diff == 0) & (months == dob.day) & (days == dob.month) & ~exact
                ev += np.where(exact, EVIDENCE["dob_exact"] - EVIDENCE["dob_same_year"], 0.0).astype(np.float32)
                ev += np.where(swapped, EVIDENCE["dob_swapped"] - EVIDENCE["dob_same_year"], 0.0).astype(np.float32)
        g = (query.gender or "").strip().upper()[:1]
        if g in ("M", "F"):
            gv = 1 if g == "M" else 2
            gs = self._gender.data[slots]
            ev += np.where((gs > 0) & (gs != gv), EVIDENCE["gender_differs"], 0.0).astype(np.float32)
        qn = [self._nat_codes.get(c.strip().upper(), -2) for c in query.nationalities if c]
        if qn:
            n1 = self._nat1.data[slots]
            n2 = self._nat2.data[slots]
            shared = np.isin(n1, qn) | np.isin(n2, qn)
            known = n1 >= 0
            ev += np.where(known & shared, EVIDENCE["nationality_shared"], 0.0).astype(np.float32)
            ev += np.where(known & ~shared, EVIDENCE["nationality_differs"], 0.0).astype(np.float32)
        return ev

    def persons(self, entry_ids: list) -> dict:
        """``{entry_id: Person}`` for the shortlisted entries still present."""
        if self._persons is not None:
            return {i: self._persons[i] for i in entry_ids if i in self._persons}
        return self._lookup(entry_ids)

    def search(
        self,
        query: Person,
        threshold: float = DEFAULT_THRESHOLD,
        limit: int = 20,
        shortlist: int = 30,
    ) -> list[Result]:
        """Exactly scored hits at or above ``threshold``, best first."""
        results = []
        candidates = self.candidates(query, threshold, shortlist)
        persons = self.persons([c.entry_id for c in candidates]) if candidates else {}
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

    # ------------------------------------------------------------------
    # introspection

    def __len__(self) -> int:
        return len(self._slot_of)

    def memory_bytes(self) -> dict[str, int]:
        """Bytes held by the numpy arrays (Python dicts are estimated apart)."""
        arrays = {
            "postings": self._post_rows.nbytes + self._post_ptr.nbytes,
            "rows": self._row_slot.nbytes() + self._row_nparts.nbytes(),
            "entries": sum(
                g.nbytes()
                for g in (
                    self._active,
                    self._year,
                    self._month,
                    self._day,
                    self._gender,
                    self._nat1,
                    self._nat2,
                )
            ),
            "buffers": self._buf.nbytes + self._acc.nbytes,
        }
        return arrays

    def stats(self) -> dict[str, int]:
        return {
            "entries": len(self),
            "rows": self._row_slot.size,
            "vocabulary": len(self._forms),
            "keys": len(self._key_vids),
            "postings": len(self._post_rows) + self._delta_count,
            "delta_postings": self._delta_count,
            "pruned_searches": self.pruned_searches,
        }


def phonetic_key(name: str) -> list[str]:
    """The retrieval keys of a name's parts (for display and debugging)."""
    return [f.key for p in parse_name(name).parts for f in p.forms[:1]]


__all__ = [
    "MIN_PART_SIMILARITY",
    "Candidate",
    "PersonIndex",
    "parse_dob",
    "phonetic",
    "phonetic_key",
]
