"""The vocabulary of the screening index: distinct part *readings* (:class:`~..parsing.Form`), each
with a coarse consonant key (:func:`~..phonetic.retrieval_key`); a symmetric-deletion table on
those keys, so a query key finds every vocabulary key within one edit (``MHMD`` finds ``HMD``,
``MHMT``); and the cache of similar readings per query reading, kept up to date as the
vocabulary grows. Pure Python."""

from __future__ import annotations

from collections import OrderedDict

from .. import phonetic
from ..parsing import Form, NamePart
from ..score import part_similarity

MIN_PART_SIMILARITY = 0.6
"""Readings less similar than this to a query part do not count for it."""


def deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


def bare(form: Form) -> Form:
    """The reading without its penalty."""
    return form if form.penalty == 0.0 else Form(form.latin, form.units, form.unvocalised, form.key, 0.0)


class Vocabulary:
    """Readings by id (``vid``), their keys, and the similar-readings cache."""

    FORM_CACHE_SIZE = 100_000
    """Readings whose similar-vocabulary lists are kept (about 1 KB each)."""

    def __init__(self):
        self._ids: dict[tuple, int] = {}
        self.forms: list[Form] = []
        self.key_vids: dict[str, list[int]] = {}
        self.del_keys: dict[str, set[str]] = {}
        # Similar vocabulary readings per query reading (penalty-free), kept up to date as the
        # vocabulary grows (see similar_vids); _cache_near maps each key and one-deletion variant
        # of a cached reading's key to the cached readings, to find those a new reading concerns.
        self._form_sims: OrderedDict[Form, list[tuple[int, float]]] = OrderedDict()
        self._cache_near: dict[str, set[Form]] = {}

    def __len__(self) -> int:
        return len(self.forms)

    def vid(self, form: Form) -> int:
        """The id of a reading, added to the vocabulary when new."""
        k = (form.units, form.unvocalised, form.latin)
        vid = self._ids.get(k)
        if vid is None:
            vid = len(self.forms)
            self._ids[k] = vid
            stored = Form(form.latin, form.units, form.unvocalised, form.key, 0.0)
            self.forms.append(stored)
            if self._form_sims:
                self._cache_add_reading(vid, stored)
            if form.key not in self.key_vids:
                self.key_vids[form.key] = []
                self.del_keys.setdefault(form.key, set()).add(form.key)
                for d in deletions(form.key):
                    self.del_keys.setdefault(d, set()).add(form.key)
            self.key_vids[form.key].append(vid)
        return vid

    def row_vids(self, parts: tuple[NamePart, ...]) -> list[int]:
        return sorted({self.vid(f) for p in parts for f in p.forms})

    def similar_keys(self, key: str) -> set[str]:
        keys = set(self.del_keys.get(key, ()))
        for d in deletions(key):
            keys |= self.del_keys.get(d, set())
        return keys

    def form_similar(self, bare: Form) -> list[tuple[int, float]]:
        """Vocabulary readings at least MIN_PART_SIMILARITY similar to one reading (without
        penalty), computed once per reading and then kept up to date as readings are added."""
        cached = self._form_sims.get(bare)
        if cached is not None:
            self._form_sims.move_to_end(bare)
            return cached
        probe = NamePart("", (bare,))
        vids = [vid for k in self.similar_keys(bare.key) for vid in self.key_vids.get(k, ())]
        # the alignments in one vectorised batch (a new reading, say two query parts read as one)
        phonetic.prime((bare.units, f.units, bare.unvocalised, f.unvocalised) for f in map(self.forms.__getitem__, vids))
        out = []
        for vid in vids:
            sim, _ = part_similarity(probe, NamePart("", (self.forms[vid],)))
            if sim >= MIN_PART_SIMILARITY:
                out.append((vid, sim))
        self._form_sims[bare] = out
        for x in deletions(bare.key) | {bare.key}:
            self._cache_near.setdefault(x, set()).add(bare)
        if len(self._form_sims) > self.FORM_CACHE_SIZE:
            old, _ = self._form_sims.popitem(last=False)
            for x in deletions(old.key) | {old.key}:
                near = self._cache_near.get(x)
                if near is not None:
                    near.discard(old)
                    if not near:
                        del self._cache_near[x]
        return out

    def _cache_add_reading(self, vid: int, form: Form) -> None:
        """A new vocabulary reading: add it to the cached lists of the readings it is similar to
        (the same key-neighbourhood test as similar_keys, which is symmetric)."""
        concerned: set[Form] = set()
        for x in deletions(form.key) | {form.key}:
            concerned |= self._cache_near.get(x, set())
        probe = NamePart("", (form,))
        for cached in concerned:
            sim, _ = part_similarity(NamePart("", (cached,)), probe)
            if sim >= MIN_PART_SIMILARITY:
                self._form_sims[cached].append((vid, sim))

    def similar_vids(self, part: NamePart) -> list[tuple[int, float]]:
        """Vocabulary readings similar to ``part`` (best over its readings, each reading's penalty
        subtracted), with their similarity."""
        if len(part.forms) == 1 and part.forms[0].penalty == 0.0:
            return self.form_similar(part.forms[0])
        best: dict[int, float] = {}
        for f in part.forms:
            for vid, sim in self.form_similar(bare(f)):
                sim -= f.penalty
                if sim >= MIN_PART_SIMILARITY and sim > best.get(vid, 0.0):
                    best[vid] = sim
        return list(best.items())
