"""1:N identification: a MinHash index over cylinder codes, then full MCC scores on a shortlist.

Comparing a probe with every enrolled template costs ~1 ms each, 100 s at 100,000 records. The
index makes the cost grow with the number of *colliding* cylinders instead:

1. Pre-selection. A bit cylinder is a sparse set (about 6 % of its 1,536 bits are set) and two
   cylinders of the same minutia in two impressions share a large part of it (median Jaccard
   similarity 0.41 on FVC2002 against 0.03 for random pairs). MinHash is the locality-sensitive
   hash for Jaccard similarity: for ``n_bands`` bands of ``rows`` random permutations, the
   minimum permuted position of the set bits in each permutation forms a key, and two cylinders
   share a band key with probability J^rows. Each band is a hash table from key to the enrolled
   cylinders having it (a CSR layout: sorted template numbers plus bucket offsets).
   A probe's cylinders are looked up in every band; each pair (probe cylinder, enrolled
   cylinder) that collides in c bands scores c^2 (so that pairs colliding repeatedly, which are
   the real correspondences, dominate chance collisions); a template's coarse score is the sum
   over its cylinders, divided by the square root of its cylinder count.
2. Re-scoring. The ``shortlist`` best templates by coarse score are compared with the full MCC
   matcher (LSS-R), and the candidates are ranked by that score.

Enrolment appends to a pending segment; lookups see it at once; segments are merged when the
pending part grows past 10 % of the index. Removal marks a template number as deleted.
"""

from __future__ import annotations

import hashlib
import struct
import threading
from collections.abc import Hashable, Iterable
from dataclasses import astuple, dataclass

import numpy as np

from . import mcc
from .minutiae import MinutiaSet

INDEX_VERSION = "bmis-mcc-minhash/1"


@dataclass(frozen=True)
class IndexParams:
    n_bands: int = 48
    rows: int = 4
    table_bits: int = 20
    seed: int = 20100  # fixed: part of the index version, keys must be reproducible
    shortlist: int = 500  # 100,000 records: rank-1 95.9 %, p95 1.35 s (bench/fingerprint_1n.py)
    max_bucket_fraction: float = 0.002  # buckets holding more than this share are uninformative
    pair_power: float = 2.0
    # Keep every record's cylinders packed in memory (about 10 kB per record) so that re-scoring
    # the shortlist does not rebuild them; without it each candidate costs a cylinder build.
    cache_cylinders: bool = True
    length_power: float = 1.0


@dataclass
class Candidate:
    key: Hashable
    score: float
    coarse: float


class _Segment:
    """Immutable hash tables, one per band, holding the template number of every enrolled
    cylinder in bucket order. A large segment keeps dense bucket offsets (one lookup per key); a
    small one (new enrolments, merged later) keeps its sorted bucket numbers and binary-searches
    them, so that adding a finger never costs a table of 2^table_bits offsets per band."""

    def __init__(self, per_band: list[tuple[np.ndarray, np.ndarray]], table_size: int) -> None:
        # per_band[b] = (bucket numbers, template numbers) of every enrolled cylinder
        n = len(per_band[0][0]) if per_band else 0
        self.size = n
        self.dense = n >= table_size // 8
        self.owners = np.zeros((len(per_band), n), np.int32)
        if self.dense:
            self.offsets = np.zeros((len(per_band), table_size + 1), np.int64 if n >= 2**31 else np.int32)
        else:
            self.sorted_buckets = np.zeros((len(per_band), n), np.int32)
        for b, (buckets, owners) in enumerate(per_band):
            order = np.argsort(buckets, kind="stable")
            self.owners[b] = owners[order]
            if self.dense:
                # offsets[k] = number of entries in buckets < k (a counting sort's prefix sums)
                self.offsets[b, 1:] = np.cumsum(np.bincount(buckets, minlength=table_size))
            else:
                self.sorted_buckets[b] = buckets[order]

    def lookup(self, b: int, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(first position, count) in band b of the entries of each bucket number in ``keys``."""
        if self.dense:
            lo = self.offsets[b, keys]
            return lo, self.offsets[b, keys + 1] - lo
        lo = np.searchsorted(self.sorted_buckets[b], keys, "left")
        return lo, np.searchsorted(self.sorted_buckets[b], keys, "right") - lo

    def band(self, b: int) -> tuple[np.ndarray, np.ndarray]:
        """(bucket numbers, template numbers) of band b, in bucket order."""
        if not self.dense:
            return self.sorted_buckets[b], self.owners[b]
        buckets = np.repeat(np.arange(len(self.offsets[b]) - 1), np.diff(self.offsets[b]))
        return buckets, self.owners[b]


def pack_cylinders(cyl: mcc.Cylinders) -> tuple:
    """A compact copy of a template's cylinders (positions as float32, bits and masks packed)."""
    bits, mask = cyl.packed()
    return (
        cyl.x.astype(np.float32), cyl.y.astype(np.float32), cyl.theta.astype(np.float32),
        cyl.index.astype(np.int16), bits, mask,
    )


def unpack_cylinders(packed: tuple, params: mcc.MccParams = mcc.DEFAULT_PARAMS) -> mcc.Cylinders:
    x, y, theta, index, bits, mask = packed
    return mcc.cylinders_from_packed(x, y, theta, index, bits, mask, params)


class FingerprintIndex:
    """In-memory 1:N index of fingerprint templates (one record = one finger)."""

    def __init__(
        self,
        params: IndexParams | None = None,
        mcc_params: mcc.MccParams = mcc.DEFAULT_PARAMS,
    ) -> None:
        self.params = params or IndexParams()
        self.mcc_params = mcc_params
        g = mcc._geometry(mcc_params)
        n_bits = g.n_cells * mcc_params.nd
        rng = np.random.default_rng(self.params.seed)
        n_perm = self.params.n_bands * self.params.rows
        # perm[h, bit] = the rank of bit under random permutation h
        perm = np.stack([rng.permutation(n_bits) for _ in range(n_perm)]).astype(np.int16)
        self._perm_t = np.ascontiguousarray(perm.T)  # (n_bits, n_perm)
        self._n_bits = n_bits
        self._table_size = 1 << self.params.table_bits
        self._lock = threading.RLock()
        self._keys: list[Hashable] = []
        self._minutiae: list[MinutiaSet] = []
        self._n_cyl: list[int] = []
        self._deleted: set[int] = set()
        self._by_key: dict[Hashable, int] = {}
        self._segments: list[_Segment] = []
        self._pending_keys: list[np.ndarray] = []
        self._pending_owner: list[np.ndarray] = []
        self._pending_count = 0
        self._pending_segment: _Segment | None = None
        self._packed: dict[int, tuple] = {}
        self._prepared_version: str | None = None

    # ------------------------------------------------------------------ hashing
    def band_keys(self, cyl: mcc.Cylinders) -> np.ndarray:
        """(n_cylinders, n_bands) bucket numbers; cylinders without set bits get -1."""
        p = self.params
        n = len(cyl)
        if n == 0:
            return np.zeros((0, p.n_bands), np.int64)
        rows_, bits_ = np.nonzero(cyl.bits > 0)
        out = np.full((n, p.n_bands), -1, np.int64)
        if len(rows_) == 0:
            return out
        ranks = self._perm_t[bits_]  # (n_set, n_perm): rank of each set bit under each permutation
        has = np.bincount(rows_, minlength=n) > 0
        starts = np.searchsorted(rows_, np.nonzero(has)[0])
        mins = np.minimum.reduceat(ranks, starts, axis=0).astype(np.int64)  # (n_has, n_perm)
        mins = mins.reshape(-1, p.n_bands, p.rows)
        key = np.zeros(mins.shape[:2], np.int64)  # (n_has, n_bands); rows * 11 bits < 63 bits
        for r in range(p.rows):
            key = key * self._n_bits + mins[:, :, r]
        band_salt = np.arange(p.n_bands, dtype=np.uint64) * np.uint64(0x632BE59BD9B4E019)
        with np.errstate(over="ignore"):
            mixed = (key.astype(np.uint64) ^ band_salt[None, :]) * np.uint64(0x9E3779B97F4A7C15)
        out[has] = (mixed >> np.uint64(64 - p.table_bits)).astype(np.int64)
        return out

    # ------------------------------------------------------------------ enrolment
    def __len__(self) -> int:
        return len(self._keys) - len(self._deleted)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._by_key

    def add(
        self, key: Hashable, minutiae: MinutiaSet, cylinders: mcc.Cylinders | None = None, *, defer: bool = False
    ) -> None:
        """Enrol one finger under ``key`` (for example a template id); replaces an earlier one."""
        cyl = cylinders if cylinders is not None else mcc.build_cylinders(minutiae, self.mcc_params)
        keys = self.band_keys(cyl)
        with self._lock:
            if key in self._by_key:
                self._deleted.add(self._by_key[key])
            number = len(self._keys)
            self._keys.append(key)
            self._minutiae.append(minutiae)
            self._n_cyl.append(len(cyl))
            self._by_key[key] = number
            if self.params.cache_cylinders:
                self._packed[number] = pack_cylinders(cyl)
            usable = (keys >= 0).all(axis=1)
            self._pending_keys.append(keys[usable])
            self._pending_owner.append(np.full(int(usable.sum()), number, np.int32))
            self._pending_count += int(usable.sum())
            self._pending_segment = None
            total = sum(s.size for s in self._segments)
            if not defer and self._pending_count > max(20_000, total // 10):
                self.compact()

    def add_prepared(
        self, key: Hashable, minutiae: MinutiaSet, n_cylinders: int, keys: np.ndarray, packed: tuple | None = None
    ) -> None:
        """Enrol a finger whose band keys were computed elsewhere (another process, a cache).

        The caller must have used an index with the same parameters (``band_keys``); merging into
        the tables is deferred to :meth:`compact`.
        """
        keys = np.asarray(keys, np.int64)
        with self._lock:
            if key in self._by_key:
                self._deleted.add(self._by_key[key])
            number = len(self._keys)
            self._keys.append(key)
            self._minutiae.append(minutiae)
            self._n_cyl.append(int(n_cylinders))
            self._by_key[key] = number
            if self.params.cache_cylinders and packed is not None:
                self._packed[number] = packed
            usable = (keys >= 0).all(axis=1) if len(keys) else np.zeros(0, bool)
            self._pending_keys.append(keys[usable].reshape(-1, self.params.n_bands))
            self._pending_owner.append(np.full(int(usable.sum()), number, np.int32))
            self._pending_count += int(usable.sum())
            self._pending_segment = None

    # ------------------------------------------------------------------ prepared records
    # What a worker needs to enrol a finger without rebuilding its cylinders (the costly part,
    # ~10-25 ms a finger): band keys and packed cylinders, computed once at enrolment and stored
    # with the template, so a worker starting on 100,000 records reads them instead of spending
    # tens of minutes recomputing. Tied to the index and cylinder parameters by `prepared_version`.
    @property
    def prepared_version(self) -> str:
        if self._prepared_version is None:
            digest = hashlib.sha256(repr((astuple(self.params)[:4], astuple(self.mcc_params))).encode()).hexdigest()
            self._prepared_version = f"{INDEX_VERSION}:{digest[:12]}"
        return self._prepared_version

    def prepare(self, minutiae: MinutiaSet, cylinders: mcc.Cylinders | None = None) -> bytes:
        """The prepared record of one finger (see `add_serialized`)."""
        cyl = cylinders if cylinders is not None else mcc.build_cylinders(minutiae, self.mcc_params)
        keys = self.band_keys(cyl).astype(np.int32)
        x, y, theta, index, bits, mask = pack_cylinders(cyl)
        version = self.prepared_version.encode()
        header = struct.pack("<H", len(version)) + version + struct.pack(
            "<IHHH", len(cyl), keys.shape[1], bits.shape[1] if len(cyl) else 0, mask.shape[1] if len(cyl) else 0
        )
        return header + b"".join(a.tobytes() for a in (keys, x, y, theta, index.astype(np.int16), bits, mask))

    def add_serialized(self, key: Hashable, minutiae: MinutiaSet, blob: bytes | None) -> bool:
        """Enrol from a prepared record; False (nothing enrolled) when the record is missing,
        damaged or was prepared with other parameters: the caller then uses `add`."""
        if not blob:
            return False
        try:
            (n_version,) = struct.unpack_from("<H", blob, 0)
            version = blob[2 : 2 + n_version].decode()
            if version != self.prepared_version:
                return False
            offset = 2 + n_version
            n, n_bands, n_bits, n_mask = struct.unpack_from("<IHHH", blob, offset)
            offset += struct.calcsize("<IHHH")
            arrays = []
            for dtype, shape in (
                (np.int32, (n, n_bands)), (np.float32, (n,)), (np.float32, (n,)), (np.float32, (n,)),
                (np.int16, (n,)), (np.uint8, (n, n_bits)), (np.uint8, (n, n_mask)),
            ):
                count = int(np.prod(shape))
                arrays.append(np.frombuffer(blob, dtype, count, offset).reshape(shape))
                offset += count * np.dtype(dtype).itemsize
            if offset != len(blob) or n_bands != self.params.n_bands:
                return False
        except (struct.error, ValueError, UnicodeDecodeError):
            return False
        keys, x, y, theta, index, bits, mask = arrays
        self.add_prepared(key, minutiae, n, keys.astype(np.int64), (x, y, theta, index, bits, mask))
        return True

    def remove(self, key: Hashable) -> None:
        with self._lock:
            number = self._by_key.pop(key, None)
            if number is not None:
                self._deleted.add(number)
                self._packed.pop(number, None)

    def compact(self) -> None:
        """Merge the pending additions into the index's tables."""
        with self._lock:
            if not self._pending_keys:
                return
            keys = np.concatenate(self._pending_keys)
            owners = np.concatenate(self._pending_owner)
            self._pending_keys, self._pending_owner, self._pending_count = [], [], 0
            self._pending_segment = None
            per_band = [(keys[:, b], owners) for b in range(self.params.n_bands)]
            size = len(owners)
            # Merge with the newest segments while they are not much larger (a binary counter:
            # the index keeps O(log n) segments and every entry is re-sorted O(log n) times).
            while self._segments and self._segments[-1].size <= 2 * size:
                last = self._segments.pop()
                per_band = [
                    (np.concatenate([last.band(b)[0], kb]), np.concatenate([last.band(b)[1], ob]))
                    for b, (kb, ob) in enumerate(per_band)
                ]
                size += last.size
            self._segments.append(_Segment(per_band, self._table_size))

    def add_many(self, items) -> None:
        """Enrol many fingers (``(key, minutiae)`` pairs) and merge them into the tables once."""
        for key, minutiae in items:
            self.add(key, minutiae, defer=True)
        self.compact()

    # ------------------------------------------------------------------ search
    def _segments_now(self) -> list[_Segment]:
        segs = list(self._segments)
        if self._pending_keys:
            if self._pending_segment is None:
                keys = np.concatenate(self._pending_keys)
                owners = np.concatenate(self._pending_owner)
                self._pending_segment = _Segment(
                    [(keys[:, b], owners) for b in range(self.params.n_bands)], self._table_size
                )
            segs.append(self._pending_segment)
        return segs

    def coarse_scores(self, probe: mcc.Cylinders) -> np.ndarray:
        """Coarse score of every enrolled template (deleted ones get -inf)."""
        p = self.params
        qkeys = self.band_keys(probe)
        n_templates = len(self._keys)
        scores = np.zeros(n_templates, np.float64)
        total = max(1, sum(s.size for s in self._segments_now()))
        cap = max(64, int(p.max_bucket_fraction * total))
        q_index = np.arange(len(qkeys))
        pair_ids = []
        for seg in self._segments_now():
            for b in range(p.n_bands):
                k = qkeys[:, b]
                ok = k >= 0
                kb = k[ok]
                lo, size = seg.lookup(b, kb)
                use = (size > 0) & (size <= cap)
                lo, size, qi = lo[use], size[use], q_index[ok][use]
                if len(lo) == 0:
                    continue
                starts = np.repeat(lo - np.cumsum(size) + size, size) + np.arange(int(size.sum()))
                owners = seg.owners[b, starts].astype(np.int64)
                pair_ids.append(np.repeat(qi.astype(np.int64), size) * n_templates + owners)
        if pair_ids:
            ids = np.concatenate(pair_ids)
            uniq, counts = np.unique(ids, return_counts=True)
            owners = uniq % n_templates
            scores += np.bincount(owners, weights=counts.astype(np.float64) ** p.pair_power, minlength=n_templates)
        n_cyl = np.maximum(np.asarray(self._n_cyl, np.float64), 1.0)
        scores /= n_cyl**p.length_power
        if self._deleted:
            scores[list(self._deleted)] = -np.inf
        return scores

    def _cylinders_of(self, number: int) -> mcc.Cylinders:
        packed = self._packed.get(number)
        if packed is None:
            return mcc.build_cylinders(self._minutiae[number], self.mcc_params)
        return unpack_cylinders(packed, self.mcc_params)

    def preselect(
        self, probe: mcc.Cylinders, k: int, *, exclude: Iterable[Hashable] = ()
    ) -> tuple[np.ndarray, np.ndarray]:
        """Record numbers of the ``k`` best coarse scores, best first, and all coarse scores."""
        with self._lock:
            if not self._keys:
                return np.zeros(0, np.int64), np.zeros(0)
            coarse = self.coarse_scores(probe)
            skip = [self._by_key[x] for x in exclude if x in self._by_key]
            if skip:
                coarse[skip] = -np.inf
            k = min(k, len(coarse))
            pick = np.argpartition(-coarse, k - 1)[:k]
            pick = pick[np.argsort(-coarse[pick], kind="stable")]
            pick = pick[np.isfinite(coarse[pick])]
            return pick, coarse

    def record_key(self, number: int) -> Hashable:
        return self._keys[number]

    def rescore(self, probe: mcc.Cylinders, number: int) -> float:
        """Full MCC score of the probe against record ``number``."""
        return mcc.compare(probe, self._cylinders_of(int(number)))

    def compare_keys(self, probe: MinutiaSet | mcc.Cylinders, keys: Iterable[Hashable]) -> list[Candidate]:
        """Full MCC scores of the probe against the given enrolled records (1:1 each, no
        pre-selection; keys not in the index are skipped), best first."""
        cyl = probe if isinstance(probe, mcc.Cylinders) else mcc.build_cylinders(probe, self.mcc_params)
        with self._lock:
            numbers = [(k, self._by_key[k]) for k in keys if k in self._by_key]
            numbers = [(k, i) for k, i in numbers if i not in self._deleted]
            cyls = [self._cylinders_of(int(i)) for _k, i in numbers]
        out = [Candidate(key=k, score=mcc.compare(cyl, c), coarse=0.0) for (k, _i), c in zip(numbers, cyls, strict=True)]
        out.sort(key=lambda c: -c.score)
        return out

    def search(
        self,
        probe: MinutiaSet | mcc.Cylinders,
        *,
        top: int = 10,
        shortlist: int | None = None,
        exclude: Iterable[Hashable] = (),
    ) -> list[Candidate]:
        """The ``top`` best enrolled templates for a probe, best first, by full MCC score.

        ``exclude`` lists record keys left out of this search (for example the probe's own record).
        """
        cyl = probe if isinstance(probe, mcc.Cylinders) else mcc.build_cylinders(probe, self.mcc_params)
        k = shortlist or self.params.shortlist
        with self._lock:
            pick, coarse = self.preselect(cyl, k, exclude=exclude)
            keys = [self._keys[i] for i in pick]
            cyls = [self._cylinders_of(int(i)) for i in pick]
        out = [
            Candidate(key=key, score=mcc.compare(cyl, c), coarse=float(coarse[number]))
            for number, key, c in zip(pick.tolist(), keys, cyls, strict=True)
        ]
        out.sort(key=lambda c: -c.score)
        return out[:top]
