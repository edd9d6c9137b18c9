"""FVC2002 verification benchmark: our MCC matcher against NIST bozorth3 on the same minutiae.

    .venv/bin/python bench/fingerprint.py [--db DB1_B ...]

For each FVC2002 "B" database (10 fingers x 8 impressions) it extracts minutiae once with mindtct
(nbis-py), then scores every genuine pair (28 per finger, 280) and every impostor pair (all pairs of
impressions of different fingers, 2,880) with both matchers, and prints the equal error rate and the
comparisons per second of each, single-threaded (BLAS limited to one thread). Data are read from
$BMIS_SHARED_DIR/fingerprints/fvc2002 (default ../shared next to the repository).
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import sys
import time
from pathlib import Path

# One BLAS thread: the figures are per core (set before numpy is imported).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from biometrics.fingerprint import mcc  # noqa: E402
from biometrics.fingerprint.evaluation import equal_error_rate  # noqa: E402
from biometrics.fingerprint.imaging import load_finger_image  # noqa: E402
from biometrics.fingerprint.minutiae import EXTRACTOR_VERSION, extract  # noqa: E402

DBS = ("DB1_B", "DB2_B", "DB3_B", "DB4_B")
NBIS_REFERENCE = {"DB1_B": 4.3, "DB2_B": 2.6, "DB3_B": 8.7, "DB4_B": 5.3}


def shared_dir() -> Path:
    return Path(os.environ.get("BMIS_SHARED_DIR", ROOT.parent / "shared"))


def run_db(folder: Path) -> dict:
    keys = [(f, i) for f in range(101, 111) for i in range(1, 9)]
    t0 = time.perf_counter()
    ext = {}
    for k in keys:
        img = load_finger_image((folder / f"{k[0]}_{k[1]}.tif").read_bytes())
        ext[k] = extract(img, nfiq2=False)
    t_extract = (time.perf_counter() - t0) / len(keys)
    pairs = list(itertools.combinations(keys, 2))
    genuine = np.array([a[0] == b[0] for a, b in pairs])

    t0 = time.perf_counter()
    cyl = {k: mcc.build_cylinders(e.minutiae) for k, e in ext.items()}
    t_build = (time.perf_counter() - t0) / len(keys)
    t0 = time.perf_counter()
    ours = np.array([mcc.compare(cyl[a], cyl[b]) for a, b in pairs])
    t_ours = time.perf_counter() - t0

    t0 = time.perf_counter()
    bz = np.array([ext[a].native.compare(ext[b].native) for a, b in pairs], dtype=np.float64)
    t_bz = time.perf_counter() - t0
    return {
        "genuine": int(genuine.sum()),
        "impostor": int((~genuine).sum()),
        "eer_ours": 100 * equal_error_rate(ours[genuine], ours[~genuine]),
        "eer_nbis": 100 * equal_error_rate(bz[genuine], bz[~genuine]),
        "cps_ours": len(pairs) / t_ours,
        "cps_ours_with_build": len(pairs) / (t_ours + t_build * len(keys)),
        "cps_nbis": len(pairs) / t_bz,
        "extract_ms": 1000 * t_extract,
        "build_ms": 1000 * t_build,
        "minutiae": float(np.mean([len(e.minutiae) for e in ext.values()])),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", action="append", choices=DBS, help="database(s) to run (default: all four)")
    args = ap.parse_args()
    base = shared_dir() / "fingerprints" / "fvc2002"
    if not base.is_dir():
        print(f"SKIP: FVC2002 data not found at {base} (set BMIS_SHARED_DIR)")
        return 0
    print("FVC2002 B verification benchmark (FVC protocol: all genuine and all impostor pairs)")
    print(f"  machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}; matching single-threaded (BLAS 1 thread)")
    print(f"  extractor: {EXTRACTOR_VERSION}; ours: {mcc.MATCHER_VERSION}; reference: NBIS bozorth3 (nbis-py)")
    print(f"  data: {base}")
    print()
    header = (f"{'db':6} {'gen':>4} {'imp':>5} {'minu':>5} {'EER ours %':>10} {'EER bozorth3 %':>14} "
              f"{'(published ref)':>15} {'ours cmp/s':>10} {'bozorth3 cmp/s':>14} {'cylinders ms':>12}")
    print(header)
    print("-" * len(header))
    results = {}
    for db in args.db or DBS:
        r = run_db(base / db)
        results[db] = r
        print(f"{db:6} {r['genuine']:>4} {r['impostor']:>5} {r['minutiae']:>5.1f} {r['eer_ours']:>10.2f} "
              f"{r['eer_nbis']:>14.2f} {NBIS_REFERENCE[db]:>15.1f} {r['cps_ours']:>10.0f} "
              f"{r['cps_nbis']:>14.0f} {r['build_ms']:>12.1f}", flush=True)
    better = all(r["eer_ours"] < r["eer_nbis"] for r in results.values())
    print()
    print(f"ours below bozorth3 on every database run: {'yes' if better else 'NO'}; "
          f"slowest ours {min(r['cps_ours'] for r in results.values()):.0f} comparisons/s/core "
          f"({min(r['cps_ours_with_build'] for r in results.values()):.0f} counting cylinder construction once per image)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
