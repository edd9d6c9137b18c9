"""Exact search by brute force in numpy: the reference back-end."""

from __future__ import annotations

import numpy as np

from biometrics.search.base import FaceIndex, ModelTag

_INITIAL_CAPACITY = 1024
# Rows scored per block, to bound the temporary distance matrix.
_BLOCK_ROWS = 262_144


class ExactIndex(FaceIndex):
    backend = "exact"

    def __init__(self, model: ModelTag):
        super().__init__(model)
        self._reset()

    def _reset(self) -> None:
        d = self.model.dimension
        self._vecs = np.zeros((_INITIAL_CAPACITY, d), dtype=np.float32)
        self._norms = np.zeros(_INITIAL_CAPACITY, dtype=np.float32)
        self._ids = np.zeros(_INITIAL_CAPACITY, dtype=np.int64)
        self._n = 0
        self._row: dict[int, int] = {}

    def __len__(self) -> int:
        return self._n

    def __contains__(self, template_id: object) -> bool:
        return template_id in self._row

    def ids(self) -> np.ndarray:
        return self._ids[: self._n].copy()

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        return self._ids[: self._n].copy(), self._vecs[: self._n].copy()

    def _grow(self, need: int) -> None:
        cap = len(self._ids)
        if need <= cap:
            return
        new_cap = max(need, cap * 2)
        for name in ("_vecs", "_norms", "_ids"):
            old = getattr(self, name)
            new = np.zeros((new_cap,) + old.shape[1:], dtype=old.dtype)
            new[: self._n] = old[: self._n]
            setattr(self, name, new)

    def _add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        n, m = self._n, len(ids)
        self._grow(n + m)
        self._vecs[n : n + m] = vectors
        self._norms[n : n + m] = np.einsum("ij,ij->i", vectors, vectors)
        self._ids[n : n + m] = ids
        for offset, template_id in enumerate(ids.tolist()):
            self._row[template_id] = n + offset
        self._n = n + m

    def _remove(self, ids: np.ndarray) -> int:
        removed = 0
        for template_id in ids.tolist():
            row = self._row.pop(template_id, None)
            if row is None:
                continue
            last = self._n - 1
            if row != last:
                # Move the last row into the hole.
                self._vecs[row] = self._vecs[last]
                self._norms[row] = self._norms[last]
                moved = int(self._ids[last])
                self._ids[row] = moved
                self._row[moved] = row
            self._n = last
            removed += 1
        return removed

    def _search(self, queries: np.ndarray, k: int, exclude: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        n = self._n
        qn = np.einsum("ij,ij->i", queries, queries)
        excluded_rows = None
        if exclude is not None and len(exclude):
            excluded_rows = np.array([self._row[i] for i in exclude.tolist() if i in self._row], dtype=np.int64)
        best_d = np.full((len(queries), 0), np.inf, dtype=np.float32)
        best_r = np.zeros((len(queries), 0), dtype=np.int64)
        for start in range(0, n, _BLOCK_ROWS):
            stop = min(n, start + _BLOCK_ROWS)
            # |x - q|^2 = |x|^2 - 2 x.q + |q|^2, computed for a block of rows.
            d2 = self._norms[start:stop][None, :] - 2.0 * (queries @ self._vecs[start:stop].T) + qn[:, None]
            if excluded_rows is not None:
                local = excluded_rows[(excluded_rows >= start) & (excluded_rows < stop)] - start
                d2[:, local] = np.inf
            kk = min(k, stop - start)
            part = np.argpartition(d2, kk - 1, axis=1)[:, :kk]
            cand_d = np.take_along_axis(d2, part, axis=1)
            best_d = np.concatenate([best_d, cand_d], axis=1)
            best_r = np.concatenate([best_r, part + start], axis=1)
            if best_d.shape[1] > k:
                keep = np.argpartition(best_d, k - 1, axis=1)[:, :k]
                best_d = np.take_along_axis(best_d, keep, axis=1)
                best_r = np.take_along_axis(best_r, keep, axis=1)
        # The expansion above loses precision for near-identical vectors;
        # the few rows kept are re-scored directly.
        finite = np.isfinite(best_d)
        diff = self._vecs[best_r] - queries[:, None, :]
        dist = np.where(finite, np.sqrt(np.einsum("qkd,qkd->qk", diff, diff)), np.inf)
        order = np.argsort(dist, axis=1, kind="stable")
        dist = np.take_along_axis(dist, order, axis=1)
        best_r = np.take_along_axis(best_r, order, axis=1)
        ids = np.where(np.isfinite(dist), self._ids[best_r], -1)
        return dist, ids

    def _state(self) -> dict[str, np.ndarray]:
        return {"ids": self._ids[: self._n].copy(), "vectors": self._vecs[: self._n].copy()}

    def _restore(self, arrays: dict[str, np.ndarray]) -> None:
        self._reset()
        ids = arrays["ids"].astype(np.int64)
        if len(ids):
            self._add(ids, self._as_vectors(arrays["vectors"]))
