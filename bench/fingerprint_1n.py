"""1:N identification benchmark: the 320 FVC2002 B images among synthetic impostor templates.

    .venv/bin/python bench/fingerprint_1n.py [--synthetic 100000] [--workers 2] [--shortlist 100]

Gallery: all 320 images of FVC2002 DB1-DB4 B (40 fingers x 8 impressions) plus ``--synthetic``
realistic random minutia sets (biometrics/fingerprint/synthetic.py), in one MinHash index
(biometrics/fingerprint/identification.py). Probes: each of the 320 images, two protocols:

- leave-one-out: the probe's own record is excluded; a hit at rank 1 is any other impression of
  the same finger (7 mates in the gallery);
- single mate: impression 1 of each finger is the only mate (the other impressions of the probe's
  finger are excluded from the search); the 280 probes are impressions 2-8.

Per query it reports the identification time (pre-selection + full MCC re-scoring of the
shortlist, one process, BLAS 1 thread), the rank-1 rate, and whether a mate reached the shortlist.
The reference measured in the same run is exhaustive search: the time of one full MCC comparison
(cylinder construction of the record included, as the index stores minutiae) times the gallery
size, and the rank-1 rate of exhaustive search over the real images (synthetic records score
below every real mate in practice, checked on a sample).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

# One BLAS thread: the figures are per core (set before numpy is imported).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from biometrics.fingerprint import mcc  # noqa: E402
from biometrics.fingerprint.identification import (  # noqa: E402
    INDEX_VERSION,
    FingerprintIndex,
    IndexParams,
    pack_cylinders,
)
from biometrics.fingerprint.imaging import load_finger_image  # noqa: E402
from biometrics.fingerprint.minutiae import extract  # noqa: E402
from biometrics.fingerprint.synthetic import synthetic_minutiae  # noqa: E402
from biometrics.fingerprint.template import Template, deserialize, serialize  # noqa: E402

DBS = ("DB1_B", "DB2_B", "DB3_B", "DB4_B")
SEED = 20260


def shared_dir() -> Path:
    return Path(os.environ.get("BMIS_SHARED_DIR", ROOT.parent / "shared"))


def _synth_chunk(args):
    start, count = args
    index = FingerprintIndex()
    out = []
    for i in range(start, start + count):
        ms = synthetic_minutiae(np.random.default_rng([SEED, i]))
        cyl = mcc.build_cylinders(ms)
        keys = index.band_keys(cyl).astype(np.int32)
        out.append((serialize(Template(ms)), len(cyl), keys, pack_cylinders(cyl)))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--synthetic", type=int, default=100_000, help="synthetic impostor records (default 100000)")
    ap.add_argument("--workers", type=int, default=2, help="processes used to build the synthetic gallery")
    ap.add_argument("--shortlists", type=lambda v: [int(x) for x in v.split(",")], default=[100, 300, 600, 1000],
                    help="shortlist sizes (records re-scored per query) to report, comma-separated")
    ap.add_argument("--protocols", default="leave-one-out,single mate",
                    help="comma-separated: leave-one-out, single mate (default both)")
    args = ap.parse_args()
    protocols = [p.strip() for p in args.protocols.split(",") if p.strip()]
    base = shared_dir() / "fingerprints" / "fvc2002"
    if not base.is_dir():
        print(f"SKIP: FVC2002 data not found at {base} (set BMIS_SHARED_DIR)")
        return 0

    params = IndexParams()
    print("1:N identification benchmark (FVC2002 B DB1-4, 320 images, among synthetic impostors)")
    print(f"  machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"queries in one process, BLAS 1 thread; gallery built with {args.workers} processes")
    print(f"  index: {INDEX_VERSION} ({params.n_bands} bands x {params.rows} rows; shortlists {args.shortlists}); "
          f"matcher {mcc.MATCHER_VERSION}")

    t0 = time.perf_counter()
    real = {}
    for db in DBS:
        for f in range(101, 111):
            for i in range(1, 9):
                img = load_finger_image((base / db / f"{f}_{i}.tif").read_bytes())
                real[(db, f, i)] = extract(img, nfiq2=False).minutiae
    t_extract = time.perf_counter() - t0

    index = FingerprintIndex(params)
    t0 = time.perf_counter()
    real_cyl = {k: mcc.build_cylinders(ms) for k, ms in real.items()}
    for k, ms in real.items():
        index.add(k, ms, real_cyl[k], defer=True)
    chunk = 500
    jobs = [(s, min(chunk, args.synthetic - s)) for s in range(0, args.synthetic, chunk)]
    n_syn = 0
    with ProcessPoolExecutor(max_workers=max(1, args.workers)) as pool:
        for part in pool.map(_synth_chunk, jobs):
            for blob, n_cyl, keys, packed in part:
                index.add_prepared(("synthetic", n_syn), deserialize(blob).minutiae, n_cyl, keys, packed)
                n_syn += 1
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    index.compact()
    t_compact = time.perf_counter() - t0
    print(f"  gallery: {len(index)} records ({len(real)} real + {n_syn} synthetic); "
          f"extraction {t_extract:.0f} s, synthetic generation + cylinders + hashing {t_gen:.0f} s, "
          f"table build {t_compact:.0f} s")
    print()

    # Reference: exhaustive search cost = gallery size x one full comparison (with cylinder build).
    rng = np.random.default_rng(1)
    sample = [deserialize(_synth_chunk((args.synthetic + j, 1))[0][0]).minutiae for j in range(200)]
    probe_keys = list(real)
    t0 = time.perf_counter()
    syn_best = []
    for ms in sample:
        c = mcc.build_cylinders(ms)
        syn_best.append(mcc.compare(real_cyl[probe_keys[int(rng.integers(len(probe_keys)))]], c))
    t_full = (time.perf_counter() - t0) / len(sample)

    # Each query: coarse pre-selection once, then full MCC scores of the candidates in coarse
    # order; the time and the outcome for a shortlist of S records are read off after S of them,
    # exactly the work index.search(shortlist=S) does.
    shortlists = sorted(set(args.shortlists))
    rows = []
    for protocol in protocols:
        probes = [k for k in probe_keys if protocol == "leave-one-out" or k[2] != 1]
        times = {s: [] for s in shortlists}
        rank1 = dict.fromkeys(shortlists, 0)
        reached = dict.fromkeys(shortlists, 0)
        for k in probes:
            if protocol == "leave-one-out":
                exclude = [k]
                mates = {(k[0], k[1], i) for i in range(1, 9)} - {k}
            else:
                exclude = [(k[0], k[1], i) for i in range(2, 9)]
                mates = {(k[0], k[1], 1)}
            t0 = time.perf_counter()
            pick, _ = index.preselect(real_cyl[k], shortlists[-1], exclude=exclude)
            best_score, best_key, seen_mate = -1.0, None, False
            for n, number in enumerate(pick.tolist(), start=1):
                key = index.record_key(number)
                score = index.rescore(real_cyl[k], number)
                seen_mate |= key in mates
                if score > best_score:
                    best_score, best_key = score, key
                if n in times:
                    times[n].append(time.perf_counter() - t0)
                    rank1[n] += best_key in mates
                    reached[n] += seen_mate
        for s_ in shortlists:
            rows.append((protocol, s_, len(probes), np.percentile(times[s_], 50), np.percentile(times[s_], 95),
                         100 * rank1[s_] / len(probes), 100 * reached[s_] / len(probes)))

    # Exhaustive rank-1 over the real images (reference accuracy of the matcher itself):
    # the full 320 x 320 score matrix, computed once.
    nk = len(probe_keys)
    full = np.full((nk, nk), -np.inf)
    for a in range(nk):
        for b in range(a + 1, nk):
            full[a, b] = full[b, a] = mcc.compare(real_cyl[probe_keys[a]], real_cyl[probe_keys[b]])
    ex_rank1 = {}
    for protocol in protocols:
        hits = total = 0
        for a, k in enumerate(probe_keys):
            if protocol == "single mate" and k[2] == 1:
                continue
            row = full[a].copy()
            if protocol == "single mate":
                for b, g in enumerate(probe_keys):
                    if g[:2] == k[:2] and g[2] != 1:
                        row[b] = -np.inf
            best = probe_keys[int(np.argmax(row))]
            hits += best[:2] == k[:2]
            total += 1
        ex_rank1[protocol] = 100 * hits / total

    n = len(index)
    print(f"{'protocol':14} {'shortlist':>9} {'probes':>6} {'p50 s':>7} {'p95 s':>7} {'rank-1 %':>8} "
          f"{'mate in shortlist %':>19} {'exhaustive rank-1 % (real only)':>31} {'exhaustive s/query (est.)':>25}")
    for protocol, s_, n_probes, p50, p95, r1, reach in rows:
        print(f"{protocol:14} {s_:>9} {n_probes:>6} {p50:>7.3f} {p95:>7.3f} {r1:>8.1f} {reach:>19.1f} "
              f"{ex_rank1[protocol]:>31.1f} {t_full * n:>25.1f}")
    print()
    print(f"one full comparison incl. cylinder construction: {1000 * t_full:.2f} ms; exhaustive search over "
          f"{n} records would take {t_full * n:.1f} s per query; "
          f"best synthetic-vs-real score in a 200-pair sample: {max(syn_best):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
