"""Choosing and loading a back-end: the one module that knows every back-end (the base knows
none, so ``base`` <- ``exact``/``hnsw`` <- ``factory`` is a one-way street)."""

from __future__ import annotations

import json
import os

import numpy as np

from biometrics.search.base import FILE_FORMAT, FaceIndex, IndexFileError, ModelMismatchError, ModelTag
from biometrics.search.exact import ExactIndex
from biometrics.search.hnsw import HnswIndex


def make_index(backend: str, model: ModelTag, **params) -> FaceIndex:
    """A new empty index: ``backend`` is ``"exact"`` or ``"hnsw"``."""
    classes = {ExactIndex.backend: ExactIndex, HnswIndex.backend: HnswIndex}
    try:
        cls = classes[backend]
    except KeyError:
        raise ValueError(f"unknown search back-end {backend!r}; use one of {sorted(classes)}") from None
    return cls(model, **params)


def load_index(path: str | os.PathLike, *, model: ModelTag | None = None) -> FaceIndex:
    """Read an index saved with ``save``; refuse one of another model."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode())
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
        raise IndexFileError(f"cannot read index file {path}: {exc}") from None
    if meta.get("format") != FILE_FORMAT:
        raise IndexFileError(f"index file {path} has format {meta.get('format')}, expected {FILE_FORMAT}")
    saved = ModelTag(**meta["model"])
    if model is not None and not saved.matches(model):
        raise ModelMismatchError(f"index file {path} holds {saved} templates, not {model}")
    index = make_index(meta["backend"], saved, **meta.get("params", {}))
    index._restore(arrays)
    index.watermark = int(meta["watermark"])
    return index

