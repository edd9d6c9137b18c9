"""Candidate retrieval of the screening index: spread each query part's similar readings over
their postings into a dense per-row buffer, sum over the query parts, turn the sums into an
approximate name score per row adjusted by the entry's evidence, all vectorised; with MaxScore
pruning of the commonest parts (:func:`plan`). Pure Python and numpy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..parsing import NamePart, parse_name
from ..score import KNEE, SHORT_SIDE_WEIGHT, Person, joined_part
from .storage import EntryTable, Postings
from .vocabulary import Vocabulary

NEAR_MARGIN = 0.12
"""Rows whose approximate name score is this far below the threshold are out (evidence adds at
most 0.07 and the shortlist keeps rows within 0.08 of the threshold)."""

PRUNE_SLACK = 1e-4
"""Float32 rounding margin: a row is pruned only if its bound is this far below NEAR_MARGIN."""

SCATTER_COST, LOOKUP_COST, SEARCH_FACTOR = 5, 1, 8
"""Relative cost of a fully accumulated posting (scatter, gather, reset, add) and of a pruned
one (one lookup); a pruned class is binary-searched when the candidates are this many times
fewer than its postings."""


@dataclass
class Candidate:
    entry_id: object
    approx: float


def approx_name(total: np.ndarray, nparts: np.ndarray, nq: int) -> np.ndarray:
    """The approximate name score of rows from their summed part similarities (``total``,
    float32) and their numbers of parts: the exact scorer's coverage formula without the
    one-to-one pairing. For a given total it falls as the row's number of parts grows."""
    nr = np.maximum(nparts.astype(np.float32), 1)
    cov_small = np.minimum(total / np.minimum(nr, nq), 1.0)
    cov_large = np.minimum(total / np.maximum(nr, nq), 1.0)
    return SHORT_SIDE_WEIGHT * cov_small + (1 - SHORT_SIDE_WEIGHT) * cov_large


def plan(
    postings: Postings, weighted: list[list[tuple[float, int]]], nq: int, threshold: float, min_postings: int
) -> tuple[tuple[int, ...], int]:
    """Which query parts are *common* and from which part class their postings can be pruned.

    A row that no other query part reaches sums at most the best similarities of the common
    parts; if that cannot give an approximate name score of ``threshold - NEAR_MARGIN`` for
    rows of class ``c`` and above (the score falls as rows get longer), those rows would fail
    the ``near`` test whatever their exact total, so the common parts' postings of those
    classes are only looked up for rows the other parts reached (MaxScore, Turtle and Flood
    1995, on part classes). The set of common parts is chosen, most frequent first, for the
    fewest posting operations; the candidates are the same as without pruning (tested). Queries
    reaching fewer than ``min_postings`` postings are not worth it (nothing pruned)."""
    nc = postings.part_classes
    merged = postings.merged_readings()
    sizes = np.zeros((nq, nc), dtype=np.int64)
    for i, part in enumerate(weighted):
        vids = np.fromiter((v for _, v in part if v < merged), dtype=np.int64)
        if len(vids):
            sizes[i] = np.diff(postings.ptr[vids[:, None] * nc + np.arange(nc + 1)], axis=1).sum(axis=0)
    totals = sizes.sum(axis=1)
    best_cost, best = SCATTER_COST * int(totals.sum()), ((), nc)
    if totals.sum() < min_postings:
        return best
    floor = np.float32(threshold - NEAR_MARGIN - PRUNE_SLACK)
    classes = np.arange(1, nc + 1)
    common: list[int] = []
    bound = 0.0
    for i in sorted(range(nq), key=lambda j: -totals[j]):
        common.append(i)
        bound += weighted[i][-1][0] if weighted[i] else 0.0
        below = approx_name(np.full(nc, bound, dtype=np.float32), classes, nq) < floor
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


class Retrieval:
    """Candidate rows for a query over the vocabulary, postings and entry table of one index,
    with the per-row buffers it reuses between queries (callers hold the index's lock)."""

    def __init__(self, vocabulary: Vocabulary, postings: Postings, entries: EntryTable):
        self.vocabulary = vocabulary
        self.postings = postings
        self.entries = entries
        self.pruned_searches = 0  # name searches that pruned some postings (see plan)
        self._buf = np.zeros(0, dtype=np.float32)
        self._acc = np.zeros(0, dtype=np.float32)

    def nbytes(self) -> int:
        return self._buf.nbytes + self._acc.nbytes

    def candidates(self, query: Person, threshold: float, limit: int, prune_min_postings: int | None) -> list[Candidate]:
        """Rows whose approximate score may reach ``threshold``, best first, one per entry, at
        most ``limit``; ``prune_min_postings`` None scatters every posting (no pruning)."""
        n_rows = self.postings.n_rows
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
            self._score_rows(parsed.parts, query, threshold, best_rows, prune_min_postings)
        if not best_rows:
            return []
        # one candidate per entry
        per_entry: dict[int, float] = {}
        slots = self.postings.row_slot.data
        for row, approx in best_rows.items():
            slot = int(slots[row])
            if approx > per_entry.get(slot, -1.0):
                per_entry[slot] = approx
        ranked = sorted(per_entry.items(), key=lambda kv: -kv[1])[:limit]
        slot_ids = self.entries.slot_ids
        return [Candidate(slot_ids[slot], approx) for slot, approx in ranked]

    def _score_rows(
        self,
        parts: tuple[NamePart, ...],
        query: Person,
        threshold: float,
        best_rows: dict[int, float],
        prune_min_postings: int | None,
    ) -> None:
        postings = self.postings
        n_rows = postings.n_rows
        acc = self._acc[:n_rows]
        acc.fill(0.0)
        similar_vids = self.vocabulary.similar_vids
        part_sims = [similar_vids(p) for p in parts]
        # A pair of adjacent query parts read as one counts for both parts.
        if len(parts) <= 6:
            for i in range(len(parts) - 1):
                joined = similar_vids(joined_part(parts[i], parts[i + 1]))
                part_sims[i] = part_sims[i] + joined
                part_sims[i + 1] = part_sims[i + 1] + joined
        # Weakest readings first, so that a plain assignment leaves in buf the best similarity
        # of each row for a part (a gather + maximum + scatter per posting costs twice as much).
        weighted = [
            sorted((k, vid) for k, vid in ((s if s >= KNEE else 2 * s - KNEE, vid) for vid, s in sims) if k > 0)
            for sims in part_sims
        ]
        nq = len(parts)
        nc = postings.part_classes
        if prune_min_postings is not None:
            common, prune_from = plan(postings, weighted, nq, threshold, prune_min_postings)
        else:
            common, prune_from = (), nc
        reached = [self._accumulate(part, nc) for i, part in enumerate(weighted) if i not in common]
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
        name = approx_name(total, postings.row_nparts.data[rows], nq)
        # Evidence adds at most a few hundredths: rows far below the threshold by name are out.
        near = name >= threshold - NEAR_MARGIN
        rows, name = rows[near], name[near]
        slots = postings.row_slot.data[rows]
        active = self.entries.active.data[slots]
        approx = name + self.entries.evidence(query, slots)
        keep = active & (approx >= threshold - 0.08)
        rows = rows[keep]
        approx = approx[keep]
        if len(rows) > 2000:
            top = np.argpartition(-approx, 2000)[:2000]
            rows, approx = rows[top], approx[top]
        for r, a in zip(rows.tolist(), approx.tolist(), strict=True):
            if a > best_rows.get(r, -1.0):
                best_rows[r] = a

    def _largest_pruned(self, weighted: list[list[tuple[float, int]]], common: tuple[int, ...], prune_from: int) -> int:
        """The longest pruned posting range of one reading of the common parts."""
        nc = self.postings.part_classes
        ptr = self.postings.ptr
        merged = self.postings.merged_readings()
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
        postings = self.postings
        n_rows = postings.n_rows
        acc = self._acc[:n_rows]
        buf = self._buf[:n_rows]
        nc = postings.part_classes
        ptr, post = postings.ptr, postings.rows
        delta = postings.delta
        merged = postings.merged_readings()
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
            extra = delta.get(vid)
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
