"""Calibrate the score fusion of deduplication (travelers/fusion.py) on the shared data.

    BMIS_SHARED_DIR=../shared nice .venv/bin/python bench/calibrate_fusion.py [--write]

Data (read from BMIS_SHARED_DIR, never copied into the repository):

- face: shared/faces/deepface/master.csv, the labelled pairs (Yes = same person), scored by the
  real face engine (largest face, embedding, ABIS score = 1 - Euclidean distance);
- fingerprint: shared/fingerprints/fvc2002 DB1-DB4 B, the FVC protocol within each database (every
  pair of impressions of one finger is genuine, every pair of different fingers impostor), scored
  by the real minutiae extractor and MCC matcher (the score the ABIS returns per finger);
- name: shared/names/pairs.csv, the screening name scorer's score (``score_person``: names, date
  of birth, sex, nationality); genuine = the ``match`` rows, impostor = the ``nomatch`` rows plus
  every query against the list entry of another row.

Held-out check: each modality is fitted on one half (faces: pairs by alternate rows; fingers: fingers
101-105 of every database; names: alternate rows) and its LLRs evaluated on the other half; the
fused evidence of face + two fingers is evaluated on chimeric persons (a face pair and two finger
pairs of the held-out halves, independent by construction) by exact convolution of the held-out
LLR distributions. That gives the false automatic merge rate and the rate of duplicates left to
the supervisors at each threshold; the shipped calibration is then fitted on all the data.
``--write`` writes travelers/fusion_calibration.json (the curves, the data, the date, the counts
and the held-out figures).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from travelers.fusion import CALIBRATION_PATH, Calibration, equal_error_rate, fit_llr  # noqa: E402

DBS = ("DB1_B", "DB2_B", "DB3_B", "DB4_B")
ALIAS_RATE = 0.5
AUTO_MERGE_FMR_TARGET = 1e-7  # held-out false automatic merges per compared pair (see choose_threshold)
FINGER_IDENTIFY_THRESHOLD = 0.045  # the default of settings.BMIS_FINGERPRINT_IDENTIFY_THRESHOLD
MIN_FINGERS = 2  # fingers above the impostor line for an automatic merge (see auto_merge_rule)


def shared_dir() -> Path:
    return Path(os.environ.get("BMIS_SHARED_DIR") or (ROOT.parent / "shared"))


# -- scores from the real engines -----------------------------------------------------------------


def face_scores(base: Path) -> list[tuple[float, bool, int]]:
    """(ABIS face score, same person, row) of every labelled pair whose two images have a face."""
    from face_common import labelled_pairs, largest_face_embeddings

    from biometrics.face.embedding import get_model

    path = base / "faces" / "deepface"
    pairs = labelled_pairs(path)
    names = sorted({a for a, _, _ in pairs} | {b for _, b, _ in pairs})
    emb = largest_face_embeddings(get_model(), [path / n for n in names])
    out = []
    for row, (a, b, same) in enumerate(pairs):
        if emb[a] is None or emb[b] is None:
            continue
        out.append((round(max(0.0, 1.0 - float(np.linalg.norm(emb[a] - emb[b]))), 4), same, row))
    return out


def finger_scores(base: Path, dbs=DBS, fingers=range(101, 111)) -> list[tuple[float, bool, str, int]]:
    """(MCC score, same finger, database, finger of the first image) of the FVC protocol pairs."""
    from biometrics.fingerprint import mcc
    from biometrics.fingerprint.imaging import load_finger_image
    from biometrics.fingerprint.minutiae import extract

    out = []
    for db in dbs:
        keys = [(f, i) for f in fingers for i in range(1, 9)]
        cyl = {}
        for k in keys:
            img = load_finger_image((base / "fingerprints" / "fvc2002" / db / f"{k[0]}_{k[1]}.tif").read_bytes())
            cyl[k] = mcc.build_cylinders(extract(img, nfiq2=False).minutiae)
        for a, b in itertools.combinations(keys, 2):
            out.append((round(float(mcc.compare(cyl[a], cyl[b])), 4), a[0] == b[0], db, a[0]))
    return out


def name_scores(base: Path) -> list[tuple[float, bool, int]]:
    """(name scorer's score, same person, row): the rows, and every query against other rows' entries."""
    from watchlists.names.score import Person, score_person

    with open(base / "names" / "pairs.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))

    def query(r):
        return Person([r["query_name"]], r["query_dob"] or None, (r["query_nationality"],), r["query_gender"] or None)

    def entry(r):
        return Person([r["list_name"]], r["list_dob"] or None, (r["list_nationality"],), r["list_gender"] or None)

    out = []
    for i, r in enumerate(rows):
        out.append((round(score_person(query(r), entry(r)).score, 4), r["expected"] == "match", i))
    for i, r in enumerate(rows):
        for j, other in enumerate(rows):
            if i != j and other["list_name"] != r["list_name"]:
                out.append((round(score_person(query(r), entry(other)).score, 4), False, i))
    return out


# -- evaluation -----------------------------------------------------------------------------------


def split(values, held_out):
    fit = [(s, y) for s, y, *k in values if not held_out(k)]
    ev = [(s, y) for s, y, *k in values if held_out(k)]
    return fit, ev


def curve(pairs) -> dict:
    return fit_llr([s for s, y in pairs if y], [s for s, y in pairs if not y])


def llrs(cal: Calibration, modality: str, pairs) -> tuple[np.ndarray, np.ndarray]:
    g = np.array([cal.llr(modality, s) for s, y in pairs if y])
    i = np.array([cal.llr(modality, s) for s, y in pairs if not y])
    return g, i


def accuracy(g: np.ndarray, i: np.ndarray) -> float:
    """Share of held-out comparisons on the right side of LLR 0, balanced over the two classes."""
    return 0.5 * (float(np.mean(g > 0)) + float(np.mean(i <= 0)))


def cllr(g: np.ndarray, i: np.ndarray) -> float:
    """Log-likelihood-ratio cost (bits): 0 perfect, 1 = a system that always says LR 1."""
    return 0.5 * (float(np.mean(np.log2(1 + np.exp(-g)))) + float(np.mean(np.log2(1 + np.exp(i)))))


def sum_distribution(parts: list[np.ndarray], step: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Exact distribution (on a grid of ``step``) of the sum of independent draws from each sample."""
    lo = sum(float(p.min()) for p in parts)
    dist = np.array([1.0])
    offset = 0.0
    for p in parts:
        bins = np.round((p - p.min()) / step).astype(int)
        h = np.bincount(bins).astype(float)
        h /= h.sum()
        dist = np.convolve(dist, h)
        offset += float(p.min())
    grid = lo + step * np.arange(len(dist))
    return grid, dist


def tail(grid, dist, t) -> float:
    return float(dist[grid >= t - 1e-9].sum())


def head(grid, dist, t) -> float:
    return float(dist[grid < t - 1e-9].sum())


def choose_threshold(gen_parts, imp_parts, target=AUTO_MERGE_FMR_TARGET):
    """The lowest biometric LLR (face + two fingers) whose held-out false-merge rate is ≤ target."""
    gg, gd = sum_distribution(gen_parts)
    ig, idist = sum_distribution(imp_parts)
    rows = []
    for t in np.arange(0.0, 40.01, 0.5):
        rows.append((float(t), tail(ig, idist, t), head(gg, gd, t)))
    chosen = next((r for r in rows if r[1] <= target), rows[-1])
    return chosen, rows


def evaluate(base: Path, dbs=DBS, verbose: bool = True) -> dict:
    t0 = time.perf_counter()
    face = face_scores(base)
    t_face = time.perf_counter() - t0
    t0 = time.perf_counter()
    fing = finger_scores(base, dbs)
    t_fing = time.perf_counter() - t0
    names = name_scores(base)
    if verbose:
        print(f"scores: face {len(face)} pairs ({t_face:.0f} s), fingerprint {len(fing)} pairs ({t_fing:.0f} s), "
              f"name {len(names)} pairs")
    data = {
        "face": ([(s, y, r) for s, y, r in face], lambda k: k[0] % 2 == 1),
        "fingerprint": ([(s, y, db, f) for s, y, db, f in fing], lambda k: k[1] > 105),
        "name": ([(s, y, r) for s, y, r in names], lambda k: k[0] % 2 == 1),
    }
    held = {}
    fit_half = {}
    for m, (values, is_held) in data.items():
        fit, ev = split(values, is_held)
        fit_half[m] = curve(fit)
        held[m] = ev
    cal_half = Calibration(fit_half, alias_rate=ALIAS_RATE)
    report = {}
    ev_llr = {}
    for m, ev in held.items():
        g, i = llrs(cal_half, m, ev)
        ev_llr[m] = (g, i)
        report[m] = {
            "held_out_genuine": int(len(g)), "held_out_impostor": int(len(i)),
            "held_out_eer": round(equal_error_rate([s for s, y in ev if y], [s for s, y in ev if not y]), 4),
            "held_out_accuracy_at_llr_0": round(accuracy(g, i), 4),
            "held_out_cllr_bits": round(cllr(g, i), 4),
        }
    fg, fi = ev_llr["face"]
    pg, pi = ev_llr["fingerprint"]
    chosen, rows = choose_threshold([fg, pg, pg], [fi, pi, pi])
    full = {m: curve([(s, y) for s, y, *_ in values]) for m, (values, _) in data.items()}
    return {"full": full, "held_out": report, "threshold": chosen, "rows": rows,
            "auto_merge": auto_merge_rule(data),
            "counts": {m: {"genuine": full[m]["genuine"], "impostor": full[m]["impostor"]} for m in full}}


def auto_merge_rule(data) -> dict:
    """The automatic merge rule and its figures.

    A merge is automatic only when the face AND at least ``MIN_FINGERS`` fingers each score above
    the highest score any impostor comparison reached in the calibration data (and above the
    engine's own 1:N decision threshold, when that is higher). With no impostor
    above the line among n comparisons, the 95 % upper bound of that modality's false-match rate is
    3/n (the rule of three); the modalities being independent, the bound per compared pair is the
    product, and per registration searched against a gallery of N persons it is N times that.
    The share of true duplicates merged automatically is the product of the genuine shares above
    the lines (the rest go to the supervisors' queue)."""
    face = [(s, y) for s, y, *_ in data["face"][0]]
    fing = [(s, y) for s, y, *_ in data["fingerprint"][0]]
    from biometrics.face.pipeline import PERSONS_THRESHOLD

    # Never below the engines' own 1:N decision lines (a small data set must not lower them).
    f_imp = max(max(s for s, y in face if not y), round(1 - PERSONS_THRESHOLD, 4))
    p_imp = max(max(s for s, y in fing if not y), FINGER_IDENTIFY_THRESHOLD)
    n_fi, n_pi = sum(1 for _, y in face if not y), sum(1 for _, y in fing if not y)
    f_gen = [s for s, y in face if y]
    p_gen = [s for s, y in fing if y]
    share_face = sum(1 for s in f_gen if s > f_imp) / len(f_gen)
    share_finger = sum(1 for s in p_gen if s > p_imp) / len(p_gen)
    bound_pair = (3 / n_fi) * (3 / n_pi) ** MIN_FINGERS
    return {
        "face_score_above": f_imp, "finger_score_above": p_imp, "min_fingers": MIN_FINGERS,
        "face_impostor_comparisons": n_fi, "finger_impostor_comparisons": n_pi,
        "false_merge_bound_per_pair_95": bound_pair,
        "false_merge_bound_per_registration_100k_95": bound_pair * 100_000,
        "duplicates_merged_automatically": round(share_face * share_finger ** MIN_FINGERS, 4),
        "face_genuine_above": round(share_face, 4), "finger_genuine_above": round(share_finger, 4),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help=f"write {CALIBRATION_PATH.relative_to(ROOT)}")
    args = ap.parse_args()
    base = shared_dir()
    print(f"date        {time.strftime('%Y-%m-%d %H:%M')} UTC, {os.cpu_count()} cores, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"data        {base}")
    result = evaluate(base)
    print()
    print(f"{'modality':12} {'genuine':>7} {'impostor':>8} {'EER (all)':>9} {'held-out EER':>12} "
          f"{'held-out acc. at LLR 0':>22} {'held-out Cllr':>13} {'LLR range':>17}")
    for m, c in result["full"].items():
        h = result["held_out"][m]
        pts = c["points"]
        print(f"{m:12} {c['genuine']:>7} {c['impostor']:>8} {100 * c['eer']:>8.2f}% {100 * h['held_out_eer']:>11.2f}% "
              f"{100 * h['held_out_accuracy_at_llr_0']:>21.1f}% {h['held_out_cllr_bits']:>13.3f} "
              f"{pts[0][1]:>8.2f}..{pts[-1][1]:<7.2f}")
    print()
    print("For information: face + two fingers, chimeric held-out persons, exact convolution of the held-out LLRs")
    print("(bounded by the data: no tail beyond the largest impostor seen; the rule below uses a bound instead)")
    print(f"{'biometric LLR >=':>16} {'false merges per pair':>22} {'duplicates left to supervisors':>31}")
    for t, fmr, fnmr in result["rows"]:
        if t in (0, 1, 2, 5, 10, 15, 20, 25):
            print(f"{t:>16.1f} {fmr:>22.2e} {100 * fnmr:>30.2f}%")
    rule = result["auto_merge"]
    print()
    print(f"Automatic merge rule: face score > {rule['face_score_above']} (no impostor of "
          f"{rule['face_impostor_comparisons']} pairs above) and >= {rule['min_fingers']} fingers > "
          f"{rule['finger_score_above']} (no impostor of {rule['finger_impostor_comparisons']} pairs above)")
    print(f"  95 % bound of false merges: {rule['false_merge_bound_per_pair_95']:.2e} per pair, "
          f"{rule['false_merge_bound_per_registration_100k_95']:.2e} per registration against 100,000 persons")
    print(f"  true duplicates merged automatically: {100 * rule['duplicates_merged_automatically']:.1f} % "
          f"(face {100 * rule['face_genuine_above']:.1f} % x finger {100 * rule['finger_genuine_above']:.1f} % "
          f"^ {rule['min_fingers']}); the rest go to the supervisors")
    if args.write:
        t, fmr, fnmr = result["threshold"]
        out = {
            "method": "PAV (isotonic) LLR per modality, summed under independence; see travelers/fusion.py",
            "created": time.strftime("%Y-%m-%d"),
            "command": "BMIS_SHARED_DIR=../shared nice .venv/bin/python bench/calibrate_fusion.py --write",
            "data": {
                "face": "shared/faces/deepface/master.csv labelled pairs; ABIS face score 1 - distance "
                        "(dlib ResNet embedding of the largest face)",
                "fingerprint": "shared/fingerprints/fvc2002 DB1-DB4 B, FVC protocol within each database; "
                               "MCC score per finger",
                "name": "shared/names/pairs.csv: match rows genuine; nomatch rows and cross-row pairs impostor; "
                        "watchlists.names.score.score_person",
            },
            "counts": result["counts"],
            "alias_rate": ALIAS_RATE,
            "held_out": result["held_out"],
            "auto_merge": rule | {
                "requires": "face and >= min_fingers fingers each above the highest impostor score of the "
                            "calibration data; names never count",
                "held_out_biometric_llr_convolution": {
                    "llr": t, "false_merge_rate_per_pair": fmr, "duplicates_left_to_supervisors": round(fnmr, 4),
                    "note": "empirical, bounded by the data; the rule above uses the rule-of-three bound instead",
                },
            },
            "modalities": result["full"],
        }
        CALIBRATION_PATH.write_text(json.dumps(out, indent=1) + "\n")
        print(f"\nwritten {CALIBRATION_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
