"""The synthetic fingerprint records of the deduplication benchmarks, built once and cached.

    nice .venv/bin/python bench/dedupe_pool.py [--records 100000] [--workers 2]

Each record is a realistic random minutia set (biometrics/fingerprint/synthetic.py, seeded: record
``i`` is always the same) with its prepared 1:N index record (``FingerprintIndex.prepare``: band
keys and packed cylinders, what enrolment stores in ``FingerprintImpression.index_data``). Building
100,000 costs ~16 ms each on this machine (about 15 min with two processes), so they are cached in
``var/bench/dedupe-fingers-<N>.bin`` and read back in seconds by bench/dedupe.py and
bench/registration_latency.py.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 20261203
CHUNK = 500


def cache_path(n: int) -> Path:
    return ROOT / "var" / "bench" / f"dedupe-fingers-{n}.bin"


def _chunk(args):
    from biometrics.fingerprint.identification import FingerprintIndex
    from biometrics.fingerprint.synthetic import synthetic_minutiae
    from biometrics.fingerprint.template import Template, serialize

    start, count = args
    index = FingerprintIndex()
    out = []
    for i in range(start, start + count):
        ms = synthetic_minutiae(np.random.default_rng([SEED, i]))
        out.append((serialize(Template(ms)), index.prepare(ms)))
    return out


def build(n: int, workers: int = 2, verbose: bool = True) -> Path:
    path = cache_path(n)
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    t0 = time.perf_counter()
    jobs = [(s, min(CHUNK, n - s)) for s in range(0, n, CHUNK)]
    done = 0
    with open(tmp, "wb") as fh, ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        fh.write(struct.pack("<I", n))
        for part in pool.map(_chunk, jobs):
            for template, blob in part:
                fh.write(struct.pack("<II", len(template), len(blob)))
                fh.write(template)
                fh.write(blob)
            done += len(part)
            if verbose and done % 10_000 == 0:
                print(f"  {done:,} records, {time.perf_counter() - t0:.0f} s", flush=True)
    tmp.rename(path)
    if verbose:
        print(f"built {n:,} synthetic fingerprint records in {time.perf_counter() - t0:.0f} s -> {path}")
    return path


def read(n: int, limit: int | None = None):
    """Yield (minutiae template bytes, prepared index record) of the cache of ``n`` records (the
    first ``limit`` of them)."""
    path = cache_path(n)
    if not path.is_file() and path.with_suffix(".part").is_file():
        path = path.with_suffix(".part")  # an interrupted build: its complete records
    if not path.is_file():
        raise SystemExit(f"{path} not found: run `nice .venv/bin/python bench/dedupe_pool.py --records {n}` first")
    with open(path, "rb") as fh:
        (count,) = struct.unpack("<I", fh.read(4))
        for _ in range(min(count, limit if limit is not None else count)):
            head = fh.read(8)
            if len(head) < 8:
                return
            lt, lb = struct.unpack("<II", head)
            template, blob = fh.read(lt), fh.read(lb)
            if len(template) < lt or len(blob) < lb:
                return
            yield template, blob


def available(n: int) -> int:
    """How many records of the cache of ``n`` can be read (all, or those an interrupted build wrote)."""
    return sum(1 for _ in read(n))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    build(args.records, args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
