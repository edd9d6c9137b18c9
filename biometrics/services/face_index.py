"""The search galleries a process holds, built from the database and kept fresh.

One registry per process and embedding model.  A gallery is ``persons`` (every
traveler's accepted faces) or ``watchlist:<id>`` (the photos of one list).
``warm()`` builds every gallery from ``FaceTemplate`` (or loads a saved index
and catches up); ``sync()`` applies the ``FaceTemplateChange`` log since the
last sync, so a template enrolled through another process (web or worker) is
found here on the next search.  Templates are immutable and their ids never
reused, so applying a change twice is harmless; changes are re-read for a
short window so that a transaction that committed late is not missed.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db.models import Max, Min, Q
from django.utils import timezone

from biometrics.models.face import FaceTemplate, FaceTemplateChange
from biometrics.search import FaceIndex, IndexFileError, ModelMismatchError, ModelTag, load_index, make_index

logger = logging.getLogger(__name__)

# Changes committed up to this long after a newer one was read are still picked up.
LATE_COMMIT_WINDOW = timedelta(seconds=60)
_BATCH = 20_000


def new_index(backend: str, model: ModelTag) -> FaceIndex:
    if backend == "hnsw":
        return make_index(backend, model, ef_search=settings.BMIS_FACE_HNSW_EF_SEARCH)
    return make_index(backend, model)


def choose_backend(size: int) -> str:
    configured = settings.BMIS_FACE_SEARCH_BACKEND
    if configured != "auto":
        return configured
    return "hnsw" if size >= settings.BMIS_FACE_HNSW_MIN_TEMPLATES else "exact"


class GalleryRegistry:
    def __init__(self, model: ModelTag, *, index_dir: Path | None = None):
        self.model = model
        self.index_dir = index_dir
        self.galleries: dict[str, FaceIndex] = {}
        self.watermark = 0  # last FaceTemplateChange id applied
        self.warmed = False
        self._lock = threading.RLock()

    # -- building -------------------------------------------------------
    def _templates(self):
        return FaceTemplate.objects.filter(model_name=self.model.name, model_version=self.model.version)

    def _changes(self):
        return FaceTemplateChange.objects.filter(model_name=self.model.name, model_version=self.model.version)

    def warm(self) -> None:
        """Build every gallery from the database (or a saved file plus the changes since)."""
        with self._lock:
            # Read the watermark first: changes made while loading are applied by sync().
            watermark = self._changes().aggregate(m=Max("id"))["m"] or 0
            self.galleries = {}
            saved = self._load_saved(watermark)
            galleries = set(self._templates().order_by().values_list("gallery", flat=True).distinct())
            for gallery in sorted(galleries):
                if gallery in saved:
                    self.galleries[gallery] = saved[gallery]
                    continue
                self.galleries[gallery] = self._build(gallery, watermark)
            for gallery, index in saved.items():
                self.galleries.setdefault(gallery, index)
            self.watermark = min([watermark, *[i.watermark for i in saved.values()]]) if saved else watermark
            self.warmed = True
        self.sync()

    def _build(self, gallery: str, watermark: int) -> FaceIndex:
        qs = self._templates().filter(gallery=gallery).order_by("id")
        size = qs.count()
        index = new_index(choose_backend(size), self.model)

        def batches():
            last = 0
            while True:
                rows = list(qs.filter(id__gt=last).values_list("id", "vector")[:_BATCH])
                if not rows:
                    return
                last = rows[-1][0]
                ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
                vecs = np.frombuffer(b"".join(bytes(r[1]) for r in rows), dtype="<f4").reshape(len(rows), -1)
                yield ids, vecs

        index.rebuild(batches(), model=self.model, watermark=watermark)
        if self.index_dir is not None and index.backend == "hnsw":
            self._save(gallery, index)
        return index

    def _path(self, gallery: str) -> Path:
        safe = gallery.replace(":", "-")
        return self.index_dir / f"{self.model.name}-{self.model.version.replace(':', '-')}-{safe}.npz"

    def _save(self, gallery: str, index: FaceIndex) -> None:
        try:
            index.save(self._path(gallery))
        except OSError as exc:
            logger.warning("could not save face index %s: %s", gallery, type(exc).__name__)

    def save(self) -> None:
        """Write the HNSW galleries to ``index_dir`` (shorter start for the next worker)."""
        if self.index_dir is None:
            return
        with self._lock:
            for gallery, index in self.galleries.items():
                if index.backend == "hnsw":
                    index.watermark = self.watermark
                    self._save(gallery, index)

    def _load_saved(self, watermark: int) -> dict[str, FaceIndex]:
        out: dict[str, FaceIndex] = {}
        if self.index_dir is None or not self.index_dir.is_dir():
            return out
        oldest = self._changes().aggregate(m=Min("id"))["m"]
        prefix = f"{self.model.name}-{self.model.version.replace(':', '-')}-"
        for path in sorted(self.index_dir.glob(prefix + "*.npz")):
            gallery = _gallery_from_file_part(path.stem[len(prefix) :])
            try:
                index = load_index(path, model=self.model)
            except (IndexFileError, ModelMismatchError) as exc:
                logger.warning("ignoring saved face index %s: %s", path.name, exc)
                continue
            if index.backend == "hnsw":
                index.ef_search = settings.BMIS_FACE_HNSW_EF_SEARCH
            if index.watermark > watermark:
                # Saved from a database newer than this one (restored backup, test run).
                logger.warning("ignoring saved face index %s: ahead of the database", path.name)
                continue
            if oldest is not None and oldest > index.watermark + 1:
                # The changes since it was saved were pruned: it cannot catch up.
                logger.warning("ignoring saved face index %s: older than the change log", path.name)
                continue
            out[gallery] = index
        return out

    # -- freshness ------------------------------------------------------
    def sync(self) -> int:
        """Apply the template changes made since the last sync; returns how many."""
        with self._lock:
            if not self.warmed:
                self.warm()
                return 0
            latest = self._changes().aggregate(m=Max("id"))["m"] or 0
            if latest < self.watermark:
                # The database went back in time (restore, test rollback): start over.
                self.warmed = False
                self.warm()
                return 0
            window_start = timezone.now() - LATE_COMMIT_WINDOW
            changes = list(
                self._changes()
                .filter(Q(id__gt=self.watermark) | Q(created_at__gte=window_start))
                .order_by("id")
                .values_list("id", "op", "template_id", "gallery")
            )
            if not changes:
                return 0
            added: dict[str, set[int]] = {}
            applied = 0
            for _change_id, op, template_id, gallery in changes:
                index = self.galleries.get(gallery)
                if op == FaceTemplateChange.REMOVE:
                    added.get(gallery, set()).discard(template_id)
                    if index is not None and template_id in index:
                        index.remove([template_id])
                        applied += 1
                elif index is None or template_id not in index:
                    added.setdefault(gallery, set()).add(template_id)
            for gallery, ids in added.items():
                if not ids:
                    continue
                # Only templates still in the database: a later removal wins.
                rows = list(self._templates().filter(id__in=sorted(ids)).values_list("id", "vector"))
                if not rows:
                    continue
                index = self.galleries.get(gallery)
                if index is None:
                    index = self.galleries[gallery] = new_index(choose_backend(len(rows)), self.model)
                vecs = np.frombuffer(b"".join(bytes(r[1]) for r in rows), dtype="<f4").reshape(len(rows), -1)
                index.add([r[0] for r in rows], vecs, model=self.model)
                applied += len(rows)
                self._maybe_switch_backend(gallery)
            self.watermark = max(self.watermark, changes[-1][0])
            return applied

    def _maybe_switch_backend(self, gallery: str) -> None:
        index = self.galleries[gallery]
        wanted = choose_backend(len(index))
        if wanted != index.backend and settings.BMIS_FACE_SEARCH_BACKEND == "auto":
            new = new_index(wanted, self.model)
            ids, vecs = index.vectors()
            new.rebuild([(ids, vecs)], model=self.model, watermark=index.watermark)
            self.galleries[gallery] = new

    # -- search ---------------------------------------------------------
    def search(self, gallery: str, vector: np.ndarray, *, k: int, max_distance: float, exclude=None):
        with self._lock:
            index = self.galleries.get(gallery)
            if index is None or len(index) == 0:
                return [], (index.backend if index is not None else choose_backend(0)), 0
            found = index.search(vector, model=self.model, k=k, max_distance=max_distance, exclude=exclude)
            return found, index.backend, len(index)


def _gallery_from_file_part(part: str) -> str:
    if part.startswith("watchlist-"):
        return "watchlist:" + part[len("watchlist-") :]
    return part


_registries: dict[tuple[str, str], GalleryRegistry] = {}
_registries_lock = threading.Lock()


def get_registry(model) -> GalleryRegistry:
    """The process-wide registry for ``model`` (an EmbeddingModel)."""
    tag = ModelTag.of(model)
    key = (tag.name, tag.version)
    with _registries_lock:
        registry = _registries.get(key)
        if registry is None:
            registry = _registries[key] = GalleryRegistry(tag, index_dir=settings.BMIS_FACE_INDEX_DIR)
        return registry


def reset_registries() -> None:
    """Forget every in-memory gallery (tests; a worker that must rebuild)."""
    with _registries_lock:
        _registries.clear()
