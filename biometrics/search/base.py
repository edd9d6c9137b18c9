"""The search interface shared by the back-ends."""

from __future__ import annotations

import json
import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FILE_FORMAT = 1


class ModelMismatchError(ValueError):
    """Templates of different embedding models must never be compared."""


class IndexFileError(ValueError):
    """A saved index file is unreadable or of an unknown format."""


@dataclass(frozen=True)
class ModelTag:
    """Which embedding model produced a set of vectors."""

    name: str
    version: str
    dimension: int

    @classmethod
    def of(cls, model) -> ModelTag:
        """The tag of an ``EmbeddingModel`` (anything with name/version/dimension)."""
        return cls(model.name, model.version, int(model.dimension))

    def matches(self, other) -> bool:
        if isinstance(other, ModelTag):
            return (self.name, self.version, self.dimension) == (other.name, other.version, other.dimension)
        name, version = other
        return (self.name, self.version) == (name, version)

    def __str__(self) -> str:
        return f"{self.name} {self.version} ({self.dimension}-d)"


@dataclass(frozen=True, order=True)
class Candidate:
    distance: float  # Euclidean, lower = more similar
    id: int


class FaceIndex(ABC):
    """A gallery of templates of one model, searchable by Euclidean distance."""

    backend: str = ""

    def __init__(self, model: ModelTag):
        if model.dimension <= 0:
            raise ValueError("model dimension must be positive")
        self.model = model
        # Caller-defined high-water mark of the changes applied so far (for
        # example the last template change-log id read from the database).
        self.watermark = 0

    # -- contents -------------------------------------------------------
    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def __contains__(self, template_id: object) -> bool: ...

    @abstractmethod
    def ids(self) -> np.ndarray:
        """The ids held, as int64 (any order)."""

    @abstractmethod
    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) of every live template."""

    @abstractmethod
    def _add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    @abstractmethod
    def _remove(self, ids: np.ndarray) -> int: ...

    @abstractmethod
    def _search(
        self, queries: np.ndarray, k: int, exclude: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(distances, ids) arrays of shape (q, k); missing = (inf, -1)."""

    # -- public API -----------------------------------------------------
    def add(self, ids: Sequence[int] | np.ndarray, vectors: np.ndarray, *, model) -> None:
        """Add templates; an id already present is replaced."""
        self._check_model(model)
        ids_arr = _as_ids(ids)
        vecs = self._as_vectors(vectors)
        if len(ids_arr) != len(vecs):
            raise ValueError(f"{len(ids_arr)} ids but {len(vecs)} vectors")
        if len(np.unique(ids_arr)) != len(ids_arr):
            raise ValueError("duplicate ids in one add()")
        if len(ids_arr) == 0:
            return
        present = np.fromiter((int(i) in self for i in ids_arr), dtype=bool, count=len(ids_arr))
        if present.any():
            self._remove(ids_arr[present])
        self._add(ids_arr, vecs)

    def remove(self, ids: Iterable[int] | np.ndarray) -> int:
        """Remove templates by id; unknown ids are ignored.  Returns how many went."""
        ids_arr = _as_ids(list(ids) if not isinstance(ids, np.ndarray) else ids)
        if len(ids_arr) == 0:
            return 0
        return self._remove(ids_arr)

    def search(
        self,
        query: np.ndarray,
        *,
        model,
        k: int = 10,
        max_distance: float | None = None,
        exclude: Collection[int] | None = None,
    ) -> list[Candidate]:
        """The ``k`` nearest templates to one query, nearest first."""
        return self.search_batch(
            np.asarray(query).reshape(1, -1), model=model, k=k, max_distance=max_distance, exclude=exclude
        )[0]

    def search_batch(
        self,
        queries: np.ndarray,
        *,
        model,
        k: int = 10,
        max_distance: float | None = None,
        exclude: Collection[int] | None = None,
    ) -> list[list[Candidate]]:
        self._check_model(model)
        if k <= 0:
            raise ValueError("k must be positive")
        q = self._as_vectors(queries)
        if len(self) == 0 or len(q) == 0:
            return [[] for _ in range(len(q))]
        excl = _as_ids(list(exclude)) if exclude else None
        dist, ids = self._search(q, min(k, len(self)), excl)
        out = []
        for drow, irow in zip(dist, ids, strict=True):
            row = []
            for d, i in zip(drow, irow, strict=True):
                if i < 0 or not np.isfinite(d):
                    continue
                if max_distance is not None and d > max_distance:
                    continue
                row.append(Candidate(float(d), int(i)))
            row.sort()
            out.append(row)
        return out

    def apply_changes(
        self,
        *,
        added: tuple[Sequence[int] | np.ndarray, np.ndarray] | None = None,
        removed: Iterable[int] = (),
        watermark: int,
        model,
    ) -> bool:
        """Apply a batch of database changes up to ``watermark``.

        Changes at or below the current watermark were already applied and
        are skipped (returns False): two pollers can race without harm.
        """
        if watermark <= self.watermark:
            return False
        self.remove(removed)
        if added is not None:
            ids, vecs = added
            self.add(ids, vecs, model=model)
        self.watermark = int(watermark)
        return True

    def rebuild(
        self,
        batches: Iterable[tuple[Sequence[int] | np.ndarray, np.ndarray]],
        *,
        model,
        watermark: int,
    ) -> None:
        """Replace the contents with the (ids, vectors) batches given."""
        self._check_model(model)
        all_ids, all_vecs = [], []
        for ids, vecs in batches:
            all_ids.append(_as_ids(ids))
            all_vecs.append(self._as_vectors(vecs))
        ids_arr = np.concatenate(all_ids) if all_ids else np.zeros(0, np.int64)
        vecs_arr = (
            np.concatenate(all_vecs) if all_vecs else np.zeros((0, self.model.dimension), np.float32)
        )
        if len(np.unique(ids_arr)) != len(ids_arr):
            raise ValueError("duplicate ids in rebuild()")
        self._reset()
        if len(ids_arr):
            self._add(ids_arr, vecs_arr)
        self.watermark = int(watermark)

    @abstractmethod
    def _reset(self) -> None: ...

    # -- persistence ----------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write atomically (a reader never sees a half-written file)."""
        meta = {
            "format": FILE_FORMAT,
            "backend": self.backend,
            "model": {"name": self.model.name, "version": self.model.version, "dimension": self.model.dimension},
            "watermark": self.watermark,
            "params": self._params(),
        }
        arrays = self._state()
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def _params(self) -> dict:
        return {}

    @abstractmethod
    def _state(self) -> dict[str, np.ndarray]: ...

    @abstractmethod
    def _restore(self, arrays: dict[str, np.ndarray]) -> None: ...

    # -- helpers --------------------------------------------------------
    def _check_model(self, model) -> None:
        if model is None:
            raise ModelMismatchError("the model of the templates must be stated")
        if not self.model.matches(model):
            shown = model if isinstance(model, ModelTag) else " ".join(model)
            raise ModelMismatchError(f"this index holds {self.model} templates, not {shown}")

    def _as_vectors(self, vectors: np.ndarray) -> np.ndarray:
        arr = np.asarray(vectors, dtype=np.float32)
        if arr.ndim == 1:
            arr = arr.reshape(1, -1)
        if arr.ndim != 2 or arr.shape[1] != self.model.dimension:
            raise ModelMismatchError(
                f"vectors of shape {arr.shape} do not fit {self.model.dimension}-d {self.model.name} templates"
            )
        if not np.isfinite(arr).all():
            raise ValueError("vectors contain NaN or infinity")
        return np.ascontiguousarray(arr)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.model} n={len(self)} watermark={self.watermark}>"


def _as_ids(ids) -> np.ndarray:
    arr = np.asarray(ids)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError("ids must be a flat sequence of integers")
    if (arr < 0).any():
        raise ValueError("ids must be non-negative")
    return arr.astype(np.int64, copy=False)
