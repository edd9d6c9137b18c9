"""How long a biometrics worker takes to load its fingerprint 1:N gallery.

    .venv/bin/python bench/fingerprint_gallery_load.py [--records 10000]

A worker holds the MinHash index of every enrolled finger in memory. Building it from the stored
minutiae templates means constructing each finger's cylinders (the reference); with the prepared
index records stored at enrolment (FingerprintImpression.index_data) it only reads band keys and
packed cylinders. Both are measured in the same run on the same realistic synthetic minutia sets
(biometrics/fingerprint/synthetic.py), one process, BLAS 1 thread, and the two galleries are
checked to answer a sample of searches identically.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from biometrics.fingerprint.identification import FingerprintIndex  # noqa: E402
from biometrics.fingerprint.synthetic import synthetic_minutiae  # noqa: E402


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--checks", type=int, default=20, help="searches compared between the two galleries")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(7)
    sets = [synthetic_minutiae(rng) for _ in range(args.records)]
    print(f"records={args.records:,} cores={os.cpu_count()} (one process)")

    rebuilt = FingerprintIndex()
    t0 = time.perf_counter()
    for key, ms in enumerate(sets):
        rebuilt.add(key, ms, defer=True)
    rebuilt.compact()
    rebuild_s = time.perf_counter() - t0

    preparer = FingerprintIndex()
    t0 = time.perf_counter()
    blobs = [preparer.prepare(ms) for ms in sets]
    prepare_s = time.perf_counter() - t0

    loaded = FingerprintIndex()
    t0 = time.perf_counter()
    for key, (ms, blob) in enumerate(zip(sets, blobs, strict=True)):
        assert loaded.add_serialized(key, ms, blob)
    loaded.compact()
    load_s = time.perf_counter() - t0

    same = sum(
        [(c.key, round(c.score, 6)) for c in rebuilt.search(sets[i], top=5)]
        == [(c.key, round(c.score, 6)) for c in loaded.search(sets[i], top=5)]
        for i in range(0, args.records, max(1, args.records // args.checks))
    )
    n_checks = len(range(0, args.records, max(1, args.records // args.checks)))
    mb = sum(len(b) for b in blobs) / 1e6
    per = 1000 / args.records
    print("| gallery load | total | per record | at 100,000 records |")
    print("|---|---|---|---|")
    print(f"| rebuild cylinders from templates (reference) | {rebuild_s:.1f} s | {rebuild_s * per:.2f} ms | {rebuild_s * 1e5 / args.records / 60:.1f} min |")
    print(f"| read prepared index records | {load_s:.1f} s | {load_s * per:.2f} ms | {load_s * 1e5 / args.records / 60:.1f} min |")
    print(f"speed-up {rebuild_s / load_s:.1f}x; preparing the records (once, at enrolment) took {prepare_s * per:.2f} ms each;"
          f" records {mb / args.records * 1e3:.1f} kB each ({mb * 1e5 / args.records / 1e3:.2f} GB at 100,000)")
    print(f"identical search answers: {same}/{n_checks}")


if __name__ == "__main__":
    main()
