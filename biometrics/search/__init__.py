"""1:N search over face templates: one interface, two back-ends.

- ``ExactIndex`` (numpy): brute force, the reference answer, and the default
  for small galleries;
- ``HnswIndex`` (faiss-cpu, HNSW): approximate, for large galleries.

Both hold (id, vector) pairs for exactly one embedding model and refuse
vectors or queries of another model.  The database stays the source of
truth: an index is built from it (``rebuild``), kept fresh with
``apply_changes`` (up to a caller-defined ``watermark``), and may be saved to
and loaded from disk to shorten a worker's start.  No Django imports here.
"""

from biometrics.search.base import (
    Candidate,
    FaceIndex,
    IndexFileError,
    ModelMismatchError,
    ModelTag,
)
from biometrics.search.exact import ExactIndex
from biometrics.search.factory import load_index, make_index
from biometrics.search.hnsw import HnswIndex

__all__ = [
    "Candidate",
    "ExactIndex",
    "FaceIndex",
    "HnswIndex",
    "IndexFileError",
    "ModelMismatchError",
    "ModelTag",
    "load_index",
    "make_index",
]
