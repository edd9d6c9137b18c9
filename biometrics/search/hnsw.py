"""Approximate search with a FAISS HNSW graph (faiss-cpu).

HNSW cannot delete a node, so a removed (or replaced) template becomes a
tombstone: its graph node stays, and every search passes FAISS an id
selector that skips it.  When tombstones pass ``compact_ratio`` of the nodes
the graph is rebuilt from the live vectors.
"""

from __future__ import annotations

import logging

# faiss.loader reports at INFO every optional CPU-specific build it does not find.
logging.getLogger("faiss.loader").setLevel(logging.WARNING)

import faiss  # noqa: E402
import numpy as np  # noqa: E402

from biometrics.search.base import FaceIndex, IndexFileError, ModelTag  # noqa: E402

DEFAULT_M = 32
DEFAULT_EF_CONSTRUCTION = 128
DEFAULT_EF_SEARCH = 384


class HnswIndex(FaceIndex):
    backend = "hnsw"

    def __init__(
        self,
        model: ModelTag,
        *,
        m: int = DEFAULT_M,
        ef_construction: int = DEFAULT_EF_CONSTRUCTION,
        ef_search: int = DEFAULT_EF_SEARCH,
        compact_ratio: float = 0.25,
    ):
        super().__init__(model)
        self.m = int(m)
        self.ef_construction = int(ef_construction)
        self.ef_search = int(ef_search)
        self.compact_ratio = float(compact_ratio)
        self._reset()

    def _params(self) -> dict:
        return {
            "m": self.m,
            "ef_construction": self.ef_construction,
            "ef_search": self.ef_search,
            "compact_ratio": self.compact_ratio,
        }

    def _new_graph(self) -> faiss.IndexHNSWFlat:
        index = faiss.IndexHNSWFlat(self.model.dimension, self.m, faiss.METRIC_L2)
        index.hnsw.efConstruction = self.ef_construction
        index.hnsw.efSearch = self.ef_search
        return index

    def _reset(self) -> None:
        self._index = self._new_graph()
        self._labels = np.zeros(1024, dtype=np.int64)  # graph node -> template id
        self._alive = np.zeros(1024 // 8, dtype=np.uint8)  # bitmap of live nodes
        self._node: dict[int, int] = {}  # template id -> graph node
        self._dead = 0

    # -- contents -------------------------------------------------------
    def __len__(self) -> int:
        return len(self._node)

    def __contains__(self, template_id: object) -> bool:
        return template_id in self._node

    @property
    def nodes(self) -> int:
        return int(self._index.ntotal)

    @property
    def tombstones(self) -> int:
        return self._dead

    def ids(self) -> np.ndarray:
        return np.fromiter(self._node.keys(), dtype=np.int64, count=len(self._node))

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        nodes = np.fromiter(self._node.values(), dtype=np.int64, count=len(self._node))
        ids = self._labels[nodes].copy()
        if len(nodes) == 0:
            return ids, np.zeros((0, self.model.dimension), np.float32)
        everything = self._index.reconstruct_n(0, self._index.ntotal)
        return ids, np.ascontiguousarray(everything[nodes])

    def _add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        start = self._index.ntotal
        stop = start + len(ids)
        if stop > len(self._labels):
            cap = max(stop, 2 * len(self._labels))
            labels = np.zeros(cap, dtype=np.int64)
            labels[:start] = self._labels[:start]
            self._labels = labels
            alive = np.zeros((cap + 7) // 8, dtype=np.uint8)
            alive[: len(self._alive)] = self._alive
            self._alive = alive
        self._index.add(vectors)
        self._labels[start:stop] = ids
        lo, hi = start >> 3, (stop + 7) >> 3
        seg = np.unpackbits(self._alive[lo:hi], bitorder="little")
        seg[start - lo * 8 : stop - lo * 8] = 1
        self._alive[lo:hi] = np.packbits(seg, bitorder="little")
        for node, template_id in enumerate(ids.tolist(), start=start):
            self._node[template_id] = node

    def _remove(self, ids: np.ndarray) -> int:
        removed = 0
        for template_id in ids.tolist():
            node = self._node.pop(template_id, None)
            if node is None:
                continue
            self._alive[node >> 3] &= np.uint8(~(1 << (node & 7)) & 0xFF)
            self._dead += 1
            removed += 1
        if removed and self._dead > self.compact_ratio * max(1, self._index.ntotal):
            self.compact()
        return removed

    def compact(self) -> None:
        """Rebuild the graph from the live vectors only (drops tombstones)."""
        ids, vecs = self.vectors()
        self._reset()
        if len(ids):
            self._add(ids, vecs)

    # -- search ---------------------------------------------------------
    def _search(self, queries: np.ndarray, k: int, exclude: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        params = faiss.SearchParametersHNSW()
        params.efSearch = max(self.ef_search, k)
        bitmap = None
        if self._dead or (exclude is not None and len(exclude)):
            bitmap = self._alive
            if exclude is not None and len(exclude):
                bitmap = bitmap.copy()
                for template_id in exclude.tolist():
                    node = self._node.get(template_id)
                    if node is not None:
                        bitmap[node >> 3] &= np.uint8(~(1 << (node & 7)) & 0xFF)
            selector = faiss.IDSelectorBitmap(len(bitmap) * 8, faiss.swig_ptr(bitmap))
            params.sel = selector
        d2, nodes = self._index.search(queries, k, params=params)
        ids = np.where(nodes >= 0, self._labels[np.maximum(nodes, 0)], -1)
        dist = np.where(nodes >= 0, np.sqrt(np.maximum(d2, 0.0)), np.inf)
        del bitmap  # kept alive until the search above has returned
        return dist, ids

    # -- persistence ----------------------------------------------------
    def _state(self) -> dict[str, np.ndarray]:
        n = self._index.ntotal
        return {
            "graph": faiss.serialize_index(self._index),
            "labels": self._labels[:n].copy(),
            "alive": np.unpackbits(self._alive, bitorder="little")[:n].astype(bool),
        }

    def _restore(self, arrays: dict[str, np.ndarray]) -> None:
        try:
            graph = faiss.deserialize_index(np.ascontiguousarray(arrays["graph"], dtype=np.uint8))
        except RuntimeError as exc:
            raise IndexFileError(f"corrupt HNSW graph: {exc}") from None
        if graph.d != self.model.dimension:
            raise IndexFileError(f"graph dimension {graph.d} != model dimension {self.model.dimension}")
        labels = arrays["labels"].astype(np.int64)
        alive = arrays["alive"].astype(bool)
        if len(labels) != graph.ntotal or len(alive) != graph.ntotal:
            raise IndexFileError("index file labels do not match the graph")
        self._index = graph
        self._index.hnsw.efSearch = self.ef_search
        cap = max(1024, len(labels))
        self._labels = np.zeros(cap, dtype=np.int64)
        self._labels[: len(labels)] = labels
        bits = np.zeros(((cap + 7) // 8) * 8, dtype=np.uint8)
        bits[: len(alive)] = alive
        self._alive = np.packbits(bits, bitorder="little")
        self._node = {int(labels[i]): int(i) for i in np.flatnonzero(alive)}
        self._dead = int(len(alive) - alive.sum())
